"""Teaching reptrack from the home screen: record a demonstration from the chosen source, then
learn a new exercise from it or calibrate the chosen one (reptrack.teach.lesson)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from reptrack.errors import ReptrackError
from reptrack.exercise.spec import ExerciseSpec
from reptrack.session.request import Request
from reptrack.teach import lesson as teaching
from reptrack.teach.demonstration import Demo
from reptrack.teach.demonstration import record as record_poses
from reptrack.video.sources import FileSource, source_text


class TeachScreen(ModalScreen[bool]):
    """Learn (`learn=True`, asks for a name first) or calibrate `plan.exercise` from
    `plan.source`. Dismissed with True when a file was written."""

    BINDINGS = [
        Binding("enter", "enough", "Done: that was the set", show=True, priority=False),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, plan: Request, *, learn: bool, recorder: Recorder | None = None) -> None:
        super().__init__()
        self.plan, self.learn = plan, learn
        self.recorder = recorder or record
        self.enough = threading.Event()  # the person has done their reps (or left)
        self.wrote = False
        self.busy = False

    def compose(self) -> ComposeResult:
        what = "Learn a new exercise" if self.learn else f"Calibrate {self.plan.exercise}"
        with Vertical(id="teach"):
            yield Label(what, id="teach-title")
            yield Static(
                f"Source: {source_text(self.plan.source)}", id="teach-source", markup=False
            )
            if self.learn:
                yield Label("Name for the new exercise (then Enter)")
                yield Input(id="teach-name", placeholder="calf_raise")
            yield Static("", id="teach-status", markup=False)
            yield Static("", id="teach-result", markup=False)
            yield Button("Close", id="teach-close")

    def on_mount(self) -> None:
        if self.learn:
            self.query_one("#teach-name", Input).focus()
        else:
            self._start(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.busy:  # Enter again, in the name field: the reps are done
            self.enough.set()
        else:
            self._start(event.value.strip())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    def action_enough(self) -> None:
        self.enough.set()

    def action_close(self) -> None:
        self.enough.set()
        self.dismiss(self.wrote)

    def _status(self, text: str) -> None:
        self.query_one("#teach-status", Static).update(text)

    def _result(self, text: str, error: bool = False) -> None:
        widget = self.query_one("#teach-result", Static)
        widget.update(text)
        widget.set_class(error, "error")

    def _start(self, name: str | None) -> None:
        try:
            if name is not None:
                target = teaching.learn_target(name)
                shipped = None
            else:
                shipped, target = teaching.calibrate_target(self.plan.exercise)
        except ReptrackError as exc:
            self._result(exc.message + (f"\n→ {exc.hint}" if exc.hint else ""), error=True)
            return
        self.busy = True
        self._run(name, shipped, target)

    @work(thread=True, exclusive=True)
    def _run(self, name: str | None, shipped: ExerciseSpec | None, target: Path) -> None:
        call = self.app.call_from_thread
        try:
            demo = self.recorder(self.plan, self.enough, lambda text: call(self._status, text))
            call(self._status, f"{len(demo.poses)} frames recorded; looking for the repetition…")
            if shipped is None:
                lesson = teaching.learn(demo, name or "", target)
            else:
                lesson = teaching.calibrate(demo, shipped, target)
            lesson.save()
        except ReptrackError as exc:
            call(self._result, exc.message + (f"\n→ {exc.hint}" if exc.hint else ""), True)
            return
        finally:
            self.busy = False
        self.wrote = lesson.text is not None
        lines = [*lesson.lines, *lesson.notes]
        if self.wrote:
            lines.append(f"wrote {target}")
        call(self._result, "\n".join(lines))


Recorder = Callable[[Request, threading.Event, Callable[[str], None]], Demo]


def record(plan: Request, enough: threading.Event, status: Callable[[str], None]) -> Demo:
    """The plan's source through its pose model, until it ends or `enough` is set."""
    from reptrack.pose.backends import make_estimator
    from reptrack.video.sources import open_source

    estimator = make_estimator(plan.backend, plan.pose)
    with open_source(plan.source) as source:
        live = not isinstance(source, FileSource)
        of = f"/{len(source)}" if isinstance(source, FileSource) and len(source) else ""
        prompt = "do 3-5 slow, full reps, then press Enter" if live else "reading the video"

        def tick(frames: int, seen: int) -> None:
            if frames % 5 == 1:
                status(f"{prompt}: frame {frames}{of}, person seen in {seen / frames:.0%}")

        poses = record_poses(source, estimator, done=enough.is_set, tick=tick)
        description = source.description
    return Demo(poses, description)
