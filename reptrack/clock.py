"""How times are written for people: a running clock (`0:33`, `1:05`) and a time held
(`45.2 s` under a minute, `1:05` from one)."""

from __future__ import annotations


def clock_text(seconds: float) -> str:
    """Whole seconds as a stopwatch shows them: 0:33, 12:05."""
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def held_text(seconds: object) -> str:
    """A time held: 45.2 s, 1:05; "?" for what is not a number (a hand-edited log)."""
    if not isinstance(seconds, int | float) or seconds != seconds:
        return "?"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"
