"""Checks a parsed TOML file key by key and collects every problem at once, each with its
dotted key, its line in the file and what was expected ("did you mean …?" for typos)."""

from __future__ import annotations

import difflib
import math
import re
from typing import Any

MAX_PROBLEMS = 40  # a file with more is reported by its first ones and a count

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")


def key_lines(text: str) -> dict[str, int]:
    """Dotted key → line of its first appearance: `counter.turn`, `rules[2].angle` (the third
    `[[rules]]` table), `angles.knee` (a table header)."""
    lines: dict[str, int] = {}
    table = ""
    arrays: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if header := _HEADER.match(line):
            name = header.group(2).replace('"', "").replace("'", "")
            if header.group(1) == "[[":
                arrays[name] = arrays.get(name, -1) + 1
                table = f"{name}[{arrays[name]}]"
            else:
                table = name
            lines.setdefault(table, number)
        elif key := _KEY.match(line):
            name = key.group(1).replace('"', "").replace("'", "")
            lines.setdefault(f"{table}.{name}" if table else name, number)
    return lines


class Checker:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = key_lines(text)
        self.problems: list[str] = []

    def line_of(self, key: str) -> str:
        """The line of `key`, or of the nearest table that holds it."""
        parts = key.split(".")
        while parts:
            candidate = ".".join(parts)
            bare = re.sub(r"\[\d+\]$", "", candidate)  # points[1] is on the line of points
            for k in (candidate, bare):
                if k in self.lines:
                    return f" (line {self.lines[k]})"
            parts.pop()
        return ""

    @property
    def full(self) -> bool:
        """Have as many problems been found as are shown? Later ones are only counted, so
        they skip the costly "did you mean" (a file of many thousand bad keys stays quick)."""
        return len(self.problems) >= MAX_PROBLEMS

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{key}{self.line_of(key)}: {message}")

    def report(self) -> list[str]:
        """The problems, the first MAX_PROBLEMS of them and how many more there were."""
        if len(self.problems) <= MAX_PROBLEMS:
            return self.problems
        more = len(self.problems) - MAX_PROBLEMS
        return [*self.problems[:MAX_PROBLEMS], f"… and {more} more problem(s)"]

    def table(self, data: Any, key: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.problem(key, f"expected a table, found {type(data).__name__}")
            return {}
        return data

    def unknown(self, data: dict[str, Any], allowed: tuple[str, ...], key: str) -> None:
        for k in data:
            if k not in allowed:
                if self.full:
                    self.problems.append(f"{key}.{k}: unknown key")
                    continue
                close = difflib.get_close_matches(k, allowed, n=1)
                hint = (
                    f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
                )
                self.problem(f"{key}.{k}" if key else k, f"unknown key{hint}")

    def get(
        self,
        data: dict[str, Any],
        name: str,
        kind: type | tuple[type, ...],
        key: str,
        *,
        required: bool = False,
        default: Any = None,
        choices: tuple[str, ...] = (),
    ) -> Any:
        full = f"{key}.{name}" if key else name
        if name not in data:
            if required:
                self.problem(full, "missing (required)")
            return default
        value = data[name]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        expected = kind if isinstance(kind, tuple) else (kind,)
        if (isinstance(value, bool) and bool not in expected) or not isinstance(value, expected):
            names = " or ".join(k.__name__.replace("float", "number") for k in expected)
            self.problem(full, f"expected {names}, found {value!r:.60}")
            return default
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(full, f"expected a finite number, found {value}")
            return default
        if choices and value not in choices:
            close = [] if self.full else difflib.get_close_matches(str(value), choices, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.problem(full, f"expected one of {', '.join(choices)}, found {value!r}{hint}")
            return default
        return value

    def number(
        self,
        data: dict[str, Any],
        name: str,
        key: str,
        low: float,
        high: float,
        *,
        required: bool = False,
        why: str = "",
    ) -> float | None:
        """A finite number within [low, high]."""
        value = self.get(data, name, float, key, required=required)
        if value is not None and not low <= value <= high:
            full = f"{key}.{name}" if key else name
            self.problem(full, f"expected {low:g} to {high:g}{why}, found {value:g}")
            return None
        return value
