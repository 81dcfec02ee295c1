"""Workout plans: the plan files, and a plan run block by block on three real videos joined
end to end, headless and in the TUI, saved as one workout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import replaying
from reptrack.errors import ReptrackError, SpecError
from reptrack.exercise import spec as specs
from reptrack.session import plans
from reptrack.session.plan_run import open_plan_run
from reptrack.session.request import Request
from reptrack.store import Store
from reptrack.tui.app import ReptrackApp
from tuikit import live_titles

# One block per clip of `joined` (conftest), each done within its clip: the next block starts
# on the next one. The clips are cut end to end, so no rest after a block.
PLAN = """
title = "Three in a row"
[[block]]
exercise = "squat"
sets = 1
reps = 3
rest_after = 0
[[block]]
exercise = "plank"
sets = 1
seconds = 8
rest_after = 0
[[block]]
exercise = "pushup"
sets = 1
reps = 4
"""


@pytest.fixture
def plan_file(tmp_path) -> Path:
    path = tmp_path / "three.toml"
    path.write_text(PLAN)
    return path


# -- the files -------------------------------------------------------------------------------
def test_the_shipped_plans_are_valid_and_name_shipped_exercises():
    found = plans.available()
    assert {"full_body", "core", "upper_body"} <= set(found)
    for name in found:
        plan = plans.load(name)
        assert plan.blocks and plan.title
        for block in plan.blocks:
            spec = specs.load(block.exercise)
            assert (block.seconds is not None) == spec.is_hold
            assert (block.reps is not None) != spec.is_hold and block.sets >= 1


def test_a_block_rests_after_its_sets_as_long_as_it_says_else_90_s():
    plan = plans.parse(
        '[[block]]\nexercise = "squat"\nsets = 1\nreps = 2\n'
        '[[block]]\nexercise = "squat"\nsets = 1\nreps = 2\nrest_after = 20\n'
    )
    assert [b.rest_after for b in plan.blocks] == [90.0, 20.0]
    with pytest.raises(SpecError, match=r"rest_after"):
        plans.parse('[[block]]\nexercise = "squat"\nsets = 1\nreps = 2\nrest_after = -1\n')


def test_the_next_block_starts_when_the_rest_after_the_last_is_over():
    from fakes import BlankSource, Squatter
    from reptrack.session.plan_run import PlanRun

    plan = plans.parse(
        '[[block]]\nexercise = "squat"\nsets = 1\nreps = 2\nrest_after = 7\n'
        '[[block]]\nexercise = "squat"\nsets = 1\nreps = 2\nrest_after = 7\n'
    )
    run = PlanRun(plan, BlankSource(30 * 30), Squatter(period=2.0))
    first, second = run.run()
    # a rep every 2 s: the first block's sets are done with its second rep, and its rest of
    # 7 s goes by (a rep in it counts to the block) before the second block begins
    done = first.reps[1].end
    assert len(first.reps) >= 2 and len(second.reps) == 2
    assert second.reps[0].start >= done + 7.0
    # the second block's set is timed from the block's start, not the stream's
    assert second.set_details[0]["seconds"] == pytest.approx(
        second.reps[-1].end - done - 7.0, abs=0.2
    )


def test_the_live_screen_says_the_rest_after_a_block_and_moves_on_after_it(monkeypatch):
    from fakes import BlankSource, Squatter
    from reptrack.session.plan_run import PlanRun
    from reptrack.tui.widgets import WarningLine

    warned: list[str] = []  # every line the screen shows, recorded as it is shown
    warn = WarningLine.warn

    def recorded(self, text: str, *rest) -> None:
        warned.append(text)
        warn(self, text, *rest)

    monkeypatch.setattr(WarningLine, "warn", recorded)
    plan = plans.parse(
        '[[block]]\nexercise = "squat"\nsets = 1\nreps = 2\nrest_after = 3\n'
        '[[block]]\nexercise = "squat"\nsets = 1\nreps = 2\n'
    )
    app = ReptrackApp(Request("squat"), plan_run=PlanRun(plan, BlankSource(30 * 15), Squatter()))
    titles = live_titles(app)
    assert [t.split(" · ")[0] for t in titles] == ["block 1/2", "block 2/2"]
    assert warned.count("block done — rest, then the next block (n: start it now)") == 1
    assert "workout complete — press q to save" not in warned  # (a block is not the workout)


def test_a_broken_plan_says_every_problem_at_once(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[[block]]\nexercise = "sqat"\nsets = 3\nreps = 10\n'
        '[[block]]\nexercise = "plank"\nsets = 2\nreps = 10\n'
        '[[block]]\nexercise = "squat"\nsets = 0\nseconds = 30\nrestt = 5\n'
    )
    with pytest.raises(SpecError) as info:
        plans.load(str(path))
    problems = "\n".join(info.value.problems)
    for expected in ("block[0].exercise", "did you mean 'squat'", "block[1].reps (line 8)",
                     "timed hold", "block[2].sets", "counts reps", "block[2].restt"):  # fmt: skip
        assert expected in problems
    with pytest.raises(ReptrackError, match="unknown workout plan 'ful_body'"):
        plans.load("ful_body")


# -- a run -----------------------------------------------------------------------------------
def _cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    env = {"REPTRACK_DB": str(db), "PATH": ""}
    return subprocess.run([sys.executable, "-m", "reptrack", *args], capture_output=True,
                          text=True, env=env, timeout=600)  # fmt: skip


def test_a_plan_runs_block_by_block_headless_and_is_one_workout(
    joined, plan_file, blazepose_models, tmp_path
):
    db = tmp_path / "s.db"
    done = _cli("workout", str(plan_file), "--source", str(joined), "--no-tui", "--json", db=db)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    got = [(b["exercise"], b["reps"], round(b.get("held_seconds", 0))) for b in report["blocks"]]
    assert got == [("squat", 3, 0), ("plank", 0, 8), ("pushup", 4, 0)]
    shown = json.loads(
        _cli("history", "workout", str(report["workout_id"]), "--json", db=db).stdout
    )
    assert [b["exercise"] for b in shown["blocks"]] == ["squat", "plank", "pushup"]
    assert [b["block"] for b in shown["blocks"]] == [1, 2, 3]
    listed = _cli("workout", "list", db=db)
    assert listed.returncode == 0 and "full_body" in listed.stdout


def test_a_plan_runs_in_the_tui_one_live_screen_per_block(
    joined, joined_landmarks, plan_file, tmp_path
):
    db = tmp_path / "s.db"
    asked = Request("squat", source=str(joined), db=str(db), **replaying(joined_landmarks))
    plan_run = open_plan_run(plans.load(str(plan_file)), asked)
    app = ReptrackApp(asked, plan_run=plan_run)
    titles = live_titles(app)
    assert [t.split(" · ")[0] for t in titles] == ["block 1/3", "block 2/3", "block 3/3"]
    assert "next: Plank 1 × 8 s" in titles[0] and "last block" in titles[2]
    assert [len(s.reps) for s in app.summaries] == [3, 0, 4]
    assert Store(db).workouts()[0]["blocks"] == 3


# -- a shipped plan, followed by recognition -------------------------------------------------
# The clips are cut end to end: a person does not jump from standing into a plank, and the
# cut into the push-ups reads as a short push-up to the counter (counts within one).
def test_a_shipped_plan_moves_on_when_the_next_exercise_begins(
    joined_full_body, joined_full_body_landmarks, tmp_path
):
    db = tmp_path / "s.db"
    replay = ("--backend", "replay", "--landmarks", str(joined_full_body_landmarks))
    done = _cli("workout", "full_body", "--recognize", "--source", str(joined_full_body),
                *replay, "--no-tui", "--json", db=db)  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    blocks = report["blocks"]
    assert [b["exercise"] for b in blocks] == ["squat", "pushup", "lunge", "plank"]
    assert blocks[0]["reps"] == 3 and abs(blocks[1]["reps"] - 4) <= 1
    assert blocks[2]["reps"] == 8  # every lunge: the ones seen while recognising included
    assert blocks[3]["held_seconds"] == pytest.approx(12.0, abs=1.5)
    shown = json.loads(
        _cli("history", "workout", str(report["workout_id"]), "--json", db=db).stdout
    )
    assert [b["block"] for b in shown["blocks"]] == [1, 2, 3, 4]
    # Without --recognize the plan waits for 3 × 12 squats: the video ends in the first block.
    plain = _cli("workout", "full_body", "--source", str(joined_full_body), *replay, "--no-tui",
                 "--json", "--no-save", db=db)  # fmt: skip
    assert [b["exercise"] for b in json.loads(plain.stdout)["blocks"]] == ["squat"]


def test_a_shipped_plan_with_recognition_runs_in_the_tui(
    joined_full_body, joined_full_body_landmarks, tmp_path
):
    db = tmp_path / "s.db"
    asked = Request("squat", source=str(joined_full_body), db=str(db),
                 **replaying(joined_full_body_landmarks))  # fmt: skip
    app = ReptrackApp(asked, plan_run=open_plan_run(plans.load("full_body"), asked, recognize=True))
    titles = live_titles(app)
    assert [t.split(" · ")[0] for t in titles] == [
        "block 1/4",
        "block 2/4",
        "block 3/4",
        "block 4/4",
    ]
    assert [len(s.reps) for s in app.summaries][::2] == [3, 8]
    assert Store(db).workouts()[0]["blocks"] == 4


# -- a plan from the home screen ---------------------------------------------------------------
def _from_home(app: ReptrackApp, option: str, quit_first_block: bool) -> dict:
    """Start `option` on the home screen, leave each live screen with `q` once its video has
    finished (or the first one at once), and stop once back home."""
    from textual.widgets import OptionList

    from reptrack.tui.home import HomeScreen
    from reptrack.tui.live import LiveScreen
    from tuikit import SIZE, run, shown_screens, text, title_of, until

    seen: dict = {}
    screens = shown_screens(app, LiveScreen)

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, HomeScreen))
            options = app.screen.query_one("#exercises", OptionList)
            options.highlighted = [o.id for o in options.options].index(option)
            await pilot.pause()
            seen["description"] = text(app, "#description")
            await pilot.press("s")
            await until(pilot, lambda: bool(screens), timeout=60)  # (it may be over already)
            while isinstance(app.screen, LiveScreen) or app.plan_run is not None:
                if isinstance(app.screen, LiveScreen) and (
                    quit_first_block or "video finished" in text(app, "#camera")
                ):
                    await pilot.press("q")
                await pilot.pause(0.05)
            await until(pilot, lambda: isinstance(app.screen, HomeScreen))
            seen["last"] = text(app, "#last")
            seen["running"] = app.is_running
            await pilot.press("q")

    run(scenario())
    seen["titles"] = [title_of(screen) for screen in screens]
    return seen


@pytest.fixture
def home_app(joined, joined_landmarks, tmp_home) -> ReptrackApp:
    """The home screen on the joined clips (their landmarks replayed), with PLAN among the
    user's plans as "three"."""
    (tmp_home / "config" / "plans").mkdir(parents=True)
    (tmp_home / "config" / "plans" / "three.toml").write_text(PLAN)
    asked = Request("squat", source=str(joined), db=str(tmp_home / "s.db"),
                 **replaying(joined_landmarks))  # fmt: skip
    return ReptrackApp(asked)


def test_a_plan_starts_from_the_home_screen_and_ends_back_there(home_app):
    seen = _from_home(home_app, "plan:three", quit_first_block=False)
    assert "squat 1 × 3 reps, plank 1 × 8 s, pushup 1 × 4 reps" in seen["description"]
    assert [t.split(" · ")[0] for t in seen["titles"]] == ["block 1/3", "block 2/3", "block 3/3"]
    assert [len(s.reps) for s in home_app.summaries] == [3, 0, 4]
    assert seen["running"] and seen["last"].startswith("Saved: pushup · 4 reps")
    assert Store(home_app.plan.db).workouts()[0]["blocks"] == 3


def test_q_in_a_plan_started_at_home_ends_the_plan_not_the_app(home_app, monkeypatch):
    from tuikit import at_camera_pace

    at_camera_pace(monkeypatch)  # else the first block could be over before q is pressed
    seen = _from_home(home_app, "plan:three", quit_first_block=True)
    assert [t.split(" · ")[0] for t in seen["titles"]] == ["block 1/3"]
    assert seen["running"], "q ends the plan and goes home; the app goes on"
    assert Store(home_app.plan.db).workouts()[0]["blocks"] == 1
