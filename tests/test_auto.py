"""`reptrack auto`: three real clips of different exercises joined end to end are recognised
as three sets, each with its exercise and its count, and saved as one workout; the session
engine counts the reps seen while deciding; nothing is named where nobody is."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from conftest import replaying
from fakes import BlankSource, session, told_at_the_end
from reptrack.exercise import spec as specs
from reptrack.pose.dump import load_landmarks, replay
from reptrack.pose.types import ALL_KEYPOINTS
from reptrack.session.auto_run import AutoRun
from reptrack.store import Store
from reptrack.video.sources import Frame


def _cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    env = {"REPTRACK_DB": str(db), "PATH": ""}
    return subprocess.run([sys.executable, "-m", "reptrack", *args], capture_output=True,
                          text=True, env=env, timeout=600)  # fmt: skip


def test_three_exercises_in_a_row_are_three_sets_of_one_workout(
    joined, joined_landmarks, blazepose_models, tmp_path
):
    db = tmp_path / "s.db"  # the first run is the real model's, end to end
    done = _cli("auto", "--source", str(joined), "--no-tui", "--json", db=db)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    sets = report["sets"]
    assert [(s["exercise"], s["reps"]) for s in sets] == [("squat", 3), ("plank", 0), ("pushup", 4)]
    # The plank clip is 12 s in position; the push-up clip opens with 3-4 s in a plank before
    # the first push-up, and the plank goes on until the first push-up is counted.
    assert 12.0 - 1.5 <= sets[1]["held_seconds"] <= 12.0 + 6.0
    shown = json.loads(
        _cli("history", "workout", str(report["workout_id"]), "--json", db=db).stdout
    )
    assert [b["exercise"] for b in shown["blocks"]] == ["squat", "plank", "pushup"]
    replay = ("--backend", "replay", "--landmarks", str(joined_landmarks))
    text = _cli("auto", "--source", str(joined), *replay, "--no-tui", "--no-save", db=db)
    assert text.returncode == 0, text.stderr
    assert "set 1: Squat" in text.stdout and "set 3: Push-up" in text.stdout


class Nobody:
    """A pose model that never sees anyone."""

    keypoints: frozenset[str] = frozenset()
    title = "nobody"
    note = None

    def estimate(self, image, timestamp):
        return None

    def close(self) -> None:
        pass


class Frames:
    """Ten seconds of black frames."""

    description = "ten black seconds"

    def __init__(self) -> None:
        self.n = 0

    def read(self):
        if self.n >= 300:
            return None
        self.n += 1
        return Frame(np.zeros((8, 8, 3), np.uint8), self.n / 30, self.n)

    def close(self) -> None:
        pass


def test_nothing_is_named_and_no_set_started_when_nobody_is_there(tmp_path):
    store = Store(tmp_path / "s.db")
    run = AutoRun([specs.load("squat"), specs.load("plank")], Frames(), Nobody(), store=store)
    assert run.run() == []
    assert run.source_ended
    assert store.workouts()[0]["blocks"] == 0


class Replayed:
    """A pose model that gives MediaPipe's recorded landmarks of these videos, one after the
    other, a frame at a time."""

    keypoints = ALL_KEYPOINTS
    title = "replayed"
    note = None

    def __init__(self, shared: Path, *videos: str) -> None:
        runs = [load_landmarks(shared / "reference" / f"{video}.npz") for video in videos]
        self.poses = [pose for run in runs for _, pose in replay(run)]
        self.i = 0

    def estimate(self, image, timestamp):
        self.i += 1
        return self.poses[self.i - 1]

    def close(self) -> None:
        pass


def test_a_stream_of_one_rep_is_a_set_of_one_a_lone_rep_after_a_set_is_not(
    shared, tmp_path, capsys
):
    from reptrack.commands.session import print_summary

    among = [specs.load(name) for name in specs.available()]
    store = Store(tmp_path / "s.db")
    single = Replayed(shared, "curl_suyog")
    summaries = AutoRun(among, BlankSource(len(single.poses), fps=25.0), single, store=store).run()
    assert [(s.exercise, len(s.reps)) for s in summaries] == [("curl", 1)]
    assert len(store.reps(summaries[0].session_id)) == 1
    # counted from what was watched: no time or frame rate of its own to tell
    print_summary(summaries[0])
    assert capsys.readouterr().out.startswith("1 rep (1 clean), session 1 saved (101 frames)")
    after = Replayed(shared, "squat_ikram", "curl_suyog")  # the curl: a stray movement
    summaries = AutoRun(among, BlankSource(len(after.poses)), after).run()
    assert [(s.exercise, len(s.reps)) for s in summaries] == [("squat", 3)]


def test_a_set_counted_as_the_stream_ended_shows_its_rep_in_the_tui(shared, tmp_path):
    from reptrack.session.auto_run import ANY_EXERCISE
    from reptrack.session.request import Request
    from reptrack.tui.app import ReptrackApp
    from reptrack.tui.live import LiveScreen
    from tuikit import live_titles, text

    single = Replayed(shared, "curl_suyog")
    among = [specs.load(name) for name in specs.available()]
    run = AutoRun(among, BlankSource(len(single.poses), fps=25.0), single)
    app = ReptrackApp(Request(ANY_EXERCISE, db=str(tmp_path / "s.db")), auto_run=run)
    shown: list[str] = []

    def ended() -> None:  # the set line once the video has finished
        if isinstance(app.screen, LiveScreen) and "video finished" in text(app, "#camera"):
            shown.append(text(app, "SetProgress"))

    assert [t.split(" · ")[:2] for t in live_titles(app, ended)] == [["set 1", "Biceps curl"]]
    assert shown and shown[-1].split() == ["SET", "1", "1", "rep"]  # caught up, then told


def test_a_session_counts_the_poses_watched_before_it_began(shared, tmp_path):
    poses = list(replay(load_landmarks(shared / "reference" / "squat_tommy.npz")))
    store = Store(tmp_path / "s.db")
    workout = session(Frames(), Nobody(), specs.load("squat"), store=store, block=(0, 1))
    told = told_at_the_end(workout)
    workout.catch_up(poses)
    summary = workout.finish()
    assert len(summary.reps) == 3
    assert [e.rep.number for e in told if hasattr(e, "rep")] == [1, 2, 3]
    assert len(store.reps(summary.session_id)) == 3  # saved as counted


def test_auto_in_the_tui_is_a_live_screen_per_recognised_set(joined, joined_landmarks, tmp_path):
    from reptrack.session.auto_run import ANY_EXERCISE, open_auto_run
    from reptrack.session.request import Request
    from reptrack.tui.app import ReptrackApp
    from reptrack.tui.watch_screen import WatchScreen
    from tuikit import live_titles, text

    db = tmp_path / "s.db"
    asked = Request(ANY_EXERCISE, source=str(joined), db=str(db), **replaying(joined_landmarks))
    app = ReptrackApp(asked, auto_run=open_auto_run(asked))
    watched = []

    def watching() -> None:
        if isinstance(app.screen, WatchScreen) and not watched:
            watched.append(text(app, "#watch-text"))

    titles = live_titles(app, watching)
    assert "Watching for an exercise" in watched[0] and str(joined) in watched[0]
    assert [t.split(" · ")[:2] for t in titles] == [
        ["set 1", "Squat"], ["set 2", "Plank"], ["set 3", "Push-up"]
    ]  # fmt: skip
    assert [len(s.reps) for s in app.summaries] == [3, 0, 4]
    assert Store(db).workouts()[0]["blocks"] == 3


def test_the_home_screen_offers_any_exercise_first(tmp_home):
    from textual.widgets import OptionList

    from reptrack.session.auto_run import ANY_EXERCISE
    from reptrack.session.request import Request
    from reptrack.tui.app import ReptrackApp
    from reptrack.tui.home import HomeScreen
    from tuikit import SIZE, run, text

    app = ReptrackApp(Request("squat", target_reps=10))
    seen = {}

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            options = app.screen.query_one("#exercises", OptionList)
            assert options.get_option_at_index(0).id == ANY_EXERCISE
            options.highlighted = 0
            await pilot.pause()
            seen["description"] = text(app, "#description")
            assert isinstance(app.screen, HomeScreen)
            seen["plan"] = app.screen.chosen_plan()
            await pilot.press("q")

    run(scenario())
    assert "names the exercise once it has repeated" in seen["description"]
    assert seen["plan"].exercise == ANY_EXERCISE and seen["plan"].target_reps is None


def test_q_on_a_set_recognised_from_home_goes_back_home(
    joined, joined_landmarks, tmp_home, monkeypatch
):
    from textual.widgets import OptionList

    from reptrack.session.auto_run import ANY_EXERCISE
    from reptrack.session.request import Request
    from reptrack.tui.app import ReptrackApp
    from reptrack.tui.home import HomeScreen
    from reptrack.tui.live import LiveScreen
    from tuikit import SIZE, at_camera_pace, run, until

    at_camera_pace(monkeypatch)  # else the squats' set could be over before q is pressed
    db = tmp_home / "s.db"
    app = ReptrackApp(
        Request("squat", source=str(joined), db=str(db), **replaying(joined_landmarks))
    )
    seen = {}

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, HomeScreen))
            options = app.screen.query_one("#exercises", OptionList)
            options.highlighted = [o.id for o in options.options].index(ANY_EXERCISE)
            await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, LiveScreen), timeout=90)
            await pilot.press("q")  # the squats' set: ends the run, not the app
            await until(pilot, lambda: isinstance(app.screen, HomeScreen), timeout=60)
            seen["running"], seen["auto"] = app.is_running, app.auto_run
            await pilot.press("q")

    run(scenario())
    assert seen["running"] and seen["auto"] is None
    assert app.summaries[0].exercise == "squat" and len(app.summaries) == 1
    assert Store(db).workouts()[0]["blocks"] == 1
