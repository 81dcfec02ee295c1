"""The set's rhythm: what this person's reps look like — how long they take, how far they
go, the shape of the angle's curve from start to start — and whether a movement the
thresholds judged on their own is one of them. A second opinion that needs no threshold: a
movement that repeats the set's own reps is a rep, one that does not is not.

The counter asks it twice. A movement that came back without reaching the turning point,
shaped like the set's reps and nearly as deep, is a rep the thresholds missed (a shorter
range as the person tires, a camera that foreshortens the bottom): it counts, and says so.
A "rep" far quicker than the set's is a limb flailing once or jitter across the thresholds:
it does not. Before the movement has repeated (a set's first reps), there is no
rhythm and the thresholds decide alone.

Pure functions on arrays of timestamps and angles; the curves are read with `cycles`' tools,
as `learn` and the fitting read theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reptrack.exercise.cycles import MAX_GAP, correlation_of, spread_of
from reptrack.exercise.learning import MAX_SPREAD

POINTS = 24  # a rep's curve, start to start, resampled to this many points
MIN_REPS = 3  # a rhythm is this many reps, alike and regular
KEEP = 6  # the latest reps the rhythm is taken from (people change tempo over a set)
# Each of the rhythm's reps looks like their mean curve at least this much (correlation).
ALIKE = 0.8
# A movement the thresholds missed counts when it looks like the set's reps (ALIKE), goes at
# least this share of their median range (and never less than the exercise's least range),
# and lasts between these shares of their median duration.
DEEP_ENOUGH = 0.6
SLOWEST, QUICKEST = 2.0, 0.5
# A "rep" under this share of the set's median duration is a flail, not a rep: no one does
# a rep two and a half times quicker than the ones before it in the same set.
FLAIL = 0.4


@dataclass(frozen=True)
class Shape:
    """One movement as the rhythm compares it: duration, range and normalised curve."""

    seconds: float
    depth: float
    curve: np.ndarray  # POINTS values, zero mean and unit deviation


@dataclass(frozen=True)
class Rhythm:
    """What the set's latest reps have in common."""

    seconds: float  # their median duration
    depth: float  # their median range of motion
    curve: np.ndarray  # their mean normalised curve

    def likeness(self, shape: Shape) -> float:
        """How much `shape`'s curve looks like the set's (correlation, -1 to 1)."""
        return correlation_of(self.curve, shape.curve)

    def missed(self, shape: Shape, least: float) -> bool:
        """Is `shape`, which the thresholds did not count, one of the set's reps?"""
        return (
            shape.depth >= max(least, DEEP_ENOUGH * self.depth)
            and QUICKEST * self.seconds <= shape.seconds <= SLOWEST * self.seconds
            and self.likeness(shape) >= ALIKE
        )

    def flail(self, shape: Shape) -> bool:
        """Is `shape`, which the thresholds counted, far too quick to be one of the set's
        reps? (Its curve is not asked: a jerk down and up is shaped like a slow rep.)"""
        return shape.seconds < FLAIL * self.seconds


def shape_of(t: np.ndarray, x: np.ndarray, start: float, end: float, depth: float) -> Shape | None:
    """The movement of range `depth` in the stream (`t` ascending, `x` NaN where not
    measured) from `start` to `end`; None where too little of it was seen or it did not move."""
    ok = np.isfinite(x) & (t >= start) & (t <= end)
    if ok.sum() < 4 or not end > start:
        return None
    tt, xx = t[ok], x[ok]
    if float(np.max(np.diff(tt))) > max(MAX_GAP, 0.5 * (end - start)):
        return None  # the movement's middle was not seen
    curve = np.interp(np.linspace(start, end, POINTS), tt, xx)
    deviation = float(curve.std())
    if not deviation > 0:
        return None
    return Shape(end - start, depth, (curve - curve.mean()) / deviation)


def rhythm_of(shapes: Sequence[Shape]) -> Rhythm | None:
    """The rhythm of a set's latest reps (oldest first), or None while they are too few, too
    irregular in duration or unlike one another."""
    latest = list(shapes)[-KEEP:]
    if len(latest) < MIN_REPS:
        return None
    durations = np.array([s.seconds for s in latest])
    if spread_of(durations) > MAX_SPREAD:
        return None
    mean = np.mean([s.curve for s in latest], axis=0)
    if not all(correlation_of(mean, s.curve) >= ALIKE for s in latest):
        return None
    return Rhythm(float(np.median(durations)), float(np.median([s.depth for s in latest])), mean)
