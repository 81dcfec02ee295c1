"""The home screen: pick an exercise, a source and targets, then start; or open the history,
learn or calibrate an exercise. It shows the session that was just saved."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from reptrack.errors import ReptrackError
from reptrack.exercise import spec as specs
from reptrack.session import plans
from reptrack.session.auto_run import ANY_EXERCISE
from reptrack.session.request import Request
from reptrack.session.results import Summary
from reptrack.tui.editor import PlanEditor, pose_text
from reptrack.video.sources import source_text

PLAN_PREFIX = "plan:"  # an option that is a workout plan, not an exercise: "plan:full_body"

ANY_TEXT = (
    "Start moving: reptrack names the exercise once it has repeated (a hold once it is held), "
    "counts it from its first rep, and starts a new set when you change exercise. All the "
    "sets are saved as one workout.\nCamera: whole body in frame, as each exercise asks."
)


class HomeScreen(Screen[None]):
    """Choices in, a `Start` message out: the app opens the workout.

    The screen has no text field of its own (source and targets are edited in a dialog), and
    its keys are priority bindings: `s`, `h` and the others act whatever has focus."""

    BINDINGS = [
        Binding("s", "start", "Start", priority=True),
        Binding("e", "edit", "Source & targets", priority=True),
        Binding("m", "voice", "Voice on/off", priority=True),
        Binding("h", "history", "History", priority=True),
        Binding("l", "learn", "Learn", priority=True),
        Binding("c", "calibrate", "Calibrate", priority=True),
        Binding("q", "app.quit", "Quit", priority=True),
    ]

    class Start(Message):
        """Start `plan` (an exercise, or any); or, with `workout_plan`, that plan's blocks
        on `plan`'s source."""

        def __init__(self, plan: Request, voice: bool = False, workout_plan: str | None = None):
            super().__init__()
            self.plan, self.voice, self.workout_plan = plan, voice, workout_plan

    def __init__(self, plan: Request, *, voice: bool = False) -> None:
        super().__init__()
        self.plan, self.voice = plan, voice

    def compose(self) -> ComposeResult:
        yield Static("reptrack — count your reps", id="title")
        with Horizontal(id="home"):
            with Vertical(id="exercise-box"):
                yield Label("Exercise")
                yield OptionList(id="exercises")
            with Vertical(id="choices"):
                yield Label("Session")
                yield Static(id="plan")
                yield Checkbox("Speak reps and warnings (m)", self.voice, id="voice")
                with Horizontal(classes="buttons"):  # two rows: they fit at 80 columns
                    yield Button("Start", variant="success", id="start")
                    yield Button("Edit…", id="edit", tooltip="source, target reps, sets, rest")
                    yield Button("History", id="history")
                with Horizontal(classes="buttons"):
                    yield Button(
                        "Learn…", id="learn", tooltip="learn a new exercise from a demonstration"
                    )
                    yield Button(
                        "Calibrate", id="calibrate", tooltip="fit this exercise to your range"
                    )
        yield Static("", id="description")
        yield Static("", id="last")
        yield Footer()

    def on_mount(self) -> None:
        self._fill()
        self._show_plan()
        self.query_one("#exercises", OptionList).focus()

    def _show_plan(self) -> None:
        plan = self.plan
        reps = f"{plan.target_reps} reps a set" if plan.target_reps else "no target"
        if plan.target_seconds:
            reps += f" (holds: {plan.target_seconds:g} s)"
        sets = f"{plan.sets} sets" if plan.sets else "open-ended"
        text = Text()
        for name, value in (
            ("source", source_text(plan.source)),  # the user's text: data, never markup
            ("target", f"{reps}, {sets}"),
            ("rest", f"{plan.rest:g} s between sets"),
            ("pose", pose_text(plan)),
        ):
            text.append(f"{name:<8}", style="dim")
            text.append(f"{value}\n")
        text.append("e", style="bold")
        text.append(" changes them", style="dim")
        self.query_one("#plan", Static).update(text)

    def show_saved(self, summary: Summary) -> None:
        """The session just saved, in a line under the choices."""
        self.query_one("#last", Static).update(saved_text(summary))
        self.query_one("#exercises", OptionList).focus()

    def _fill(self) -> None:
        options = self.query_one("#exercises", OptionList)
        options.clear_options()
        options.add_option(Option("Any exercise  [dim]recognised as you go[/]", id=ANY_EXERCISE))
        for name, path in specs.available().items():
            options.add_option(_listed(name, name, "", path, _exercise_title))
        for name, path in plans.available().items():
            options.add_option(_listed(PLAN_PREFIX + name, name, "plan", path, _plan_title))
        names = [o.id for o in options.options]
        if self.plan.exercise in names:
            options.highlighted = names.index(self.plan.exercise)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        name = event.option.id or ""
        if name == ANY_EXERCISE:
            self.query_one("#description", Static).update(ANY_TEXT)
            return
        if name.startswith(PLAN_PREFIX):
            self.query_one("#description", Static).update(plan_text(name.removeprefix(PLAN_PREFIX)))
            return
        try:
            spec = specs.load(name)
            text = escape(spec.description)
            if spec.camera:
                text += f"\nCamera: {escape(spec.camera)}"
        except ReptrackError as exc:
            text = f"[red]{escape(exc.message)}[/]"
        self.query_one("#description", Static).update(text)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_start()  # Enter on an exercise starts it

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"start": self.action_start, "edit": self.action_edit,
                   "history": self.action_history, "learn": self.action_learn,
                   "calibrate": self.action_calibrate}  # fmt: skip
        actions[event.button.id or "start"]()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.voice = event.value

    def _chosen(self) -> str:
        options = self.query_one("#exercises", OptionList)
        if options.highlighted is None:
            raise ReptrackError("choose an exercise first")
        return options.get_option_at_index(options.highlighted).id or ""

    def chosen_plan(self) -> Request:
        exercise = self._chosen()
        if exercise.startswith(PLAN_PREFIX):
            raise ReptrackError("a workout plan is not one exercise: choose an exercise")
        if exercise == ANY_EXERCISE:  # each set's exercise is recognised; no targets
            return replace(self.plan, exercise=exercise, target_reps=None, target_seconds=None)
        # The plan keeps both targets; each exercise takes the one of its kind.
        hold = specs.load(exercise).is_hold
        return replace(
            self.plan,
            exercise=exercise,
            target_reps=None if hold else self.plan.target_reps,
            target_seconds=self.plan.target_seconds if hold else None,
        )

    def action_start(self) -> None:
        try:
            chosen = self._chosen()
            if chosen.startswith(PLAN_PREFIX):  # the blocks say the exercises and targets
                message = self.Start(self.plan, self.voice, chosen.removeprefix(PLAN_PREFIX))
            else:
                message = self.Start(self.chosen_plan(), self.voice)
        except ReptrackError as exc:
            self.notify(exc.message, severity="error", markup=False)
            return
        self.post_message(message)

    def action_edit(self) -> None:
        def done(plan: Request | None) -> None:
            if plan is not None:
                self.plan = plan
                self._show_plan()

        self.app.push_screen(PlanEditor(self.plan), done)

    def action_voice(self) -> None:
        self.query_one("#voice", Checkbox).toggle()

    def action_learn(self) -> None:
        self._teach(learn=True)

    def action_calibrate(self) -> None:
        self._teach(learn=False)

    def _teach(self, learn: bool) -> None:
        from reptrack.tui.teach_screen import TeachScreen

        try:
            plan = self.chosen_plan()
        except ReptrackError as exc:
            self.notify(exc.message, severity="error", markup=False)
            return
        self.plan = plan

        def done(wrote: bool | None) -> None:
            if wrote:
                self._fill()  # a new or calibrated exercise shows in the list

        recorder = getattr(self.app, "recorder", None)
        self.app.push_screen(TeachScreen(plan, learn=learn, recorder=recorder), done)

    def action_history(self) -> None:
        self.app.action_history()  # type: ignore[attr-defined]


def saved_text(summary: Summary) -> Text:
    """`Saved: 12 reps in 2 sets, 10 clean, in 1:23 (session 5)` — and why it stopped early."""
    clean = sum(r.clean for r in summary.reps)
    sets = f" in {summary.sets} sets" if summary.sets > 1 else ""
    seconds = max(0, round(summary.seconds))
    saved = summary.session_id is not None
    text = Text("Saved: " if saved else "Not saved: ", style="bold" if saved else "bold yellow")
    if summary.holds is not None:
        held = round(summary.held_seconds or 0)
        text.append(f"{summary.exercise} · held {held // 60}:{held % 60:02d}{sets}", style="bold")
        text.append(f", {len(summary.holds)} hold(s), in {seconds // 60}:{seconds % 60:02d}")
    else:
        text.append(f"{summary.exercise} · {len(summary.reps)} reps{sets}", style="bold")
        text.append(f", {clean} clean, in {seconds // 60}:{seconds % 60:02d}")
    if saved:
        text.append(f" (session {summary.session_id})", style="dim")
    for note in summary.notes:
        text.append(f"\n{note}", style="yellow")
    return text


def _listed(key: str, name: str, kind: str, path: Path, title_of: Callable[[Path], str]) -> Option:
    """An option of the list: the title `title_of` reads from the file at `path`, or, when
    the file cannot be read, its name and why (the rest of the list still works)."""
    what = f"{kind} · " if kind else ""
    try:
        return Option(f"{escape(title_of(path))}  [dim]{what}{escape(name)}[/]", id=key)
    except ReptrackError as exc:
        first = exc.message.splitlines()[0]
        invalid = f"invalid {kind}:" if kind else "invalid:"
        return Option(f"{escape(name)} [red]({invalid} {escape(first)})[/]", id=key)


def _exercise_title(path: Path) -> str:
    return specs.load_file(path).title


def _plan_title(path: Path) -> str:
    return plans.load(str(path)).title


def plan_text(name: str) -> Text:
    """A workout plan as the home screen describes it: its blocks, or why it cannot run."""
    try:
        plan = plans.load(name)
    except ReptrackError as exc:
        return Text(exc.message, style="red")
    text = Text(plan.description + "\n" if plan.description else "")
    text.append(plan.outline)
    text.append("\nEach block starts when the last is done (or on n); the source and the "
                "voice are the session's, the exercises and targets the plan's.",
                style="dim")  # fmt: skip
    return text
