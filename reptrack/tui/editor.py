"""The dialog that edits a plan's source, targets and pose model. Its fields live here, in a
dialog of their own, so the home screen's one-letter keys never type into a field."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from reptrack.errors import ReptrackError
from reptrack.pose.backends import choice_of, pose_choices
from reptrack.session.request import Request

AS_GIVEN = "as-given"  # the plan's backend, where the menu has no entry for it (replay)


class PlanEditor(ModalScreen[Request | None]):
    """Source, target reps (and a timed hold's target seconds), sets and rest; dismissed with
    the new plan, or None when cancelled.
    A value that cannot work is refused in the dialog, which stays open."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, plan: Request) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        plan = self.plan
        with Vertical(id="dialog"):
            yield Label("Source: camera index, video file or stream URL")
            yield Input(plan.source, id="source")
            yield Label("Target reps per set (empty: none)")
            yield Input(_text(plan.target_reps), id="target", type="integer")
            yield Label("Sets (empty: open-ended)")
            yield Input(_text(plan.sets), id="sets", type="integer")
            yield Label("Rest between sets, seconds")
            yield Input(f"{plan.rest:g}", id="rest", type="number")
            yield Label("Target seconds per set of a hold (plank, wall sit; empty: none)")
            yield Input(_text(plan.target_seconds), id="target-seconds", type="number")
            yield Label("Pose model (as --backend and --model on the command line)")
            yield Select(_pose_menu(plan), value=_pose_key(plan), allow_blank=False, id="pose")
            yield Label("", id="editor-error", markup=False)
            with Horizontal():
                yield Button("OK", variant="success", id="ok")
                yield Button("Cancel", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.action_ok()
        else:
            self.action_cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_ok()

    def edited(self) -> Request:
        """The plan with the fields' values; raises ReptrackError for one that cannot work."""

        def value(widget_id: str) -> str:
            return self.query_one(f"#{widget_id}", Input).value.strip()

        try:
            target = int(value("target")) if value("target") else None
            seconds = float(value("target-seconds")) if value("target-seconds") else None
            sets = int(value("sets")) if value("sets") else None
            rest = float(value("rest")) if value("rest") else self.plan.rest
        except ValueError:
            raise ReptrackError("targets, sets and rest must be numbers") from None
        source = value("source") or "0"
        backend, pose = self.plan.backend, dict(self.plan.pose)
        key = self.query_one("#pose", Select).value
        chosen = next((c for c in pose_choices() if c.key == key), None)
        if chosen is not None:
            backend, pose = chosen.backend, {**pose, **dict(chosen.options)}
        return replace(
            self.plan,
            source=source,
            target_reps=target,
            target_seconds=seconds,
            sets=sets,
            rest=rest,
            backend=backend,
            pose=pose,
        )

    def action_ok(self) -> None:
        try:
            plan = self.edited()
        except ReptrackError as exc:
            self.query_one("#editor-error", Label).update(Text(exc.message))
            return
        self.dismiss(plan)

    def action_cancel(self) -> None:
        self.dismiss(None)


def pose_text(plan: Request) -> str:
    """The plan's pose model as the menu names it: "BlazePose full"."""
    chosen = choice_of(plan.backend, plan.pose)
    return chosen.label if chosen is not None else plan.backend


def _pose_menu(plan: Request) -> list[tuple[str, str]]:
    menu = [(c.label, c.key) for c in pose_choices()]
    if choice_of(plan.backend, plan.pose) is None:  # a backend given on the command line only
        menu.append((f"{plan.backend} (as given)", AS_GIVEN))
    return menu


def _pose_key(plan: Request) -> str:
    chosen = choice_of(plan.backend, plan.pose)
    return chosen.key if chosen is not None else AS_GIVEN


def _text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
