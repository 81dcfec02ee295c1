"""The screen `reptrack auto` shows while it watches for an exercise: what it waits for, and
how to stop. The watching itself runs on a worker thread of the app."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from reptrack.exercise.recognition import DECIDE_REPS, MIN_HOLD_SECONDS


class WatchScreen(Screen[None]):
    """Watching `source` for an exercise; `q` stops (the sets so far are saved)."""

    BINDINGS = [
        Binding("q", "finish", "Finish & save"),
        Binding("ctrl+c", "finish", "Finish & save", show=False, priority=True),
    ]

    def __init__(self, source: str, sets_done: int) -> None:
        super().__init__()
        self.source, self.sets_done = source, sets_done

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("Watching for an exercise\n\n", style="bold")
        text.append(f"from {self.source}\n\n")  # the user's text: data, never markup
        text.append(
            f"Start moving: the exercise is named once it has repeated {DECIDE_REPS} times "
            f"(a hold, once held {MIN_HOLD_SECONDS:g} s), and counted from its first rep. "
            "Change exercise and a new set starts."
        )
        if self.sets_done:
            text.append(f"\n\n{self.sets_done} set(s) saved so far", style="dim")
        with Vertical(id="watching"):
            yield Static(text, id="watch-text")
        yield Footer()

    def action_finish(self) -> None:
        self.app.stop_soon()  # type: ignore[attr-defined]
