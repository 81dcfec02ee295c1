"""The label file of `reptrack eval`: `[[video]]` tables of a file, an exercise, the reps
counted by hand (or a hold's seconds in position), every problem in the file reported at
once, and what counts as right: the label's reps or a second labeller's, a hold's seconds
within its tolerance."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reptrack.errors import ReptrackError

HOLD_TOLERANCE_SECONDS = 1.5  # a timed hold is right within this of the label…
HOLD_TOLERANCE_SHARE = 0.10  # …or within this share of it, where that is more


def hold_tolerance(expected: float) -> float:
    return max(HOLD_TOLERANCE_SECONDS, HOLD_TOLERANCE_SHARE * expected)


@dataclass(frozen=True)
class Label:
    file: Path
    exercise: str
    reps: int
    also: tuple[int, ...] = ()  # other counts a second labeller accepted
    form: dict[str, list[int]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # what in the label was not understood and left out
    hold: tuple[tuple[float, float], ...] = ()  # a hold's seconds in position: (enter, leave)

    @property
    def is_hold(self) -> bool:
        return bool(self.hold)

    @property
    def expected_seconds(self) -> float:
        return sum(leave - enter for enter, leave in self.hold)

    def accepts_held(self, seconds: float) -> bool:
        """Is `seconds` in position right? Within 1.5 s of the label, or 10 % where longer."""
        return abs(seconds - self.expected_seconds) <= hold_tolerance(self.expected_seconds)

    def accepts(self, count: int) -> bool:
        return count == self.reps or count in self.also

    def error_of(self, count: int) -> int:
        """Distance from the nearest accepted count."""
        return min(abs(count - n) for n in (self.reps, *self.also))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _label(base: Path, i: int, v: Any, problems: list[str]) -> Label | None:
    key = f"video[{i}]"
    if not isinstance(v, dict):
        problems.append(f"{key}: expected a table, found {type(v).__name__}")
        return None
    before = len(problems)
    missing = [k for k in ("file", "exercise", "reps") if k not in v]
    if missing:
        problems.append(f"{key}: lacks {', '.join(missing)}")
    for k in ("file", "exercise"):
        if k in v and (not isinstance(v[k], str) or not v[k]):
            problems.append(f"{key}.{k}: expected a non-empty string, found {v[k]!r}")
    reps = _int(v.get("reps"))
    if "reps" in v and (reps is None or reps < 0):
        problems.append(f"{key}.reps: expected a whole number ≥ 0, found {v['reps']!r}")
    also = v.get("also", [])
    also = [also] if _int(also) is not None else also  # `also = 1` means [1]
    if not isinstance(also, list) or any(_int(n) is None or n < 0 for n in also):
        problems.append(f"{key}.also: expected a list of whole numbers ≥ 0, found {also!r}")
    # The form labels do not change the count: a bad one is left out, with a note.
    notes = []
    form = v.get("form", {})
    if not isinstance(form, dict) or not all(
        isinstance(ns, list) and all(_int(n) is not None for n in ns) for ns in form.values()
    ):
        notes.append(
            f"{key}.form ignored: expected a table of rep-number lists, found {form!r:.60}"
        )
        form = {}
    hold = _hold(key, v.get("hold", []), problems)
    if len(problems) > before or reps is None:
        return None
    return Label(base / v["file"], v["exercise"], reps, tuple(also), dict(form), tuple(notes), hold)


def _hold(key: str, value: Any, problems: list[str]) -> tuple[tuple[float, float], ...]:
    """A label's `hold = [[enter, leave], …]`: the seconds in position."""
    out = []
    ok = isinstance(value, list)
    for pair in value if ok else []:
        number = (int, float)
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(x, number) and not isinstance(x, bool) for x in pair)
            and 0 <= pair[0] < pair[1]
        ):
            ok = False
            break
        out.append((float(pair[0]), float(pair[1])))
    if not ok:
        problems.append(
            f"{key}.hold: expected [[enter, leave], …] seconds with enter < leave, "
            f"found {value!r:.60}"
        )
    return tuple(out)


def load_labels(path: str | Path) -> list[Label]:
    """The `[[video]]` tables of a label file; every problem in it is reported at once."""
    from reptrack.files import read_text

    p = Path(path)
    try:
        data = tomllib.loads(read_text(p, "label file", "TOML"))
    except tomllib.TOMLDecodeError as exc:
        raise ReptrackError(f"{p} is not valid TOML: {exc}") from None
    videos = data.get("video", [])
    hint = 'each video is a [[video]] table with file = "…", exercise = "…", reps = N'
    if not isinstance(videos, list) or not videos:
        raise ReptrackError(f"{p}: no [[video]] tables found", hint=hint)
    problems: list[str] = []
    labels = [label for i, v in enumerate(videos) if (label := _label(p.parent, i, v, problems))]
    if problems:
        lines = "\n".join(f"  - {x}" for x in problems)
        raise ReptrackError(
            f"{p}: {len(problems)} problem(s) in the label file\n{lines}", hint=hint
        )
    return labels
