"""Fit a counter's start and turn to the person in front of the camera, from their own reps.

A camera that foreshortens the angle (a sit-up filmed from the feet), a shorter range (a
crunch) or a longer limb moves the angle's extremes away from the shipped thresholds. Once a
stream clearly repeats, the same analysis `reptrack calibrate` runs (`fitting.calibration`)
says which thresholds must move for the reps to count; here the move is bounded by what the
exercise declares (`adapt_by` degrees from the shipped values, never a rep of less than
`least_range`), so a walk, a fidget or another exercise never becomes a rep.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, cast

import numpy as np

from reptrack.errors import ReptrackError
from reptrack.exercise.cycles import Cycle, find_cycles, likeness, regular, smooth, spread
from reptrack.exercise.fitting import calibration
from reptrack.exercise.spec import CounterDef
from reptrack.teach.analysis import MAX_SPREAD

# The movement has clearly repeated: this many cycles, each at least the exercise's least
# range deep, with durations that vary no more than a set's (learning.MAX_SPREAD) and each
# looking like the next: more alike than `learn` asks (0.4), since nobody asked for this fit.
MIN_CYCLES = 3
MIN_LIKENESS = 0.5
# What may move: the thresholds and the band between them, and the range a rep needs.
FITTED = ("start", "turn", "hysteresis", "min_range")


@dataclass(frozen=True)
class Fit:
    """Thresholds fitted to one side's repetitions, and why they moved."""

    counter: CounterDef
    why: tuple[str, ...]


def repeated(x: np.ndarray, decrease: bool, least: float) -> list[Cycle]:
    """The cycles of a regular (resampled, smoothed) stream when it clearly repeats a
    movement of at least `least` degrees; else none."""
    cycles = find_cycles(x, decrease)
    if len(cycles) < MIN_CYCLES or min(c.depth for c in cycles) < least:
        return []
    if spread(cycles) > MAX_SPREAD or likeness(x, cycles) < MIN_LIKENESS:
        return []
    return cycles


def fit(shipped: CounterDef, current: CounterDef, t: np.ndarray, x: np.ndarray) -> Fit | None:
    """None while this side's stream does not clearly repeat a movement; else the thresholds
    that count its repetitions: `current` when they already do, or when the move from
    `shipped` they would need is beyond the definition's bounds."""
    if shipped.adapt_by <= 0:
        return None
    cycles = tuple(repeated(smooth(regular(t, x)), shipped.direction == "decrease", shipped.least))
    if not cycles:
        return None
    unchanged = Fit(current, ())
    try:
        found = calibration(current, list(cycles))
    except ReptrackError:  # moved too little to count apart from standing still
        return unchanged
    changes = {k: v for k, v in found.changes.items() if k in FITTED}
    counter = replace(current, **cast(dict[str, Any], changes))
    counter = replace(counter, min_range=max(counter.min_range, shipped.least))
    by = shipped.adapt_by
    if abs(counter.start - shipped.start) > by or abs(counter.turn - shipped.turn) > by:
        return unchanged  # reps this far from the definition are not its reps
    if counter == current or not _counts(counter, cycles):
        return unchanged
    return Fit(counter, tuple(found.why))


def _counts(counter: CounterDef, cycles: tuple[Cycle, ...]) -> bool:
    """Do all the cycles pass the turn and come back to the start firmly?"""
    s, h = counter.sign, counter.hysteresis
    if s * counter.start - s * counter.turn <= h:  # as a definition must have it
        return False
    return all(
        s * c.far <= s * counter.turn - h and s * c.rest >= s * counter.start + h for c in cycles
    )
