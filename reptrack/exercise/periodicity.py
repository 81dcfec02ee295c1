"""The set's rhythm: what this person's reps look like — how long they take, how far they
go, the shape of the angle's curve from start to start — and whether a movement the
thresholds judged on their own is one of them. A second opinion that needs no threshold: a
movement that repeats the set's own reps is a rep, one that does not is not.

The counter asks it twice. A movement that came back without reaching the turning point,
shaped like the set's reps and nearly as deep, is a rep the thresholds missed (a shorter
range as the person tires, a camera that foreshortens the bottom): it counts, and says so.
A "rep" far quicker than the set's and unlike them is a limb flailing once or a landmark's
jitter across the thresholds: it does not. Before the movement has repeated (a set's first
reps), there is no rhythm and the thresholds decide alone.

Pure functions on arrays of timestamps and angles; the curves are read with `cycles`' tools,
as `learn` and the fitting read theirs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reptrack.exercise.cycles import MAX_GAP, correlation_of, spread_of
from reptrack.teach.analysis import MAX_SPREAD

# The angle kinds the rhythm compares: those measured in degrees, each on its own (a
# difference only repeats two others; a width ratio and a height are in other units).
DEGREES = ("joint", "segment", "split")
POINTS = 24  # a rep's curves, start to start, resampled to this many points
MIN_REPS = 3  # a rhythm is this many reps, alike and regular
KEEP = 6  # the latest reps the rhythm is taken from (people change tempo over a set)
# Each of the rhythm's reps moves like their mean at least this much (correlation).
ALIKE = 0.8
# A movement the thresholds missed counts when it looks like the set's reps (ALIKE), goes at
# least this share of their median range (and never less than the exercise's least range),
# and lasts between these shares of their median duration.
DEEP_ENOUGH = 0.6
SLOWEST, QUICKEST = 2.0, 0.5
# A "rep" under this share of the set's median duration that does not move the pose as the
# set's reps do is a flail (one limb jerked) or a landmark's jitter across the thresholds.
FLAIL = 0.4


@dataclass(frozen=True)
class Shape:
    """One movement as the rhythm compares it: its duration, the counted angle's range, and
    the curve of each angle the exercise measures (POINTS values from its start to its end,
    in degrees about their mean, so that the angles that move weigh the most)."""

    seconds: float
    depth: float
    curves: dict[str, np.ndarray]


@dataclass(frozen=True)
class Rhythm:
    """What the set's latest reps have in common."""

    seconds: float  # their median duration
    depth: float  # their median range of motion
    curves: dict[str, np.ndarray]  # each angle's mean curve

    def likeness(self, shape: Shape) -> float:
        """How much the whole pose moves in `shape` as it does in the set's reps: the
        correlation of all the angles' curves, taken together (-1 to 1)."""
        both = [name for name in self.curves if name in shape.curves]
        if not both:
            return math.nan
        return correlation_of(
            np.concatenate([self.curves[n] for n in both]),
            np.concatenate([shape.curves[n] for n in both]),
        )

    def missed(self, shape: Shape, least: float) -> bool:
        """Is `shape`, which the thresholds did not count, one of the set's reps?"""
        return (
            shape.depth >= max(least, DEEP_ENOUGH * self.depth)
            and QUICKEST * self.seconds <= shape.seconds <= SLOWEST * self.seconds
            and self.likeness(shape) >= ALIKE
        )

    def flail(self, shape: Shape) -> bool:
        """Is `shape`, which the thresholds counted, far quicker than the set's reps and
        unlike them? (A quicker rep that moves the whole pose as they do is a change of
        tempo: the last reps of a set of pause squats, say.)"""
        return shape.seconds < FLAIL * self.seconds and not self.likeness(shape) >= ALIKE


def shape_of(
    t: np.ndarray, streams: dict[str, np.ndarray], counted: str, start: float, end: float,
    depth: float,
) -> Shape | None:  # fmt: skip
    """The movement of range `depth` from `start` to `end` in the angle streams (`t`
    ascending, NaN where not measured); None where the `counted` angle's was not seen through
    it or did not move. Another angle not seen through it is left out."""
    if not end > start:
        return None
    inside = (t >= start) & (t <= end)
    curves = {}
    for name, x in streams.items():
        ok = inside & np.isfinite(x)
        if ok.sum() < 4 or float(np.max(np.diff(t[ok]))) > max(MAX_GAP, 0.5 * (end - start)):
            continue  # the movement's middle was not seen
        curve = np.interp(np.linspace(start, end, POINTS), t[ok], x[ok])
        curves[name] = curve - curve.mean()
    if counted not in curves or not float(curves[counted].std()) > 0:
        return None
    return Shape(end - start, depth, curves)


def rhythm_of(shapes: Sequence[Shape]) -> Rhythm | None:
    """The rhythm of a set's latest reps (oldest first), or None while they are too few, too
    irregular in duration or unlike one another."""
    latest = list(shapes)[-KEEP:]
    if len(latest) < MIN_REPS:
        return None
    durations = np.array([s.seconds for s in latest])
    if spread_of(durations) > MAX_SPREAD:
        return None
    seen = set.intersection(*(set(s.curves) for s in latest))
    curves = {n: np.mean([s.curves[n] for s in latest], axis=0) for n in sorted(seen)}
    depth = float(np.median([s.depth for s in latest]))
    rhythm = Rhythm(float(np.median(durations)), depth, curves)
    if not all(rhythm.likeness(s) >= ALIKE for s in latest):
        return None
    return rhythm
