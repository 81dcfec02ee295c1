"""The live screen's scoreboard, read from across the room: the count (or a hold's clock) as
large as it fits, the set against its target, the phase, the reps' or holds' quality, and the
set and rest timers."""

from __future__ import annotations

import math

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Vertical

from reptrack.clock import clock_text
from reptrack.exercise.events import Hold, Rep, longest_hold
from reptrack.tui.widgets import BigCount, Line, SetProgress


class Scoreboard(Vertical):
    def compose(self) -> ComposeResult:
        yield BigCount(id="count")
        yield SetProgress(id="progress")
        yield Line(id="phase")
        yield Line(id="quality")
        yield Line(id="timers")

    def count(self, n: int) -> None:
        self.query_one("#count", BigCount).value = str(n)

    def clock(self, held: float) -> None:
        """A timed hold's seconds in position, as large as a rep count."""
        self.query_one("#count", BigCount).value = clock_text(held)

    def progress(
        self, set_number: int, sets: int | None, done: int, target: float | None, unit: str
    ) -> None:
        self.query_one(SetProgress).show(set_number, sets, done, target, unit)

    def phase(self, name: str) -> None:
        self.query_one("#phase", Line).text = f"phase: [bold reverse] {escape(name.upper())} [/]"

    def reps(self, reps: list[Rep]) -> None:
        clean = sum(r.clean for r in reps)
        self.query_one(
            "#quality", Line
        ).text = f"[green]{clean} clean[/]  [yellow]{len(reps) - clean} flagged[/]"

    def holds(self, holds: list[Hold]) -> None:
        """How many holds, the longest, and how long each form fault lasted in all."""
        best = longest_hold(holds)
        faults: dict[str, float] = {}
        for h in holds:
            for rule, seconds in h.faults.items():
                faults[rule] = faults.get(rule, 0.0) + seconds
        said = "  ".join(f"[yellow]{escape(k)} {clock_text(v)}[/]" for k, v in faults.items())
        self.query_one("#quality", Line).text = f"holds {len(holds)} · best {clock_text(best)}" + (
            f"  {said}" if said else ""
        )

    def timers(self, set_seconds: float, rest_left: float | None) -> None:
        rest = ""
        if rest_left is not None:  # counted down by the engine, in the stream's time
            rest = f" · [b]rest {clock_text(math.ceil(rest_left))}[/]"
        self.query_one("#timers", Line).text = f"set time {clock_text(set_seconds)}{rest}"
