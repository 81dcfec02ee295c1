"""The session engine: the set program on its own, the runner's events reaching every sink,
the rep log, and the headless mode running sets and rest."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys

import pytest

from conftest import ROOT
from fakes import BlankSource, Squatter, run_seeing, session
from fakes import session as start  # where a test's own variable is named `session`
from reptrack.exercise import spec as specs
from reptrack.exercise.events import Event, Rep, RepCompleted
from reptrack.session.engine import Session
from reptrack.session.request import Request, open_exercise
from reptrack.session.sets import (
    RepUndone,
    RestOver,
    RestStarted,
    SetDone,
    SetProgram,
    SetStarted,
    WorkoutDone,
)
from reptrack.sinks import Guarded, SinkNotice
from reptrack.sinks.logs import CsvRepLog
from reptrack.sinks.store import StoreSink
from reptrack.store import Store


def _rep(n: int, t: float, flags: tuple[str, ...] = ()) -> Rep:
    return Rep(n, "left", t - 1.0, t, t - 0.5, 80.0, 170.0, flags)


# -- the program ------------------------------------------------------------------------------
def test_a_set_reaches_its_target_rests_and_the_next_starts_at_the_next_frame():
    p = SetProgram(target_reps=2, sets=2, rest=30.0)
    assert p.counted(1.0, _rep(1, 1.0)) == []
    done = p.counted(3.0, _rep(2, 3.0, ("not_deep_enough",)))
    assert done == [SetDone(3.0, 1, 2, 1), RestStarted(3.0, 33.0, 2)]
    assert p.rest_left(13.0) == 20.0
    assert p.tick(32.9) == []
    assert p.tick(33.0) == [RestOver(33.0, 2)]  # set 1 is already done
    assert p.frame(33.1) == [SetStarted(33.1, 2)] and p.set_number == 2
    p.counted(35.0, _rep(3, 35.0))
    assert p.counted(37.0, _rep(4, 37.0)) == [SetDone(37.0, 2, 2, 2), WorkoutDone(37.0, 2)]
    assert p.tick(100.0) == []  # no rest after the last set
    assert [s["reps"] for s in p.to_json()] == [2, 2]


def test_a_plan_block_rests_after_its_last_set_and_is_done_when_the_rest_is_over():
    p = SetProgram(target_reps=1, sets=2, rest=10.0, rest_after=90.0)
    p.counted(1.0, _rep(1, 1.0))
    p.tick(11.0)
    p.frame(11.1)
    done = p.counted(13.0, _rep(2, 13.0))
    assert done == [SetDone(13.0, 2, 1, 1), WorkoutDone(13.0, 2), RestStarted(13.0, 103.0, 3, True)]
    assert not p.done and p.rest_left(43.0) == 60.0
    assert p.tick(102.9) == [] and not p.done
    assert p.tick(103.0) == [RestOver(103.0, 3, True)] and p.done
    assert p.frame(103.1) == []  # no third set: the plan's next block follows
    assert [s["reps"] for s in p.to_json()] == [1, 1]


def test_the_rest_after_a_block_ends_early_when_the_next_set_is_asked_for():
    p = SetProgram(target_reps=1, sets=1, rest_after=90.0)
    p.counted(1.0, _rep(1, 1.0))
    assert p.next_set(5.0) == [RestOver(5.0, 2, True)] and p.done
    assert p.rest_left(6.0) is None and p.frame(5.1) == []


def test_without_a_target_a_set_goes_on_until_the_next_is_asked_for():
    p = SetProgram(rest=1.0)
    for i in range(1, 30):
        assert p.counted(float(i), _rep(i, float(i))) == []
    assert p.next_set(40.0) == [SetDone(40.0, 1, 29, 29)]
    assert p.frame(40.5) == [SetStarted(40.5, 2)]
    assert p.finish(50.0) == []  # the second set has no rep: not reported done


def test_undo_takes_back_only_a_rep_of_the_current_set():
    p = SetProgram()
    p.counted(1.0, _rep(1, 1.0))
    p.next_set(2.0)
    p.frame(2.1)
    assert p.undo() is None
    p.counted(4.0, _rep(2, 4.0))
    assert p.undo() == _rep(2, 4.0) and p.set_reps == 0


def test_a_set_asked_for_after_the_last_frame_starts_just_after_it():
    p = SetProgram()
    p.counted(1.0, _rep(1, 1.0))
    p.next_set(2.0)
    (started,) = p.finish(2.0)
    assert isinstance(started, SetStarted) and started.number == 2 and started.t > 2.0


# -- the runner and its sinks ---------------------------------------------------------------
class Collect:
    """A sink: what every output receives."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.samples = 0
        self.closed: tuple[str, str | None] | None = None

    def frame(self, r) -> None:
        self.samples += r.sample is not None
        self.events += r.events

    def close(self, status, reason) -> None:
        self.closed = (status, reason)

    def notices(self) -> list[str]:
        return []


def test_every_sink_sees_reps_sets_rest_and_undo_in_order(tmp_path):
    sink = Collect()
    w = session(BlankSource(30 * 13), Squatter(period=2.0), specs.load("squat"),
                store=Store(tmp_path / "s.db"), target_reps=2, planned_sets=2, rest=1.0,
                sinks=[sink])  # fmt: skip
    undone = []

    def on_frame(r):
        if r.set_number == 2 and r.set_reps == 1 and not undone:
            undone.append(w.undo())

    summary = run_seeing(w, on_frame)
    shown = (RepCompleted, RepUndone, SetDone, RestStarted, RestOver, SetStarted, WorkoutDone)
    kinds = [type(e).__name__ for e in sink.events if isinstance(e, shown)]
    assert kinds == [
        "RepCompleted", "RepCompleted", "SetDone", "RestStarted",  # set 1 reaches 2
        "RestOver", "SetStarted",  # a second of rest, and set 2 from the next frame
        "RepCompleted", "RepUndone",  # the user takes its first rep back
        "RepCompleted", "RepCompleted", "SetDone", "WorkoutDone",
    ]  # fmt: skip
    assert sink.samples == summary.frames and sink.closed == ("completed", None)
    assert summary.sets == 2 and [s["set"] for s in summary.set_details] == [1, 2]
    store = Store(tmp_path / "s.db")
    assert [r["set_number"] for r in store.reps(summary.session_id)] == [1, 1] + [2] * (
        len(summary.reps) - 2
    )


def test_the_rep_log_has_a_line_per_rep_as_it_happens_and_one_per_undo(tmp_path):
    log = tmp_path / "reps.csv"
    sink = CsvRepLog(log)
    w = Session(BlankSource(30 * 7), Squatter(period=2.0), specs.load("squat"), sinks=[sink])
    lines_at_rep: list[int] = []

    def on_frame(r):
        if any(isinstance(e, RepCompleted) for e in r.events):
            lines_at_rep.append(len(log.read_text(encoding="utf-8").splitlines()))
        if r.count == 2 and len(lines_at_rep) == 2:
            w.undo()

    run_seeing(w, on_frame)
    assert lines_at_rep[:2] == [2, 3]  # the header and each rep, on disk as it was counted
    rows = list(csv.DictReader(log.open(encoding="utf-8")))
    assert [(r["event"], r["rep"], r["set"]) for r in rows][:3] == [
        ("rep", "1", "1"), ("rep", "2", "1"), ("undone", "2", "1")]  # fmt: skip
    assert all(r["counted_by"] == "shipped" for r in rows)


def test_the_rep_log_is_never_the_file_being_counted(tmp_path):
    import pytest

    from reptrack.errors import ReptrackError

    video = tmp_path / "clip.csv"
    video.write_text("not a video", encoding="utf-8")
    with pytest.raises(ReptrackError, match="the file this command reads"):
        open_exercise(Request("squat", source=str(video), log_csv=str(video), save=False))
    assert video.read_text(encoding="utf-8") == "not a video"


# -- headless ---------------------------------------------------------------------------------
def test_headless_runs_the_sets_and_the_rest(shared, blazepose_models, tmp_path):
    # The command a new user tried over SSH: two sets of two, half a second of rest.
    args = ["squat", "--source", str(shared / "videos" / "squat_tommy.mp4"), "--no-tui",
            "--target-reps", "2", "--sets", "2", "--rest", "0.5", "--db", str(tmp_path / "s.db"),
            "--log-csv", str(tmp_path / "reps.csv")]  # fmt: skip
    env = {**os.environ, "NO_COLOR": "1"}
    run = subprocess.run([sys.executable, "-m", "reptrack", *args], capture_output=True,
                         text=True, cwd=ROOT, env=env, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    said = [line for line in lines if line.startswith(("set ", "rest", "rep "))]
    assert said == [
        "rep 1 (left, 1.5 s) — clean",
        "rep 2 (left, 1.5 s) — clean",
        "set 1 done: 2 reps (2 clean)",
        "rest 0.5 s — set 2 next",
        "rest over — set 2",
        "rep 3 (left, 1.4 s) — clean",
        "set 2 done: 1 rep (1 clean)",
    ]
    as_json = subprocess.run(
        [sys.executable, "-m", "reptrack", *args[:-2], "--json"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300,
    )  # fmt: skip
    summary = json.loads(as_json.stdout)
    assert summary["sets"] == 2
    assert [(s["set"], s["reps"]) for s in summary["set_details"]] == [(1, 2), (2, 1)]
    assert len((tmp_path / "reps.csv").read_text(encoding="utf-8").splitlines()) == 1 + 3


# -- a lock held by another program in the middle of a set ------------------------------------
class Lock:
    """Another program's write lock on the database (a backup, a sync tool), taken and let go
    when the test says."""

    def __init__(self, db) -> None:
        self.conn = sqlite3.connect(db, isolation_level=None)
        self.held = False

    def take(self) -> None:
        self.conn.execute("BEGIN EXCLUSIVE")
        self.held = True

    def release(self) -> None:
        if self.held:
            self.conn.execute("COMMIT")
        self.held = False


class StreamClock:
    """The sink's clock, at the stream's time: what a second of waiting is does not depend on
    how fast the machine runs the frames."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class LockedSession:
    """A squat session of `seconds` whose store is written through a StoreSink on the stream's
    clock, with SQLite's own waits for a lock cut to none, and every write it tried."""

    def __init__(self, tmp_path, monkeypatch, seconds: float) -> None:
        import reptrack.sinks.store

        monkeypatch.setattr(reptrack.sinks.store, "IN_SESSION_LOCK_WAIT", 0.0)
        monkeypatch.setattr(reptrack.sinks.store, "FINAL_LOCK_WAIT", 0.0)
        self.tries: list[str] = []
        apply = reptrack.sinks.store.apply

        def counted(store, sid, op):
            self.tries.append(op["op"])
            return apply(store, sid, op)

        monkeypatch.setattr(reptrack.sinks.store, "apply", counted)
        self.db, spec, self.clock = tmp_path / "s.db", specs.load("squat"), StreamClock()
        self.lock = Lock(self.db)
        self.sink = StoreSink.start(Store(self.db), spec, "blank", backend="fake", model="none",
                                    clock=self.clock)  # fmt: skip
        self.workout = Session(BlankSource(int(30 * seconds)), Squatter(period=2.0), spec,
                               sinks=[self.sink])  # fmt: skip

    def run(self, on_frame=lambda r: None):
        def each(r) -> None:
            self.clock.now = r.t
            on_frame(r)

        return run_seeing(self.workout, each)


def test_a_lock_held_8_s_mid_set_keeps_counting_and_saves_every_rep(tmp_path, monkeypatch):
    locked = LockedSession(tmp_path, monkeypatch, 13)
    said: list[str] = []
    held: list[float] = []  # when the lock was taken
    tries_while_held: list[str] = []

    def on_frame(r) -> None:
        said.extend(e.message for e in r.events if isinstance(e, SinkNotice))
        if r.count == 1 and not held:
            locked.lock.take()
            held.append(r.frame.timestamp)
            locked.tries.clear()
        elif locked.lock.held and r.frame.timestamp >= held[0] + 8.0:
            tries_while_held.extend(locked.tries)
            locked.lock.release()

    summary = locked.run(on_frame)
    assert len(summary.reps) == 6 and not locked.lock.held
    # The camera loop never waited for the lock: it tried once a second of the stream, not
    # at every frame (240 of them in 8 s).
    assert 4 <= len(tries_while_held) <= 10, tries_while_held
    store = Store(locked.db)
    assert [r["n"] for r in store.reps(locked.sink.session_id)] == [1, 2, 3, 4, 5, 6]
    assert store.session(locked.sink.session_id)["status"] == "completed"
    assert any("busy" in s for s in said) and any("free again" in s for s in said)


def test_a_lock_held_past_the_session_keeps_the_reps_for_the_next_start(tmp_path, monkeypatch):
    # Held past its end: after the last wait the reps go to a side file, the person is told
    # where, and the next start puts them in.
    monkeypatch.setenv("REPTRACK_DATA_DIR", str(tmp_path / "data"))
    locked = LockedSession(tmp_path, monkeypatch, 7)
    locked.lock.take()
    try:
        summary = locked.run()
        assert len(summary.reps) == 3
        assert any("kept in" in note for note in summary.notes), summary.notes
        assert list((tmp_path / "data" / "unsaved").glob("session-*.json"))
    finally:
        locked.lock.release()
    nxt = start(BlankSource(1), Squatter(), specs.load("squat"), store=Store(locked.db))
    assert any("3 reps saved" in note for note in nxt.notes), nxt.notes
    store = Store(locked.db)
    sid = locked.sink.session_id
    assert [r["n"] for r in store.reps(sid)] == [1, 2, 3]
    assert store.session(sid)["status"] == "completed"
    assert not list((tmp_path / "data" / "unsaved").glob("session-*.json"))


def test_log_jsonl_writes_every_event_as_it_happens_and_a_failing_sink_stops_nothing(
    shared, tmp_path
):
    """A new output is one class and one line where the session is assembled: the event log
    sees what the store sees, in order; a sink that breaks mid-set is said once and the
    session, and its other sinks, go on."""
    video = shared / "videos" / "squat_tommy.mp4"
    log = tmp_path / "events.jsonl"
    asked = Request("squat", source=str(video), backend="replay",
                 pose={"landmarks": str(shared / "reference" / "squat_tommy.npz")},
                 log_jsonl=str(log), db=str(tmp_path / "s.db"))  # fmt: skip
    workout = open_exercise(asked)

    class Breaks:
        """An output that fails at the first rep (a disk full under it, say)."""

        closed = False

        def frame(self, r):
            if any(isinstance(e, RepCompleted) for e in r.events):
                raise OSError(28, "No space left on device")

        def close(self, status, reason):
            Breaks.closed = True  # let go of what it holds, though it failed
            raise OSError(28, "No space left on device")

        def notices(self):
            return []

    workout.sinks.append(Guarded(Breaks(), "the test output"))
    told: list[str] = []
    summary = run_seeing(workout, lambda r: told.extend(str(e.message) for e in r.events
                                                        if isinstance(e, SinkNotice)))  # fmt: skip
    assert len(summary.reps) == 3 and Breaks.closed
    assert told == ["the test output stopped: [Errno 28] No space left on device; the session "
                    "goes on"]  # fmt: skip
    assert not any("test output" in note for note in summary.notes)  # said once, not again
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    kinds = [line["event"] for line in lines]
    assert kinds[-1] == "SessionClosed" and lines[-1]["status"] == "completed"
    reps = [line["rep"] for line in lines if line["event"] == "RepCompleted"]
    assert [r["number"] for r in reps] == [1, 2, 3]
    assert "PhaseChanged" in kinds and kinds.index("RepCompleted") > kinds.index("PhaseChanged")
    stored = Store(tmp_path / "s.db").reps(summary.session_id)
    assert [r["end"] for r in stored] == pytest.approx([r["end"] for r in reps])


def test_log_jsonl_is_an_option_of_every_session_command(tmp_path):
    from reptrack.cli import build_parser

    for argv in (["squat"], ["workout", "core"], ["auto"]):
        if argv[0] == "squat":
            from reptrack.commands import session

            args = session.build_parser().parse_args([*argv, "--log-jsonl", "e.jsonl"])
        else:
            args = build_parser(argv[0]).parse_args([*argv, "--log-jsonl", "e.jsonl"])
        assert args.log_jsonl == "e.jsonl", argv
