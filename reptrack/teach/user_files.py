"""Exercise files that reptrack writes for a user — a learned exercise, a personal calibration
of a shipped one — and what a user's file changes against the shipped file it overrides."""

from __future__ import annotations

import json
import re
from datetime import date

from reptrack.errors import ReptrackError
from reptrack.exercise.fitting import (
    RANGE_SHARE,
    SHALLOWEST_SHARE,
    START_SHARE,
    TURN_SHARE,
    Thresholds,
)
from reptrack.exercise.spec import CounterDef, ExerciseSpec
from reptrack.teach.analysis import POSTURE_MARGIN, Finding

LEARNED = "# Learned by `reptrack exercises learn`"
CALIBRATED = "# Calibrated by `reptrack calibrate`"
# the share of the demonstrated range below which a rep gets the "go as far" note
FULL_SHARE = 0.85
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


def check_name(name: str) -> str:
    """An exercise name usable as a file name and on the command line."""
    if not NAME.fullmatch(name):
        raise ReptrackError(
            f"{name!r} cannot name an exercise",
            hint="use 1-40 lower-case letters, digits, _ or -, starting with a letter or digit",
        )
    return name


def _s(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def _n(value: float) -> str:
    return f"{value:g}"


def learned(
    name: str,
    finding: Finding,
    th: Thresholds,
    source: str,
    reps: int,
    trunk_below: float | None = None,
) -> str:
    """A commented definition that counts what the demonstration showed."""
    c = finding.candidate
    angle = c.name
    side = finding.sides if finding.sides != "both" else "left and right"
    going = "closes" if th.direction == "decrease" else "opens"
    span = abs(th.rest - th.far)
    measure, limit = ("min", "above") if th.direction == "decrease" else ("max", "below")
    full = th.rest - (1 if th.direction == "decrease" else -1) * FULL_SHARE * span
    description = f"Learned from a demonstration: the {angle} from {_n(th.rest)}° to {_n(th.far)}°."
    turn_why = f"{TURN_SHARE:.0%} of the range, at most {SHALLOWEST_SHARE:.0%} of the least rep"
    kind = "" if c.kind == "joint" else 'kind = "segment"  # against the vertical\n'
    space = {
        "view": 'view"  # the image angle where the joint faces the camera, 3-D where edge-on',
        "image": 'image"  # measured in the picture',
        "world": 'world"  # measured on the 3-D landmarks',
    }[finding.space]
    return f"""{LEARNED} from {source} on {date.today().isoformat()}.
# It found {reps} repetitions of the {side} {angle} ({finding.mode}): from {_n(th.rest)}° at
# rest to {_n(th.far)}° at the turn (medians). Every value can be edited; check the file with
# `reptrack exercises check FILE`.
name = {_s(name)}
title = {_s(name.replace("_", " ").replace("-", " ").title())}
description = {_s(description)}
camera = "as in the demonstration"
side = "auto"  # either side counts; both sides moving together count once

[angles.{angle}]
{kind}points = {json.dumps(list(c.points))}
space = "{space}

{_trunk_angle(trunk_below)}[counter]
angle = "{angle}"
direction = "{th.direction}"  # the {angle} {going} into a rep
start = {_n(th.start)}  # back at rest: within {START_SHARE:.0%} of the range from {_n(th.rest)}°
turn = {_n(th.turn)}  # the rep's turn: {turn_why}
hysteresis = {_n(th.hysteresis)}
min_range = {_n(th.min_range)}  # at least {RANGE_SHARE:.0%} of the demonstrated {_n(span)}°
min_rep_seconds = {_n(th.min_rep_seconds)}
max_rep_seconds = {_n(th.max_rep_seconds)}
filter_seconds = {_n(th.filter_seconds)}

[[rules]]
name = "short_of_demonstration"
angle = "{angle}"
measure = "{measure}"
{limit} = {_n(round(full))}  # {FULL_SHARE:.0%} of the demonstrated range
message = "go as far as in your demonstration"
severity = "info"
{_trunk_requirement(trunk_below)}"""


def _trunk_angle(below: float | None) -> str:
    if below is None:
        return ""
    return """[angles.trunk]
kind = "segment"
points = ["shoulder", "hip"]
space = "image"

"""


def _trunk_requirement(below: float | None) -> str:
    if below is None:
        return ""
    return f"""
# A rep is the movement demonstrated: the trunk leans at most {POSTURE_MARGIN:g}° more than in
# the demonstration (bending over to pick something up is not a rep).
[[requires]]
angle = "trunk"
measure = "max"
below = {_n(below)}
"""


COUNTER_TABLE = re.compile(r"^\s*\[counter\]\s*(#.*)?$")
COUNTER_LINE = re.compile(r"^(\s*)([A-Za-z_]+)(\s*=\s*)([^#\n]*?)(\s*#.*)?$")


def calibrated(shipped: ExerciseSpec, changes: dict[str, float], why: list[str]) -> str:
    """The shipped file's text with only the `[counter]` values in `changes` moved, each
    marked with what it was. Every rule and comment of the shipped file stays."""
    lines = shipped.text.splitlines()
    try:
        top = next(i for i, line in enumerate(lines) if COUNTER_TABLE.match(line))
    except StopIteration:
        raise ReptrackError(f"{shipped.source} has no [counter] table to calibrate") from None
    end = next((i for i in range(top + 1, len(lines)) if lines[i].lstrip().startswith("[")),
               len(lines))  # fmt: skip
    left = dict(changes)
    for i in range(top + 1, end):
        m = COUNTER_LINE.match(lines[i])
        if m and m.group(2) in left:
            key = m.group(2)
            shown, was = _n(left.pop(key)), m.group(4).strip()
            lines[i] = f"{m.group(1)}{key}{m.group(3)}{shown}  # calibrated (shipped: {was})"
    for key, value in left.items():  # a value the shipped file left at its default
        lines.insert(top + 1, f"{key} = {_n(value)}  # calibrated (shipped: the default)")
    head = [f"{CALIBRATED} on {date.today().isoformat()}, over the shipped {shipped.source}:"]
    head += [f"#   {line}" for line in why]
    head.append("# Delete this file to go back to the shipped definition.")
    return "\n".join([*head, *lines]) + "\n"


def differences(shipped: ExerciseSpec, mine: ExerciseSpec) -> list[str]:
    """What `mine` changes against the shipped definition of the same name, line by line."""
    out = []
    for key in CounterDef.__dataclass_fields__:
        a, b = getattr(shipped.counter, key), getattr(mine.counter, key)
        if a != b:
            out.append(f"counter.{key}: {a:g} → {b:g}" if isinstance(a, float) else
                       f"counter.{key}: {a} → {b}")  # fmt: skip
    rules_a = {r.name: r for r in shipped.rules}
    rules_b = {r.name: r for r in mine.rules}
    out += [f"rule {n}: removed" for n in rules_a if n not in rules_b]
    out += [f"rule {n}: added" for n in rules_b if n not in rules_a]
    out += [f"rule {n}: changed" for n in rules_a if n in rules_b and rules_a[n] != rules_b[n]]
    if shipped.requires != mine.requires:
        out.append("requirements ([[requires]]): changed")
    if shipped.recognize != mine.recognize:  # a copy made before the file had them, too
        out.append("recognition conditions ([[recognize]]): changed")
    if shipped.angles != mine.angles:
        out.append("angles: changed")
    if shipped.side != mine.side:
        out.append(f"side: {shipped.side} → {mine.side}")
    return out
