"""Which angle carries a demonstrated repetition: every candidate angle's stream analysed,
the one a coach would name chosen, and whether one side, both together or the two in turn do
it; or why there is nothing to learn. The cycles are found by `cycles`, the thresholds that
count them set by `fitting`.

Pure functions on arrays of timestamps and angles (degrees, NaN where not measured): no pose
model, camera or screen. `reptrack exercises learn` feeds them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reptrack.errors import ReptrackError
from reptrack.exercise.cycles import (
    RATE,
    Cycle,
    find_cycles,
    likeness,
    regular,
    rests_high,
    shared,
    smooth,
    spread,
)


# -- which angle carries the repetition --------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """An angle the exercise language can express, named as a coach would name it."""

    name: str  # "knee", "upper_arm"
    kind: str  # joint | segment
    points: tuple[str, ...]
    body: bool  # trunk and legs (they move the body) rather than the arms

    def key(self, space: str) -> str:
        return f"{self.name}_{space}"


CANDIDATES: tuple[Candidate, ...] = (
    Candidate("elbow", "joint", ("shoulder", "elbow", "wrist"), body=False),
    Candidate("shoulder", "joint", ("elbow", "shoulder", "hip"), body=False),
    Candidate("hip", "joint", ("shoulder", "hip", "knee"), body=True),
    Candidate("knee", "joint", ("hip", "knee", "ankle"), body=True),
    Candidate("ankle", "joint", ("knee", "ankle", "foot_index"), body=True),
    Candidate("upper_arm", "segment", ("elbow", "shoulder"), False),
    Candidate("forearm", "segment", ("wrist", "elbow"), False),
    Candidate("trunk", "segment", ("shoulder", "hip"), True),
    Candidate("thigh", "segment", ("knee", "hip"), True),
    Candidate("shin", "segment", ("ankle", "knee"), True),
)
JOINT_SPACES = ("world", "image", "view")  # a segment is measured in the image only


def candidate_angles() -> dict[str, tuple[Candidate, str]]:
    """Every candidate in every space it can be measured in, by stream name."""
    out = {}
    for c in CANDIDATES:
        for space in JOINT_SPACES if c.kind == "joint" else ("image",):
            out[c.key(space)] = (c, space)
    return out


# A movement smaller than this (degrees, at its median cycle) is not told from the pose
# model's jitter and a body's sway: a walk's knees swing 20-40° in a front view.
MIN_DEPTH = 40.0
# The legs and trunk carry the repetition when they bend this much: arms move freely along
# with a squat (held forward, holding a bar), but a knee or hip that bends this far again and
# again means the body itself goes up and down.
BODY_DEPTH = 45.0
# Cycle durations may spread this much (median absolute deviation over the median) and still
# be a set: people change tempo as they tire.
MAX_SPREAD = 0.35
# Each repetition looks like the next: the stream correlates at least this much with itself
# one repetition later (see likeness).
MIN_LIKENESS = 0.4
MIN_CYCLES = 2


@dataclass(frozen=True)
class Trace:
    """One candidate stream, as the analysis saw it."""

    stream: str  # "knee_view.left"
    candidate: Candidate
    space: str
    side: str
    decrease: bool
    cycles: tuple[Cycle, ...]
    likeness: float  # correlation of the stream with itself one repetition later
    coverage: float  # share of the time it was measured

    @property
    def depth(self) -> float:
        return float(np.median([c.depth for c in self.cycles])) if self.cycles else 0.0

    @property
    def spread(self) -> float:
        return spread(self.cycles)

    @property
    def repeats(self) -> bool:
        return len(self.cycles) >= MIN_CYCLES and self.coverage >= 0.5

    @property
    def regular(self) -> bool:
        return self.spread <= MAX_SPREAD and self.likeness >= MIN_LIKENESS

    @property
    def qualifies(self) -> bool:
        return self.repeats and self.depth >= MIN_DEPTH and self.regular


def trace(stream: str, t: np.ndarray, x: np.ndarray) -> Trace:
    """Analyse one candidate stream (name `candidate_space.side`)."""
    key, side = stream.rsplit(".", 1)
    candidate, space = candidate_angles()[key]
    xs = smooth(regular(t, x))
    coverage = float(np.isfinite(xs).mean()) if len(xs) else 0.0
    decrease = rests_high(xs)
    cycles = tuple(find_cycles(xs, decrease))
    like = likeness(xs, cycles)
    return Trace(stream, candidate, space, side, decrease, cycles, like, coverage)


class NoRepetition(ReptrackError):
    """The streams hold nothing reptrack could learn to count."""


@dataclass(frozen=True)
class Finding:
    """The angle that carries a repetition, on the sides that do it."""

    candidate: Candidate
    space: str  # the space to count it in
    traces: tuple[Trace, ...]  # one per side that repeats, best first
    mode: str  # "one side", "both together" or "alternating"

    @property
    def decrease(self) -> bool:
        return self.traces[0].decrease

    @property
    def cycles(self) -> list[Cycle]:
        return sorted((c for t in self.traces for c in t.cycles), key=lambda c: c.start)

    @property
    def sides(self) -> str:
        names = [t.side for t in self.traces]
        return names[0] if len(names) == 1 else "both"


def _why_not(traces: list[Trace]) -> str:
    repeating = [t for t in traces if t.repeats]
    if not repeating:
        return (
            f"nothing repeats: no angle of the body went out and back at least {MIN_CYCLES} times"
        )
    deep = [t for t in repeating if t.depth >= MIN_DEPTH]
    if not deep:
        best = max(repeating, key=lambda t: t.depth)
        return (
            f"the movement is too small: the largest repeated one is {best.depth:.0f}° "
            f"({best.side} {best.candidate.name}), and under {MIN_DEPTH:.0f}° a movement "
            "cannot be told from the pose model's jitter"
        )
    best = max(deep, key=lambda t: t.likeness)
    if best.likeness < MIN_LIKENESS:
        why = (
            "no repetition looks like the next (at best a correlation of "
            f"{best.likeness:.2f} one repetition later, on the {best.side} "
            f"{best.candidate.name}; a set reaches {MIN_LIKENESS:g})"
        )
    else:
        why = (
            f"the tempo is all over the place (the {best.side} {best.candidate.name}'s "
            f"repetitions vary in length by {best.spread:.0%}; a set stays within "
            f"{MAX_SPREAD:.0%})"
        )
    return f"the movement is too irregular: {why}"


def _mode(left: Trace, right: Trace) -> str:
    """Do two sides repeat together or take turns?"""
    together = sum(
        any(shared(a.start, a.end, b.start, b.end) >= 0.5 for b in right.cycles)
        for a in left.cycles
    )
    return "both together" if together >= len(left.cycles) / 2 else "alternating"


def choose(traces: list[Trace], reps: int | None = None) -> Finding:
    """The angle that carries the repetition, or NoRepetition saying why there is none.

    Among the streams that repeat regularly with a range the pose model can see: the legs and
    trunk when they bend far enough (see BODY_DEPTH), else any; then the largest range. A
    joint is preferred to a segment that swings more, when the joint moves at least half as
    much: a segment's angle from the vertical adds up every joint above it and the body's
    lean (a forearm swings with the elbow and the shoulder), a joint angle is the one joint.
    Told how many reps there are, only streams with that many cycles are taken, if any.
    """
    good = [t for t in traces if t.qualifies]
    if reps is not None:
        good = [t for t in good if len(t.cycles) == reps] or good
    if not good:
        raise NoRepetition(
            f"no repetition to learn from: {_why_not(traces)}",
            hint="film 3-5 slow, full repetitions of one exercise, the whole body in view",
        )
    # An angle measured in several spaces is judged by its median range over them (one space
    # may catch a stray pair of cycles), and shown moving by its largest.
    spaces: dict[str, list[Trace]] = {}
    for t in good:
        spaces.setdefault(t.candidate.name, []).append(t)
    typical = {name: float(np.median([t.depth for t in ts])) for name, ts in spaces.items()}
    largest = {name: max(t.depth for t in ts) for name, ts in spaces.items()}
    names = [n for n in spaces if spaces[n][0].candidate.body and typical[n] >= BODY_DEPTH]
    names = names or list(spaces)
    best = max(names, key=lambda n: typical[n])
    joints = [
        n
        for n in names
        if spaces[n][0].candidate.kind == "joint" and largest[n] >= typical[best] / 2
    ]
    chosen = max(joints, key=lambda n: typical[n]) if joints else best
    of_chosen = spaces[chosen]
    candidate = of_chosen[0].candidate
    # A joint counts in "view" space (it holds from the side and the front) when that shows
    # the repetition; else in the space that showed it best.
    space = (
        "view"
        if any(t.space == "view" for t in of_chosen)
        else max(of_chosen, key=lambda t: t.depth).space
    )
    sides = sorted((t for t in of_chosen if t.space == space), key=lambda t: -t.depth)
    if len(sides) == 2:
        by_side = {t.side: t for t in sides}
        mode = _mode(by_side["left"], by_side["right"])
    else:
        mode = "one side"
    return Finding(candidate, space, tuple(sides), mode)


# A rep of a legs-and-trunk exercise must be the movement demonstrated: bending over to pick
# something up closes the knees and hips as a squat does, with the trunk far more inclined.
# During a rep the trunk may lean this much more than in the demonstration's most inclined one.
POSTURE_MARGIN = 20.0


def trunk_limit(finding: Finding, t: np.ndarray, trunk: dict[str, np.ndarray]) -> float | None:
    """The most the trunk may lean from vertical during a rep, or None when it need not be
    limited: an arm exercise (a swinging curl is a form fault, not another movement), the
    trunk being the counted angle, or a demonstration that already leans near horizontal (a
    sit-up, a deadlift)."""
    if not finding.candidate.body or finding.candidate.name == "trunk":
        return None
    leans = []
    for tr in finding.traces:
        if tr.side not in trunk:
            continue
        lean = smooth(regular(t, trunk[tr.side]))
        for c in tr.cycles:
            during = lean[round(c.start * RATE) : round(c.end * RATE) + 1]
            if np.isfinite(during).any():
                leans.append(float(np.nanmax(during)))
    if not leans:
        return None
    limit = round(max(leans) + POSTURE_MARGIN)
    return float(limit) if limit < 90 else None
