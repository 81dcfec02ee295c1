"""The TUI under Textual's own harness (run_test, Pilot, snapshots), driven by a recorded or
synthetic source and pose model: every screen and every key."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import DataTable, Input, OptionList

from fakes import RecordedPoses, session
from reptrack.exercise import spec as specs
from reptrack.session.request import Request
from reptrack.store import Store
from reptrack.tui.app import ReptrackApp
from reptrack.tui.history_screen import Ask, Confirm, HistoryScreen, SessionScreen
from reptrack.tui.home import HomeScreen
from reptrack.tui.live import LiveScreen
from reptrack.tui.live_options import LiveOptions
from reptrack.tui.widgets import BigCount
from reptrack.video.sources import FileSource
from tuikit import SIZE, SteadySession, fake_session, run, text, until


# -- the live screen ----------------------------------------------------------------------
def test_a_video_is_counted_to_the_end_and_q_saves_it(tmp_path):
    db = tmp_path / "s.db"
    app = ReptrackApp(Request("squat", db=str(db)), workout=fake_session(db))

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await until(pilot, lambda: "video finished" in text(app, "#camera"))
            assert app.screen.query_one("#count", BigCount).value == "3"
            assert "3 clean" in text(app, "#quality") and "0 flagged" in text(app, "#quality")
            await pilot.press("q")
            await pilot.pause()

    run(scenario())
    assert app.return_value is not None and len(app.return_value.reps) == 3
    row = Store(db).sessions()[0]
    assert (row["status"], row["reps"]) == ("completed", 3)


def test_q_in_the_middle_of_a_set_stops_the_loop_and_saves(tmp_path):
    db = tmp_path / "s.db"
    workout = fake_session(db, frames=30 * 60, live=True)
    app = ReptrackApp(Request("squat", db=str(db)), workout=workout)

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.screen.count >= 1)
            await pilot.press("q")
            await until(pilot, lambda: app.return_value is not None)

    run(scenario())
    assert workout.source.closed and workout.frames < 30 * 60
    row = Store(db).sessions()[0]
    assert row["status"] == "completed" and row["reps"] == len(app.return_value.reps) >= 1


@pytest.mark.parametrize("from_home", [False, True])
def test_a_stop_signal_saves_the_session_and_quits(tmp_path, from_home):
    # SIGTERM or SIGHUP (a closed terminal) call stop_soon(): the same as pressing q, then
    # the app quits, also when the workout was started from the home screen.
    db = tmp_path / "s.db"
    workout = fake_session(db, frames=30 * 60, live=True)
    app = ReptrackApp(
        Request("squat", db=str(db)),
        workout=None if from_home else workout,
        opener=lambda plan: workout,
    )

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            if from_home:
                await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, LiveScreen) and app.screen.count >= 1)
            app.stop_soon()
            await until(pilot, lambda: not app.is_running)

    run(scenario())
    assert workout.source.closed and workout.frames < 30 * 60
    row = Store(db).sessions()[0]
    assert row["status"] == "completed" and row["reps"] >= 1


def test_on_a_tiny_terminal_the_next_step_stays_in_view_and_the_set_clock_stops(tmp_path):
    db = tmp_path / "s.db"
    now = [100.0]
    app = ReptrackApp(
        Request("squat", db=str(db)),
        workout=fake_session(db),
        live=LiveOptions(clock=lambda: now[0]),
    )

    async def scenario():
        async with app.run_test(size=(40, 10)) as pilot:
            await app.workers.wait_for_complete()
            await until(pilot, lambda: "video finished" in text(app, "#camera"))
            camera = app.screen.query_one("#camera").region
            assert camera.height == 1 and 0 < camera.y < 9  # above the footer, on screen
            now[0] += 30
            await pilot.pause(0.6)
            shown = text(app, "#timers")
            now[0] += 120  # the wall clock goes on after the video: the set's must not
            await pilot.pause(0.6)
            assert text(app, "#timers") == shown

    run(scenario())


def test_space_pauses_and_resumes_the_loop(tmp_path):
    workout = fake_session(tmp_path / "s.db", frames=30 * 60, live=True)
    app = ReptrackApp(Request("squat"), workout=workout)

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: workout.frames > 5)
            await pilot.press("space")
            assert "PAUSED" in text(app, "#camera")
            await pilot.pause(0.2)
            frames = workout.frames
            await pilot.pause(0.5)
            assert workout.frames == frames
            await pilot.press("space")
            await until(pilot, lambda: workout.frames > frames)
            assert "PAUSED" not in text(app, "#camera")
            await pilot.press("q")

    run(scenario())


def test_u_undoes_the_last_rep_and_n_starts_the_next_set(tmp_path):
    db = tmp_path / "s.db"
    workout = fake_session(db, frames=30 * 60, live=True, planned_sets=3)
    app = ReptrackApp(Request("squat", db=str(db), sets=3), workout=workout)

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.screen.count == 1)
            await pilot.press("u")  # the engine takes it back, and the screen shows that
            await until(pilot, lambda: app.screen.query_one("#count", BigCount).value == "0")
            await until(pilot, lambda: Store(db).sessions()[0]["reps"] == 0)
            await pilot.press("n")
            await until(pilot, lambda: "SET 2/3" in text(app, "#progress"))
            assert workout.set_number == 2
            await pilot.press("u")  # nothing to undo in a fresh set
            await pilot.pause()
            assert any("no rep to undo" in n.message for n in app._notifications)
            await until(pilot, lambda: app.screen.count == 1)
            await pilot.press("q")
            await until(pilot, lambda: app.return_value is not None)

    run(scenario())
    reps = Store(db).reps(workout.session_id)
    assert [r["set_number"] for r in reps] == [2] * len(reps) and len(reps) >= 1


def test_reaching_the_target_starts_the_rest_then_the_next_set(tmp_path):
    workout = fake_session(
        tmp_path / "s.db", frames=30 * 60, live=True, target_reps=1, planned_sets=3, rest=1.0
    )
    app = ReptrackApp(Request("squat", target_reps=1, sets=3, rest=1.0), workout=workout)

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.screen.count == 1)
            await until(pilot, lambda: "rest" in text(app, "#timers"))
            await until(pilot, lambda: workout.set_number == 2, timeout=5)
            await until(pilot, lambda: "REST OVER" in text(app, "#warning").upper())
            assert "SET 2/3" in text(app, "#progress")
            await pilot.press("q")

    run(scenario())


def test_p_without_a_display_says_the_preview_is_unavailable(tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    workout = fake_session(tmp_path / "s.db", frames=30 * 60, live=True)
    app = ReptrackApp(Request("squat"), workout=workout)

    async def scenario():
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await until(pilot, lambda: workout.frames > 2)
            await pilot.press("p")
            await until(pilot, lambda: "preview unavailable" in text(app, "#speed"))
            assert any("no display" in n.message for n in app._notifications)
            frames = workout.frames
            await until(pilot, lambda: workout.frames > frames + 10)  # and it carries on
            await pilot.press("q")

    run(scenario())


def test_a_recorded_real_video_is_counted_on_the_live_screen(shared, tmp_path):
    """MediaPipe's own landmarks of a real squat video, replayed frame by frame."""
    video = shared / "videos" / "squat_tommy.mp4"
    workout = session(
        FileSource(video),
        RecordedPoses(shared / "reference" / "squat_tommy.npz"),
        specs.load("squat"),
        store=Store(tmp_path / "s.db"),
    )
    app = ReptrackApp(Request("squat"), workout=workout)

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await until(pilot, lambda: "video finished" in text(app, "#camera"))
            assert app.screen.query_one("#count", BigCount).value == "3"
            await pilot.press("q")

    run(scenario())
    assert len(app.return_value.reps) == 3


# -- history --------------------------------------------------------------------------------
def _history(db: Path, sessions: int = 2) -> Store:
    for _ in range(sessions):
        fake_session(db).run()
    store = Store(db)
    for sid in range(1, sessions + 1):  # fixed times, so snapshots do not change
        store.db.execute(
            "UPDATE sessions SET started_at = ?, ended_at = ?, seconds = ? WHERE id = ?",
            [f"2026-11-2{sid}T07:30:00.000+00:00", f"2026-11-2{sid}T07:31:05.000+00:00", 65.0, sid],
        )
    store.db.conn.commit()
    return store


def test_history_lists_sessions_and_opens_one_with_its_reps_and_chart(tmp_path):
    db = tmp_path / "h.db"
    _history(db)
    app = ReptrackApp(Request("squat", db=str(db)))

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("h")
            assert isinstance(app.screen, HistoryScreen)
            table = app.screen.query_one(DataTable)
            assert table.row_count == 2
            cells = [str(cell) for cell in table.get_row_at(0)]  # user text is literal Text
            assert cells[:4] == ["2", "2026-11-22 07:30", "squat", "3"]
            assert cells[4:6] == ["100 %", "1:05"]
            await pilot.press("enter")
            assert isinstance(app.screen, SessionScreen)
            reps = app.screen.query_one("#reps", DataTable)
            assert reps.row_count == 3 and str(reps.get_row_at(0)[-1]) == "clean"
            assert "Session 2" in text(app, "#title")
            await pilot.press("escape")
            assert isinstance(app.screen, HistoryScreen)

    run(scenario())


def test_rescore_with_an_edited_definition_and_save(tmp_path):
    db = tmp_path / "h.db"
    _history(db, 1)
    edited = tmp_path / "strict.toml"
    text_ = specs.load("squat").text.replace("turn = 110", "turn = 75")
    edited.write_text(text_)
    app = ReptrackApp(Request("squat", db=str(db)))

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            app.push_screen(SessionScreen(Store(db), 1))
            await pilot.pause()
            await pilot.press("r")
            assert isinstance(app.screen, Ask)
            app.screen.query_one(Input).value = str(edited)
            await pilot.press("enter")
            await app.workers.wait_for_complete()  # re-scoring runs off the UI thread
            await pilot.pause()
            assert "3 reps (3 clean) → 0 reps" in text(app, "#rescore")
            await pilot.press("s")
            await pilot.pause()
            assert app.screen.query_one("#reps", DataTable).row_count == 0

    run(scenario())
    assert Store(db).session(1)["reps"] == 0


def test_rescore_with_the_stored_definition_gives_the_same_reps(tmp_path):
    db = tmp_path / "h.db"
    _history(db, 1)
    app = ReptrackApp(Request("squat", db=str(db)))

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            app.push_screen(SessionScreen(Store(db), 1))
            await pilot.pause()
            await pilot.press("r", "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "3 reps (3 clean) → 3 reps (3 clean)" in text(app, "#rescore")

    run(scenario())


def test_delete_asks_first(tmp_path):
    db = tmp_path / "h.db"
    _history(db)
    app = ReptrackApp(Request("squat", db=str(db)))

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("h", "d")
            assert isinstance(app.screen, Confirm)
            await pilot.press("n")
            assert app.screen.query_one(DataTable).row_count == 2
            await pilot.press("d")
            await pilot.press("y")
            await pilot.pause()
            assert app.screen.query_one(DataTable).row_count == 1

    run(scenario())
    assert [s["id"] for s in Store(db).sessions()] == [1]


def test_export_from_history_writes_the_file(tmp_path):
    db = tmp_path / "h.db"
    _history(db)
    out = tmp_path / "all.json"
    app = ReptrackApp(Request("squat", db=str(db)))

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("h", "e")
            app.screen.query_one(Input).value = str(out)
            await pilot.press("enter")
            await pilot.pause()

    run(scenario())
    data = json.loads(out.read_text())
    assert [s["id"] for s in data] == [1, 2] and len(data[0]["rep_details"]) == 3


def test_history_says_when_the_database_cannot_be_opened(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("not a database\n")
    app = ReptrackApp(Request("squat", db=str(bad)))

    async def scenario():
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.press("h")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            assert any("not an SQLite file" in n.message for n in app._notifications)

    run(scenario())
    assert bad.read_text() == "not a database\n"


# -- snapshots ------------------------------------------------------------------------------
def _settled():
    async def run_before(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await until(pilot, lambda: "finished" in text(pilot.app, "#camera"))

    return run_before


def _planned_session(tmp_path: Path) -> ReptrackApp:
    workout = fake_session(tmp_path / "s.db", cls=SteadySession, target_reps=5, planned_sets=3)
    return ReptrackApp(
        Request("squat", target_reps=5, sets=3),
        workout=workout,
        live=LiveOptions(clock=lambda: 0.0),
    )


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_snapshot_live_screen(snap_compare, tmp_path, size):
    # 120×40: the count beside the camera view; 80×24: no room for the view, the count alone.
    assert snap_compare(_planned_session(tmp_path), terminal_size=size, run_before=_settled())


@pytest.mark.parametrize(("size", "rows"), [((120, 40), 14), ((80, 24), 7)])
def test_the_count_is_drawn_as_large_as_the_screen_allows(tmp_path, size, rows):
    # At 120×40 the digits stand at least a third of the screen's height.
    app = _planned_session(tmp_path)

    async def scenario():
        async with app.run_test(size=size) as pilot:
            await _settled()(pilot)
            drawn = [line for line in text(app, "#count").splitlines() if "█" in line]
            assert len(drawn) >= rows, "\n".join(drawn)
            view = app.screen.query_one("#view")
            assert view.display == (size == (120, 40))
            await pilot.press("q")

    run(scenario())


def test_snapshot_history_screen(snap_compare, tmp_path):
    db = tmp_path / "h.db"
    _history(db)

    async def open_history(pilot) -> None:
        await pilot.press("h")

    app = ReptrackApp(Request("squat", db=str(db)))
    assert snap_compare(app, terminal_size=SIZE, run_before=open_history)


def test_snapshot_session_screen(snap_compare, tmp_path):
    db = tmp_path / "h.db"
    _history(db, 1)

    async def open_session(pilot) -> None:
        await pilot.press("h", "enter")

    app = ReptrackApp(Request("squat", db=str(db)))
    assert snap_compare(app, terminal_size=SIZE, run_before=open_session)


def test_the_gauge_shows_the_angle_and_both_thresholds():
    from textual.app import App

    from reptrack.tui.widgets import AngleGauge

    class One(App):
        def compose(self):
            yield AngleGauge("knee", start=140, turn=110)

    async def scenario():
        app = One()
        async with app.run_test(size=(80, 4)) as pilot:
            gauge = app.query_one(AngleGauge)
            gauge.value = 100.0
            await pilot.pause()
            bar, scale = str(gauge.render()).split("\n")
            assert bar.startswith("knee ") and bar.endswith(" 100°")
            assert bar.count("S") == 1 and bar.count("T") == 1 and bar.index("T") < bar.index("S")
            assert "turn 110" in scale and "start 140" in scale
            filled = bar.count("█")
            gauge.value = 160.0
            await pilot.pause()
            assert str(gauge.render()).split("\n")[0].count("█") > filled
            gauge.value = float("nan")
            await pilot.pause()
            assert "—°" in str(gauge.render())

    run(scenario())


# -- teaching from the home screen ---------------------------------------------------------
def _replay(npz: Path):
    from reptrack.teach.demonstration import from_landmarks

    def recorder(plan, enough, status):
        status("reading the video: frame 1")
        return from_landmarks(npz)

    return recorder


def test_learn_from_the_home_screen_writes_the_exercise_and_lists_it(shared, tmp_home):
    app = ReptrackApp(Request("squat"), recorder=_replay(shared / "reference" / "squat_luiz2.npz"))

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("l")
            await until(pilot, lambda: app.screen.query("#teach-name"))
            await pilot.press(*"knee_bends", "enter")
            await until(pilot, lambda: "wrote" in text(app, "#teach-result"), timeout=60)
            assert "found 6 reps" in text(app, "#teach-result")
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, HomeScreen))
            names = [o.id for o in app.screen.query_one(OptionList).options]
            assert "knee_bends" in names

    run(scenario())
    assert (tmp_home / "config" / "exercises" / "knee_bends.toml").is_file()


def test_calibrate_from_the_home_screen_and_a_refusal_in_red(shared, tmp_home):
    quarter = shared / "reference" / "squat_dillonQ.npz"
    app = ReptrackApp(Request("squat"), recorder=_replay(quarter))

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("c")
            await until(pilot, lambda: "wrote" in text(app, "#teach-result"), timeout=60)
            assert "turn 110 →" in text(app, "#teach-result")
            await pilot.press("escape")
            await pilot.press("l")
            await until(pilot, lambda: app.screen.query("#teach-name"))
            await pilot.press(*"curl", "enter")  # a shipped name: refused before recording
            await until(pilot, lambda: "shipped exercise" in text(app, "#teach-result"))
            assert app.screen.query_one("#teach-result").has_class("error")

    run(scenario())
    assert (
        (tmp_home / "config" / "exercises" / "squat.toml")
        .read_text()
        .startswith("# Calibrated by `reptrack calibrate`")
    )


def test_the_camera_view_shows_the_annotated_frame_and_v_hides_it(tmp_path):
    workout = fake_session(tmp_path / "s.db", frames=30 * 30, live=True)
    app = ReptrackApp(Request("squat"), workout=workout)

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            view = screen.query_one("#view")
            picture = view.query_one("#picture")
            await until(pilot, lambda: picture.image is not None)
            width, height = picture.image.size
            assert (width, height) == screen.controls.view_size
            assert abs(width - height) <= 1  # the square test frames keep their shape
            shown = np.asarray(picture.image)
            assert (shown != 0).any()  # the skeleton drawn on the black frame
            await pilot.press("v")
            await pilot.pause()
            assert not view.display and screen.controls.view_size is None
            await pilot.press("v")
            await until(pilot, lambda: screen.controls.view_size is not None)
            assert view.display
            await pilot.press("q")

    run(scenario())


def test_a_damaged_session_in_the_history_is_a_message_not_a_crash(tmp_path):
    import sqlite3

    db = tmp_path / "d.db"
    app = ReptrackApp(Request("squat", db=str(db)), workout=fake_session(db))
    run(_count_and_leave(app))
    sqlite3.connect(db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[2 * page + 8 : 2 * page + 200] = b"\xab" * 192  # the reps table's first page
    db.write_bytes(bytes(data))
    store = Store(db)
    history = ReptrackApp(Request("squat", db=str(db)))

    async def scenario():
        async with history.run_test(size=SIZE, notifications=True) as pilot:
            history.push_screen(SessionScreen(store, 1))
            await pilot.pause()
            await until(
                pilot, lambda: any("is damaged" in n.message for n in history._notifications)
            )
            assert not isinstance(history.screen, SessionScreen)

    run(scenario())


async def _count_and_leave(app):
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await until(pilot, lambda: "video finished" in text(app, "#camera"))
        await pilot.press("q")
        await pilot.pause()
