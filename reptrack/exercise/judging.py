"""Judging a rep's samples: the measure a rule or requirement takes (min, max, range,
median), whether what is missing could have hidden a rule's extreme, and the rules a counted
rep broke. The counter decides whether a rep happened; this says how it was done."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from reptrack.exercise.spec import ExerciseSpec, Rule

SIDE_VIEW_MIN_YAW = 55.0  # degrees: at least this side-on for side-view rules
FRONT_VIEW_MAX_YAW = 35.0  # degrees: at most this for front-view rules


def view_ok(rule: Rule, yaws: list[float]) -> bool:
    """Can the camera's view (the rep's body yaws, sorted) support `rule`?"""
    if rule.view == "any":
        return True
    n = len(yaws)
    if n == 0:
        return False
    yaw = yaws[n // 2] if n % 2 else (yaws[n // 2 - 1] + yaws[n // 2]) / 2
    return yaw >= SIDE_VIEW_MIN_YAW if rule.view == "side" else yaw <= FRONT_VIEW_MAX_YAW


def measure_of(values: list[float], how: str) -> float:
    arr = np.asarray([v for v in values if not math.isnan(v)])
    if arr.size == 0:
        return math.nan
    if how == "min":
        return float(arr.min())
    if how == "max":
        return float(arr.max())
    if how == "median":
        return float(np.median(arr))
    return float(arr.max() - arr.min())


# A rule that flags an extreme for falling short (a `max` below its limit, a `min` above it)
# is not judged when more than this share of its frames have no value: the arm may have
# reached the lockout while the hand was out of the frame.
MAX_HIDDEN_SHARE = 0.2


def hidden_extreme(rule: Rule, values: list[float]) -> bool:
    short = (rule.measure == "max" and rule.below is not None) or (
        rule.measure == "min" and rule.above is not None
    )
    if not short or not values:
        return False
    return sum(math.isnan(v) for v in values) > MAX_HIDDEN_SHARE * len(values)


def judge(
    spec: ExerciseSpec,
    values: Callable[[str, str | None], list[float]],
    yaws: list[float],
) -> tuple[list[Rule], dict[str, float]]:
    """The rules a counted rep broke and its measures: each rule's (where the view lets it
    be judged) and every angle's min and max. `values(angle, phase)` gives the rep's values."""
    broken: list[Rule] = []
    measures: dict[str, float] = {}
    for rule in spec.rules:
        if not view_ok(rule, yaws):
            continue
        seen = values(rule.angle, rule.phase)
        value = measures[rule.name] = measure_of(seen, rule.measure)
        if rule.violated(value) and not hidden_extreme(rule, seen):
            broken.append(rule)
    for name in spec.angles:
        seen = values(name, None)
        measures[f"{name}_min"] = measure_of(seen, "min")
        measures[f"{name}_max"] = measure_of(seen, "max")
    return broken, measures
