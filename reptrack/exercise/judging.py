"""Judging a rep's samples: the measure a rule or requirement takes (min, max, range,
median) and whether what is missing could have hidden a rule's extreme."""

from __future__ import annotations

import math

import numpy as np

from reptrack.exercise.spec import Rule

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
