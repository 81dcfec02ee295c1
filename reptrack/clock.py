"""How times are written for people: a running clock (`0:33`, `1:05`), a time held (`45.2 s`
under a minute, `1:05` from one), and a hold's form faults with how long each lasted."""

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


def faults_text(faults: dict[str, float]) -> str:
    """A hold's form faults: "hips_sagging 3.2 s, hips_piked 1.6 s", or "clean"."""
    return ", ".join(f"{rule} {seconds:.1f} s" for rule, seconds in faults.items()) or "clean"


def hold_cells(hold: dict) -> list[str]:
    """A stored hold (as `Store.holds` reads it) as a table row: number, set, from, to, time
    held and faults; "?" where a hand edit left something that is not a number."""

    def number(value: object) -> str:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value == value
        return f"{value:.1f}" if ok else "?"

    return [
        str(hold["n"]),
        str(hold["set_number"]),
        number(hold["start"]),
        number(hold["end"]),
        held_text(hold["seconds"]),
        faults_text(hold["faults"]),
    ]
