"""Recognising the exercise in a recorded stream, among the shipped and learned ones: the
evidence is what already exists. Every exercise's own counter (its thresholds and its
requirements) says how many reps it would count, or how long a hold's position was held;
`learning.choose` says whether the arms or the body (legs and trunk) carry the repetition.
The exercise named is the one of that kind whose counter counts the most (at least
MIN_REPS; a tie goes to the more specific definition, the one with more requirements); a
hold, when nothing repeats. Nothing is named while nothing repeats or holds.

A first version, measured by `reptrack eval LABELS --auto`: it runs every counter over the
whole stream, so it is for recorded streams, not yet for the live loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from reptrack.exercise import learning
from reptrack.exercise.counter import RepCounter
from reptrack.exercise.counting import make
from reptrack.exercise.demo import candidate_spec, streams, traces
from reptrack.exercise.holding import HoldTimer
from reptrack.exercise.measure import sample
from reptrack.exercise.spec import ExerciseSpec
from reptrack.pose.types import Pose

MIN_REPS = 2  # a movement named must have repeated
MIN_HOLD_SECONDS = 5.0  # a hold named must have been held this long
ARMS = frozenset({"elbow", "shoulder", "upper_arm", "forearm", "wrist"})
BODY_POINTS = frozenset({"hip", "knee", "ankle", "heel", "foot_index"})


def carried_by(spec: ExerciseSpec) -> str:
    """ "arms" or "body": what moves the exercise's shown angle (a joint's vertex; a segment
    that reaches the hips or the legs is the body's)."""
    angle = spec.angles[spec.shown_angle]
    if angle.kind == "joint":
        return "arms" if angle.points[1] in ARMS else "body"
    points = angle.points or tuple(p for name in angle.of for p in spec.angles[name].points)
    return "body" if BODY_POINTS & set(points) else "arms"


@dataclass
class Recognition:
    exercise: str | None  # the exercise named; None: nothing repeated or held
    counter: RepCounter | HoldTimer | None  # its counter, run over the whole stream
    carried_by: str | None  # what the repetition's chosen angle says moves: arms, body
    counts: dict[str, float] = field(default_factory=dict)  # each exercise's reps or seconds

    @property
    def count(self) -> float | None:
        """The named exercise's reps, or a hold's seconds in position."""
        if isinstance(self.counter, HoldTimer):
            return self.counter.held()
        return None if self.counter is None else self.counter.count


def _carried(poses: list[tuple[float, Pose | None]]) -> str | None:
    t, values = streams(poses, candidate_spec())
    try:
        finding = learning.choose(traces(t, values))
    except learning.NoRepetition:
        return None
    return "arms" if finding.candidate.name in ARMS else "body"


def recognize(
    poses: Iterable[tuple[float, Pose | None]], candidates: Iterable[ExerciseSpec]
) -> Recognition:
    """Which of `candidates` the stream shows, with its counter run over it."""
    stream = list(poses)
    counters = {spec.name: make(spec) for spec in candidates}
    t = 0.0
    for t, pose in stream:
        for counter in counters.values():
            counter.update(t, sample(pose, counter.spec))
    for counter in counters.values():
        counter.finish(t)
    counts = {
        name: c.held() if isinstance(c, HoldTimer) else float(c.count)
        for name, c in counters.items()
    }
    carried = _carried(stream)
    reps = [
        c
        for c in counters.values()
        if isinstance(c, RepCounter)
        and c.count >= MIN_REPS
        and (carried is None or carried_by(c.spec) == carried)
    ]
    holds = [
        c for c in counters.values() if isinstance(c, HoldTimer) and c.held() >= MIN_HOLD_SECONDS
    ]
    named: RepCounter | HoldTimer | None = None
    if carried is None and holds:
        named = max(holds, key=lambda c: c.held())
    elif reps:
        named = max(reps, key=lambda c: (c.count, len(c.spec.requires)))
    return Recognition(named.spec.name if named else None, named, carried, counts)
