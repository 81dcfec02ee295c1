"""The session runner: counting into the store, sets, undo, pause, and failures mid-session."""

from __future__ import annotations

import threading

import pytest

from fakes import BlankSource, Squatter, run_seeing, session, told_at_the_end
from reptrack.errors import StoreError
from reptrack.exercise import spec as specs
from reptrack.session.engine import Session
from reptrack.session.rescore import rescore
from reptrack.store import Store


def _workout(tmp_path, frames=30 * 7, store=None, **kw) -> Session:
    return session(
        BlankSource(frames),
        Squatter(period=2.0),
        specs.load("squat"),
        store=store or Store(tmp_path / "w.db"),
        **kw,
    )


def test_a_squatting_figure_is_counted_and_logged(tmp_path):
    w = _workout(tmp_path, target_reps=3, planned_sets=2)
    summary = w.run()
    assert len(summary.reps) == 3 and summary.status == "completed"
    store = Store(tmp_path / "w.db")
    row = store.session(summary.session_id)
    assert (row["reps"], row["good_reps"], row["status"]) == (3, 3, "completed")
    assert (row["target_reps"], row["planned_sets"]) == (3, 2)
    assert w.source.closed


def test_a_session_lasts_as_long_as_its_stream_not_as_long_as_it_took_to_read():
    """Seven seconds of video, read as fast as the machine can: the summary (the text line,
    `--json`) says how long the set took, not how long counting it did."""
    summary = _workout(None, frames=30 * 7, store=Store(memory=True)).run()
    assert summary.frames == 210
    assert summary.seconds == pytest.approx(209 / 30)  # first frame at 0 s, last at 6.97 s


def test_the_history_keeps_the_streams_length_of_a_session(tmp_path):
    from reptrack.tui.history_screen import duration_text

    summary = _workout(tmp_path, frames=30 * 7).run()
    row = Store(tmp_path / "w.db").session(summary.session_id)
    assert row["seconds"] == pytest.approx(209 / 30, abs=0.001)
    assert duration_text(row) == "0:07"
    # a session stored before reptrack kept it: the wall clock's length
    older = {**row, "seconds": None, "started_at": "2026-01-01T10:00:00+00:00",
             "ended_at": "2026-01-01T10:01:05+00:00"}  # fmt: skip
    assert duration_text(older) == "1:05"


def test_a_rep_that_returns_on_the_last_frames_of_a_video_is_counted_and_saved(tmp_path):
    # The figure is back above the start threshold only on the last three frames (3.63 to
    # 3.70 s): too late for the dwell to confirm it, but the rep is complete.
    workout = _workout(tmp_path, frames=112)
    ended = told_at_the_end(workout)
    summary = workout.run()
    assert len(summary.reps) == 2
    assert [e.rep.number for e in ended if hasattr(e, "rep")] == [2]
    assert Store(tmp_path / "w.db").session(summary.session_id)["reps"] == 2


def test_next_set_numbers_the_reps_and_undo_stays_inside_the_set(tmp_path):
    w = _workout(tmp_path, frames=30 * 9)
    results = []

    def on_frame(r):
        results.append(r)
        if r.count == 2 and r.set_number == 1:
            w.request("next_set")
        if r.set_number == 2 and r.set_reps == 1 and not hasattr(on_frame, "undone"):
            on_frame.undone = True
            w.request("undo")

    summary = run_seeing(w, on_frame)
    assert summary.sets == 2
    reps = Store(tmp_path / "w.db").reps(summary.session_id)
    # Set 2 counted reps 3 and 4 (the figure keeps squatting); rep 3 was undone.
    assert [(r["n"], r["set_number"]) for r in reps] == [(1, 1), (2, 1), (3, 2)]
    assert results[-1].set_reps == 1
    starts = Store(tmp_path / "w.db").set_starts(summary.session_id)
    assert [n for n, _ in starts] == [1, 2] and starts[1][1] > 3.0


def test_undo_at_the_start_of_a_set_does_not_reach_into_the_last_set(tmp_path):
    w = _workout(tmp_path, frames=30 * 3)
    w.run()
    assert w.counter.count == 1
    w.next_set()
    assert w.undo() is None and w.counter.count == 1


def test_a_paused_workout_reads_no_frames_until_resumed(tmp_path):
    w = _workout(tmp_path, frames=60)
    pause, seen = threading.Event(), []
    pause.set()
    thread = threading.Thread(target=run_seeing, args=(w, seen.append), kwargs={"pause": pause})
    thread.start()
    thread.join(0.3)
    assert seen == [] and thread.is_alive()
    pause.clear()
    thread.join(10)
    assert len(seen) == 60 and not thread.is_alive()


def test_rescore_after_sets_replays_to_the_same_reps(tmp_path):
    w = _workout(tmp_path, frames=30 * 9)
    run_seeing(w, lambda r: w.request("next_set") if r.count == 2 and r.set_number == 1 else None)
    result = rescore(Store(tmp_path / "w.db"), w.session_id)
    assert [(r.start, r.end) for r in result.new] == [(r["start"], r["end"]) for r in result.old]


def test_a_store_failure_mid_session_keeps_the_reps_already_recorded(tmp_path):
    saving = Store(tmp_path / "w.db")
    w = _workout(tmp_path, frames=30 * 9, store=saving)

    def fill_the_disk(r):
        if r.count == 2:
            pages = saving.db.execute("PRAGMA page_count").fetchone()[0]
            saving.db.execute(f"PRAGMA max_page_count={pages}")

    with pytest.raises(StoreError, match="is full"):
        run_seeing(w, fill_the_disk)
    assert w.source.closed
    store = Store(tmp_path / "w.db")
    assert [r["n"] for r in store.reps(w.session_id)] >= [1, 2]
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_rescore_of_a_real_session_equals_the_live_count(shared, blazepose_models, tmp_path):
    from reptrack.pose.blazepose import BlazePose
    from reptrack.video.sources import FileSource

    store = Store(tmp_path / "real.db")
    w = session(
        FileSource(shared / "videos" / "squat_tommy.mp4"),
        BlazePose("full"),
        specs.load("squat"),
        store=store,
    )
    live = w.run()
    assert len(live.reps) == 3
    result = rescore(Store(tmp_path / "real.db"), live.session_id)
    assert [(r.number, r.start, r.end, r.flags) for r in result.new] == [
        (r.number, r.start, r.end, r.flags) for r in live.reps
    ]


def test_opening_a_workout_closes_the_store_when_the_source_cannot_be_opened(tmp_path, monkeypatch):
    from reptrack.errors import SourceError
    from reptrack.session.request import Request, open_exercise

    monkeypatch.setattr("reptrack.pose.backends.make_estimator", lambda *a, **k: Squatter(2.0))
    closed = []
    close = Store.close
    monkeypatch.setattr(Store, "close", lambda self: (closed.append(self.db), close(self)))
    plan = Request("squat", source=str(tmp_path / "missing.mp4"), db=str(tmp_path / "w.db"))
    with pytest.raises(SourceError):
        open_exercise(plan)
    assert len(closed) == 1
