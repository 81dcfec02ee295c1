"""The home screen: pick an exercise, a source and targets, then start; or open the history."""

from __future__ import annotations

from dataclasses import replace

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from reptrack.errors import ReptrackError
from reptrack.exercise import spec as specs
from reptrack.plan import Plan


class HomeScreen(Screen[None]):
    """Choices in, a `Start` message out: the app opens the workout."""

    BINDINGS = [
        Binding("s", "start", "Start"),
        Binding("h", "history", "History"),
        Binding("l", "learn", "Learn"),
        Binding("c", "calibrate", "Calibrate"),
        Binding("q", "app.quit", "Quit"),
    ]

    class Start(Message):
        def __init__(self, plan: Plan) -> None:
            super().__init__()
            self.plan = plan

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        yield Static("reptrack — count your reps", id="title")
        with Horizontal(id="home"):
            with Vertical(id="exercise-box"):
                yield Label("Exercise")
                yield OptionList(id="exercises")
            with Vertical(id="choices"):
                yield Label("Source: camera index, video file or stream URL")
                yield Input(self.plan.source, id="source")
                yield Label("Target reps per set (empty: none)")
                yield Input(_text(self.plan.target_reps), id="target", type="integer")
                yield Label("Sets (empty: open-ended)")
                yield Input(_text(self.plan.sets), id="sets", type="integer")
                yield Label("Rest between sets, seconds")
                yield Input(f"{self.plan.rest:g}", id="rest", type="number")
                with Horizontal(id="buttons"):
                    yield Button("Start", variant="success", id="start")
                    yield Button("History", id="history")
                    yield Button(
                        "Learn…", id="learn", tooltip="learn a new exercise from a demonstration"
                    )
                    yield Button(
                        "Calibrate", id="calibrate", tooltip="fit this exercise to your range"
                    )
        yield Static("", id="description")
        yield Footer()

    def on_mount(self) -> None:
        self._fill()
        self.query_one("#exercises", OptionList).focus()

    def _fill(self) -> None:
        options = self.query_one("#exercises", OptionList)
        options.clear_options()
        for name, path in specs.available().items():
            try:
                spec = specs.load_file(path)
                options.add_option(Option(f"{escape(spec.title)}  [dim]{escape(name)}[/]", id=name))
            except ReptrackError as exc:
                first = exc.message.splitlines()[0]
                label = f"{escape(name)} [red](invalid: {escape(first)})[/]"
                options.add_option(Option(label, id=name))
        names = [o.id for o in options.options]
        if self.plan.exercise in names:
            options.highlighted = names.index(self.plan.exercise)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        name = event.option.id or ""
        try:
            spec = specs.load(name)
            text = escape(spec.description)
            if spec.camera:
                text += f"\nCamera: {escape(spec.camera)}"
        except ReptrackError as exc:
            text = f"[red]{escape(exc.message)}[/]"
        self.query_one("#description", Static).update(text)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#source", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"start": self.action_start, "history": self.action_history,
                   "learn": self.action_learn, "calibrate": self.action_calibrate}  # fmt: skip
        actions[event.button.id or "start"]()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_start()

    def chosen_plan(self) -> Plan:
        options = self.query_one("#exercises", OptionList)
        if options.highlighted is None:
            raise ReptrackError("choose an exercise first")
        exercise = options.get_option_at_index(options.highlighted).id or ""

        def number(widget_id: str) -> str:
            return self.query_one(f"#{widget_id}", Input).value.strip()

        try:
            target = int(number("target")) if number("target") else None
            sets = int(number("sets")) if number("sets") else None
            rest = float(number("rest")) if number("rest") else self.plan.rest
        except ValueError:
            raise ReptrackError("targets, sets and rest must be numbers") from None
        source = number("source") or "0"
        return replace(
            self.plan, exercise=exercise, source=source, target_reps=target, sets=sets, rest=rest
        )

    def action_start(self) -> None:
        try:
            plan = self.chosen_plan()
        except ReptrackError as exc:
            self.notify(exc.message, severity="error")
            return
        self.post_message(self.Start(plan))

    def action_learn(self) -> None:
        self._teach(learn=True)

    def action_calibrate(self) -> None:
        self._teach(learn=False)

    def _teach(self, learn: bool) -> None:
        from reptrack.tui.teach import TeachScreen

        try:
            plan = self.chosen_plan()
        except ReptrackError as exc:
            self.notify(exc.message, severity="error")
            return
        self.plan = plan

        def done(wrote: bool | None) -> None:
            if wrote:
                self._fill()  # a new or calibrated exercise shows in the list

        recorder = getattr(self.app, "recorder", None)
        self.app.push_screen(TeachScreen(plan, learn=learn, recorder=recorder), done)

    def action_history(self) -> None:
        self.app.action_history()  # type: ignore[attr-defined]


def _text(value: int | None) -> str:
    return "" if value is None else str(value)
