"""Widgets of the live screen that Textual does not have: the count as large as its box, the
set's progress, the angle gauge and the warning banner."""

from __future__ import annotations

import math

from rich.text import Text
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from reptrack.exercise.spec import ExerciseSpec
from reptrack.tui import bigfont


class Line(Widget):
    """One line of markup that changes often: repainted, never re-laid out, and only when
    its text really changed (Static.update re-lays out the screen on every call)."""

    DEFAULT_CSS = "Line { height: 1; }"

    text: reactive[str] = reactive("", layout=False)

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(Line.text, text)

    def render(self) -> Text:
        return Text.from_markup(self.text)


class BigCount(Widget):
    """The rep count in digits scaled to fill the widget (never more than fits, and plain
    digits when not even the smallest scale does)."""

    DEFAULT_CSS = "BigCount { text-align: center; }"

    value: reactive[str] = reactive("0")

    def render(self) -> Text:
        width, height = self.size
        scale = bigfont.fit(self.value, width, height)
        if scale == 0:
            return Text(self.value, style="bold")
        lines = bigfont.draw(self.value, scale)
        top = (height - len(lines)) // 2
        return Text("\n" * top + "\n".join(lines), no_wrap=True)


class SetProgress(Widget):
    """`set 2/3  ████████░░░░░░  4/10 reps`: the set, and its reps against the target as a bar."""

    DEFAULT_CSS = "SetProgress { height: 1; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_number, self.reps = 1, 0
        self.sets: int | None = None
        self.target: float | None = None
        self.unit = "reps"

    def show(
        self,
        set_number: int,
        sets: int | None,
        reps: int,
        target: float | None,
        unit: str = "reps",
    ) -> None:
        """`reps` of `target` (a hold's whole seconds of its target seconds, `unit` "s")."""
        state = (set_number, sets, reps, target, unit)
        if state != (self.set_number, self.sets, self.reps, self.target, self.unit):
            self.set_number, self.sets, self.reps, self.target, self.unit = state
            self.refresh()

    def render(self) -> Text:
        of = f"/{self.sets}" if self.sets else ""
        line = Text(f"SET {self.set_number}{of}", style="bold")
        if not self.target:
            unit = "rep" if self.unit == "reps" and self.reps == 1 else self.unit
            line.append(f"   {self.reps} {unit}")
            return line
        tail = f"  {self.reps}/{self.target:g} {self.unit}"
        room = max(0, self.size.width - len(line) - len(tail) - 2)
        done = min(room, round(room * min(self.reps, self.target) / self.target))
        line.append("  ")
        line.append("█" * done, style="bold green")
        line.append("░" * (room - done), style="dim")
        line.append(tail, style="bold")
        return line


class AngleGauge(Widget):
    """The driving angle as a horizontal bar over `low`–`high` degrees, with the start and
    turning thresholds marked; the bar turns green past the turning point. A hold's gauge
    marks the limits of its position on the angle instead (NaN: none), green between them."""

    value: reactive[float] = reactive(math.nan)

    def __init__(
        self,
        label: str,
        start: float,
        turn: float,
        *,
        low: float = 0.0,
        high: float = 180.0,
        hold: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.label, self.start, self.turn, self.hold = label, start, turn, hold
        self.low, self.high = low, high
        self.deeper_is_lower = turn < start

    @classmethod
    def for_exercise(cls, spec: ExerciseSpec, *, id: str | None = None) -> AngleGauge:
        """The counted angle against its start and turn; a hold's against the limits its
        position sets on that angle (none: no marks)."""
        if spec.hold is None:
            c = spec.counting
            return cls(c.angle, c.start, c.turn, id=id)
        limits = [p for p in spec.position if p.angle == spec.hold.angle]
        low = next((p.above for p in limits if p.above is not None), math.nan)
        high = next((p.below for p in limits if p.below is not None), math.nan)
        return cls(spec.hold.angle, low, high, hold=True, id=id)

    def _column(self, angle: float, width: int) -> int:
        frac = (angle - self.low) / (self.high - self.low)
        return max(0, min(width - 1, round(frac * (width - 1))))

    def render(self) -> Text:
        width = max(10, self.size.width - len(self.label) - 9)
        value = self.value
        filled = -1
        good = False
        if not math.isnan(value):
            good = self._good(value)
            filled = self._column(value, width)
        names = [
            (self.start, "S", f"start {self.start:g}"),
            (self.turn, "T", f"turn {self.turn:g}"),
        ]
        if self.hold:
            names = [
                (self.start, "[", f"from {self.start:g}"),
                (self.turn, "]", f"to {self.turn:g}"),
            ]
        names = [n for n in names if not math.isnan(n[0])]
        marks = sorted((self._column(angle, width), mark) for angle, mark, _ in names)
        colour = "green" if good else "cyan"
        line = Text(f"{self.label} ", style="bold")
        col = 0
        for mark_col, mark in [*marks, (width, "")]:
            if mark_col > col:  # the bar up to the next mark, as at most two runs
                line.append("█" * max(0, min(filled + 1, mark_col) - col), style=colour)
                line.append("░" * (mark_col - max(col, filled + 1)), style=colour)
            if mark:
                line.append(mark, style="bold reverse yellow")
            col = mark_col + 1
        line.append(f" {value:4.0f}°" if not math.isnan(value) else "    —°", style="bold")
        scale = Text(" " * (len(self.label) + 1), style="dim")
        ticks = [" "] * width
        for angle, _, name in names:
            col = self._column(angle, width)
            col = min(col, width - len(name))
            ticks[col : col + len(name)] = list(name)
        scale.append("".join(ticks), style="dim")
        return Text("\n").join([line, scale])

    def _good(self, value: float) -> bool:
        """Past the turning point; for a hold, within its position's limits."""
        if self.hold:
            return (math.isnan(self.start) or value > self.start) and (
                math.isnan(self.turn) or value < self.turn
            )
        return value <= self.turn if self.deeper_is_lower else value >= self.turn


class WarningLine(Static):
    """The latest form warning as a banner: bold on the warning colour when new, dimmed after
    `fade` s, cleared after `clear`."""

    def __init__(self, *, fade: float = 3.0, clear: float = 8.0, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.fade, self.clear = fade, clear
        self._fade_timers: list[Timer] = []

    def warn(self, message: str, severity: str = "warning") -> None:
        for timer in self._fade_timers:
            timer.stop()
        self.update(Text(f"⚠  {message.upper()}", justify="center"))
        self.set_class(True, "-fresh")
        self.set_class(severity == "error", "-error")
        self._fade_timers = [
            self.set_timer(self.fade, lambda: self.set_class(False, "-fresh")),
            self.set_timer(self.clear, lambda: self.update("")),
        ]
