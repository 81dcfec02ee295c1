"""The home screen under Textual's harness: its keys act whatever has focus, the source and
targets are edited in a dialog, and the session just saved is shown on return."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Button, Checkbox, Input, OptionList, Static

from reptrack.errors import SourceError
from reptrack.session.engine import Session
from reptrack.session.request import Request
from reptrack.tui.app import ReptrackApp
from reptrack.tui.editor import PlanEditor
from reptrack.tui.history_screen import HistoryScreen
from reptrack.tui.home import HomeScreen
from reptrack.tui.live import LiveScreen
from tuikit import SIZE, fake_session, run, text, until


def _focusable(app: ReptrackApp) -> list[str]:
    """The ids of everything on the home screen that can take focus."""
    return [w.id for w in app.screen.query("*") if w.focusable and w.id]


def _recording(tmp_path: Path) -> tuple[list[Request], Callable[[Request], Session]]:
    """An opener that keeps every request it is asked to start and runs a fake session."""
    chosen: list[Request] = []

    def opener(plan: Request) -> Session:
        chosen.append(plan)
        return fake_session(tmp_path / "s.db")

    return chosen, opener


def test_s_and_h_act_whatever_has_focus(tmp_path):
    started: list[Request] = []

    def opener(plan: Request) -> Session:
        started.append(plan)
        raise SourceError("no camera here")  # the home screen stays; enough to see the start

    app = ReptrackApp(Request("squat", db=str(tmp_path / "h.db")), opener=opener)

    async def scenario():
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            ids = _focusable(app)
            assert {"exercises", "voice", "start", "edit", "history"} <= set(ids)
            for n, widget_id in enumerate(ids, start=1):
                app.screen.query_one(f"#{widget_id}").focus()
                await pilot.pause()
                await pilot.press("h")
                await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
                await pilot.press("escape")
                await until(pilot, lambda: isinstance(app.screen, HomeScreen))
                app.screen.query_one(f"#{widget_id}").focus()
                await pilot.press("s")
                await until(pilot, lambda n=n: len(started) == n)
                await app.workers.wait_for_complete()
                assert app.screen.focused is not None and app.screen.focused.id == widget_id

    run(scenario())
    assert all(p.source == "0" for p in started)  # no key was typed into the source


def test_the_editor_sets_source_and_targets_and_start_uses_them(tmp_path):
    chosen, opener = _recording(tmp_path)
    app = ReptrackApp(Request("squat"), opener=opener)

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            options = app.screen.query_one(OptionList)
            names = [o.id for o in options.options]
            assert {"squat", "curl"} <= set(names)
            options.highlighted = names.index("curl")
            await pilot.press("e")
            assert isinstance(app.screen, PlanEditor)
            app.screen.query_one("#source", Input).value = ""
            await pilot.click("#source")
            await pilot.press(*"shh [b]clip.mp4", "tab", "8", "tab", "3", "enter")
            await until(pilot, lambda: isinstance(app.screen, HomeScreen))
            shown = str(app.screen.query_one("#plan", Static).render())
            assert "shh [b]clip.mp4" in shown and "8 reps a set, 3 sets" in shown
            await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, LiveScreen))
            await app.workers.wait_for_complete()
            await until(pilot, lambda: "finished" in text(app, "#camera"))
            await pilot.press("q")
            await until(pilot, lambda: isinstance(app.screen, HomeScreen))
            saved = str(app.screen.query_one("#last", Static).render())
            assert "Saved: squat · 3 reps, 3 clean" in saved and "(session 1)" in saved
            assert app.screen.focused is app.screen.query_one("#exercises")

    run(scenario())
    plan = chosen[0]
    assert (plan.exercise, plan.source, plan.target_reps, plan.sets) == (
        "curl", "shh [b]clip.mp4", 8, 3,
    )  # fmt: skip
    assert len(app.summaries) == 1


def test_the_pose_model_is_chosen_in_the_editor_as_on_the_command_line(tmp_path):
    """The home screen offers what `--backend` and `--model` do, with the same default, and
    the session starts with the model chosen."""
    from textual.widgets import Select

    chosen, opener = _recording(tmp_path)
    app = ReptrackApp(Request("squat"), opener=opener)

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            assert "BlazePose full" in text(app, "#plan")  # the command line's default
            await pilot.press("e")
            assert isinstance(app.screen, PlanEditor)
            menu = app.screen.query_one("#pose", Select)
            keys = [key for _, key in menu._options]
            assert keys[:3] == ["blazepose:model=full", "blazepose:model=lite",
                                "blazepose:model=heavy"]  # fmt: skip
            assert "openpose:openpose_model=coco" in keys
            menu.value = "blazepose:model=lite"
            await pilot.pause()
            app.screen.action_ok()
            await until(pilot, lambda: isinstance(app.screen, HomeScreen))
            await until(pilot, lambda: "BlazePose lite" in text(app, "#plan"))
            await pilot.press("s")
            await until(pilot, lambda: len(chosen) == 1)
            await app.workers.wait_for_complete()

    run(scenario())
    assert (chosen[0].backend, chosen[0].pose.get("model")) == ("blazepose", "lite")


def test_the_editor_refuses_a_value_that_cannot_work_and_escape_keeps_the_plan():
    app = ReptrackApp(Request("squat", rest=45), opener=lambda plan: pytest.fail("must not start"))

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("e")
            app.screen.query_one("#rest", Input).value = "soon"
            await pilot.click("#ok")
            assert isinstance(app.screen, PlanEditor)
            assert "must be numbers" in text(app, "#editor-error")
            app.screen.query_one("#rest", Input).value = "99999"
            app.screen.query_one("#rest", Input).focus()
            await pilot.press("enter")
            assert "rest must be 0 to 3600" in text(app, "#editor-error")
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, HomeScreen))
            assert app.screen.plan.rest == 45
            assert "45 s between sets" in str(app.screen.query_one("#plan", Static).render())

    run(scenario())


def test_m_switches_the_voice_and_start_takes_it_along(tmp_path):
    app = ReptrackApp(Request("squat"), opener=lambda plan: fake_session(tmp_path / "s.db"))

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            voice = app.screen.query_one("#voice", Checkbox)
            assert not voice.value
            app.screen.query_one("#start", Button).focus()
            await pilot.press("m")
            assert voice.value
            await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, LiveScreen))
            assert app.live.voice
            await app.workers.wait_for_complete()
            await pilot.press("q")
            await until(pilot, lambda: isinstance(app.screen, HomeScreen))
            assert app.screen.query_one("#voice", Checkbox).value

    run(scenario())


def test_home_screen_says_why_a_workout_cannot_start():
    def opener(plan: Request) -> Session:
        raise SourceError("no camera at index 0", hint="try --source 1")

    app = ReptrackApp(Request("squat"), opener=opener)

    async def scenario():
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.press("s")
            await until(pilot, lambda: any("no camera" in n.message for n in app._notifications))
            assert isinstance(app.screen, HomeScreen)

    run(scenario())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_every_home_button_is_on_screen_and_the_camera_is_named(tmp_path, size):
    from textual.widgets import Button

    app = ReptrackApp(Request("squat", source="0"), opener=lambda plan: pytest.fail("no start"))

    async def scenario():
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for button in app.screen.query(Button):
                region = button.region  # whole on the screen, with room for its label
                assert region.right <= size[0], button.id
                assert region.width >= len(str(button.label)) + 2, button.id
            assert "camera 0" in str(app.screen.query_one("#plan", Static).render())

    run(scenario())


def test_each_exercise_takes_the_target_of_its_kind(tmp_path):
    chosen, opener = _recording(tmp_path)
    app = ReptrackApp(Request("squat", target_reps=8, target_seconds=45), opener=opener)

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            shown = str(app.screen.query_one("#plan", Static).render())
            assert "8 reps a set (holds: 45 s)" in shown
            options = app.screen.query_one(OptionList)
            names = [o.id for o in options.options]
            assert {"plank", "side_plank", "wall_sit", "pullup", "burpee"} <= set(names)
            options.highlighted = names.index("plank")
            await pilot.press("s")
            await until(pilot, lambda: isinstance(app.screen, LiveScreen))
            await pilot.press("q")
            await until(pilot, lambda: isinstance(app.screen, HomeScreen))

    run(scenario())
    assert (chosen[0].exercise, chosen[0].target_reps, chosen[0].target_seconds) == (
        "plank",
        None,
        45,
    )


def test_a_broken_exercise_or_plan_file_is_listed_with_why_and_the_rest_still_works(tmp_home):
    from rich.text import Text

    config = tmp_home / "config"
    (config / "exercises").mkdir(parents=True)
    (config / "plans").mkdir()
    (config / "exercises" / "my[b]x.toml").write_text("name = \n")
    (config / "plans" / "my[i]plan.toml").write_text('title = "x"\n')
    app = ReptrackApp(Request("squat"))
    shown: dict[str, str] = {}

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, HomeScreen))
            options = app.screen.query_one("#exercises", OptionList).options
            shown.update({str(o.id): Text.from_markup(str(o.prompt)).plain for o in options})
            await pilot.press("q")

    run(scenario())
    # the file names are data: "[b]" and "[i]" print as themselves
    assert shown["my[b]x"].startswith("my[b]x (invalid: ")
    assert shown["plan:my[i]plan"].startswith("my[i]plan (invalid plan: ")
    assert shown["plan:full_body"] == "Full body, no equipment  plan · full_body"
    assert shown["squat"] == "Squat  squat"
