"""Recognising the exercise in a pose stream, among the shipped and learned ones, live.

The evidence is what already exists. Every exercise's own counter, with its requirements and
its `[[recognize]]` conditions (what tells it from the exercises whose counters count the
same movement: a deadlift's hanging hands, a lunge's split legs), says how many reps it would
count, or how long a hold's position was held. The exercise named is the one whose counter
counts the most reps that look like a set (see `alike`); counts a rep apart are a draw,
settled by what `teach.analysis` says moves (the arms, or the legs and trunk), then by the more
specific definition (more conditions), then by the count. A hold is named by its position,
once held MIN_HOLD_SECONDS with no rep counted meanwhile. Nothing is named while nothing
repeats or holds.

A stream can also hold one rep and nothing else: a heavy single, a rep filmed to check the
form. Once such a stream has ended, its rep is named when it is unmistakable (see `lone`):
one exercise alone counted a rep at a deliberate pace, and that one rep only. Walking,
resting and adjusting the camera make quick swings several counters count, or nothing.

`Recognizer` watches a stream frame by frame, its counters fed at most RATE times a second
(cheap enough beside the pose model); it names an exercise once the movement has repeated
DECIDE_REPS times, and keeps the stream's poses since it began so that the set started for
that exercise can count the reps seen while deciding. `recognize` runs one over a recorded
stream.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from reptrack.exercise.events import Rep
from reptrack.exercise.hold_timer import HoldTimer
from reptrack.exercise.measure import Memo, Sample, sample
from reptrack.exercise.rep_counter import RepCounter
from reptrack.exercise.spec import ExerciseSpec
from reptrack.pose.types import Pose
from reptrack.teach import analysis as learning
from reptrack.teach.demonstration import candidate_spec, columns, traces

MIN_REPS = 2  # a movement named at the end of a stream must have repeated
DECIDE_REPS = 3  # named while the stream goes on: one more rep, so a lead is not a fluke
MIN_HOLD_SECONDS = 5.0  # a hold named must have been held this long
# Reps of one set take about as long as each other: a rep lasting this many times the median
# (or a 1/ALIKE of it) is a stray movement, not the set's (walking swings an arm once in a
# while; tired reps slow down by far less).
ALIKE = 2.5
# A lone rep is deliberate when it takes at least this many times its exercise's quickest rep
# (`min_rep_seconds`): a swing of a walking arm, or a foot shuffled, is about as quick as a
# counter allows; a single done to be counted is not hurried. (The shared videos' singles take
# 3.2 to 9 times their quickest; the stray movements before and after their sets that a
# counter takes for a rep, 2 to 3.7 times: see test_recognition's NAMED_AT_THE_EDGES.)
DELIBERATE = 3.0
RATE = 10.0  # counters are fed at most this many times a second
KIND_EVERY = 2.0  # what moves is worked out again at most this often (seconds)
# Seventeen counters fitting their thresholds to the person every second would cost the live
# loop more than the pose model leaves: a set is named after three reps anyway.
FIT_EVERY_WATCHING = 3.0
ARMS = frozenset({"elbow", "shoulder", "upper_arm", "forearm", "wrist"})
BODY_POINTS = frozenset({"hip", "knee", "ankle", "heel", "foot_index"})

Counting = RepCounter | HoldTimer
Poses = list[tuple[float, Pose | None]]


def carried_by(spec: ExerciseSpec) -> str:
    """ "arms" or "body": what moves the exercise's shown angle (a joint's vertex; a segment
    that reaches the hips or the legs is the body's)."""
    angle = spec.angles[spec.shown_angle]
    if angle.kind == "joint":
        return "arms" if angle.points[1] in ARMS else "body"
    points = angle.points or tuple(p for name in angle.of for p in spec.angles[name].points)
    return "body" if BODY_POINTS & set(points) else "arms"


def alike(reps: Iterable[Rep]) -> int:
    """How many of `reps` last about as long as their median rep (within ALIKE times)."""
    durations = [r.duration for r in reps if r.duration > 0]
    if not durations:
        return 0
    middle = statistics.median(durations)
    return sum(middle / ALIKE <= d <= middle * ALIKE for d in durations)


def lone(counters: Iterable[RepCounter]) -> RepCounter | None:
    """The counter of a stream's one deliberate rep: the only one that counted a rep taking
    DELIBERATE times its exercise's quickest or more, and that rep only; else None."""
    deliberate = [
        c
        for c in counters
        if any(r.duration >= DELIBERATE * c.spec.counting.min_rep_seconds for r in c.reps)
    ]
    if len(deliberate) == 1 and deliberate[0].count == 1:
        return deliberate[0]
    return None


def carried(t: np.ndarray, values: dict[str, np.ndarray]) -> str | None:
    """What `teach.analysis` says carries the repetition in the candidate angle streams
    (`teach.demonstration.streams`): "arms", "body" or None."""
    try:
        finding = learning.choose(traces(t, values))
    except learning.NoRepetition:
        return None
    return "arms" if finding.candidate.name in ARMS else "body"


@dataclass
class Recognition:
    exercise: str | None  # the exercise named; None: nothing repeated or held
    counter: Counting | None  # its recognising counter, over the stream it was named on
    carried_by: str | None  # what the repetition's chosen angle says moves: arms, body
    counts: dict[str, float] = field(default_factory=dict)  # each exercise's reps or seconds
    at: float | None = None  # when it was named (stream time)

    @property
    def count(self) -> float | None:
        """The named exercise's reps, or a hold's seconds in position."""
        return None if self.counter is None else self.counter.amount()


class Recognizer:
    """Watches a pose stream and names the exercise in it (see the module's doc)."""

    def __init__(self, candidates: Iterable[ExerciseSpec], *, strict: bool = True) -> None:
        """`strict`: count with each exercise's recognition conditions (to tell it from the
        others); without, as a session of it counts (to ask only whether it has begun)."""
        self.candidates = [s.recognizing() if strict else s for s in candidates]
        self._last = -1.0
        self.poses: Poses = []  # every frame since the restart, for the set that follows
        self.restart()

    def restart(self, keep: float = 0.0) -> None:
        """Forget what was seen but the last `keep` seconds (a rep under way): watch for an
        exercise from there on."""
        kept = [(t, p) for t, p in self.poses if keep > 0 and t >= self._last - keep]
        # a hold is held from here on: what is kept is for a rep under way
        self._restarted = self._last if self.poses else -math.inf
        # each kind on its own, to be asked what it counts: reps, or seconds held
        self.rep_counters = {
            s.name: RepCounter(s, fit_every=FIT_EVERY_WATCHING)
            for s in self.candidates
            if not s.is_hold
        }
        self.hold_timers = {s.name: HoldTimer(s) for s in self.candidates if s.is_hold}
        self.counters: dict[str, Counting] = {
            s.name: self.hold_timers[s.name] if s.is_hold else self.rep_counters[s.name]
            for s in self.candidates
        }
        self.poses = []
        self._fed: Poses = []  # the frames the counters were fed
        self._last = -1.0
        self._asked: tuple[int, ...] | None = None  # the counts the last decision saw
        self._carried: str | None = None
        self._rows: list[Sample] = []  # the candidate angles of the frames fed, once asked
        self._kind_at = -KIND_EVERY
        for t, pose in kept:
            self._take(t, pose)

    def update(self, t: float, pose: Pose | None) -> Recognition | None:
        """Take one frame; the exercise once it is named, else None."""
        return self.decide(final=False) if self._take(t, pose) else None

    def _take(self, t: float, pose: Pose | None) -> bool:
        """Keep a frame, and feed it to the counters if it is their turn: fed or not."""
        self.poses.append((t, pose))
        if self._fed and t - self._fed[-1][0] < 1.0 / RATE:
            return False
        self._fed.append((t, pose))
        self._last = t
        memo: Memo = {}  # the angles the exercises share, measured once
        for counter in self.counters.values():
            counter.update(t, sample(pose, counter.spec, memo=memo))
        return True

    def finish(self, *, whole: bool = True) -> Recognition | None:
        """The stream has ended: what it showed, if anything (a set of MIN_REPS will do).
        `whole`: what was watched is the whole stream (no set came before), so a lone rep
        may be all it shows (see `lone`)."""
        for counter in self.counters.values():
            counter.finish(self._last)
        named = self.decide(final=True)
        if named is None and whole and (single := lone(self.rep_counters.values())) is not None:
            named = Recognition(single.spec.name, single, None, self.counts(), self._last)
        return named

    def counts(self) -> dict[str, float]:
        return {name: c.amount() for name, c in self.counters.items()}

    def decide(self, *, final: bool) -> Recognition | None:
        least = MIN_REPS if final else DECIDE_REPS
        reps = [c for c in self.rep_counters.values() if alike(c.reps) >= least]
        holds = [c for c in self.hold_timers.values() if self._held(c)]
        if not reps and not holds:
            return None
        kind: str | None = None
        named: Counting | None = None
        if reps:
            # Counts a rep apart are a draw: counters start and end a rep at different angles.
            most = max(alike(c.reps) for c in reps)
            close = [
                c for c in self.rep_counters.values() if alike(c.reps) >= max(most - 1, MIN_REPS)
            ]
            if len({carried_by(c.spec) for c in close}) > 1:  # worth asking what moves
                kind = self._kind()
            named = max(
                close,
                key=lambda c: (carried_by(c.spec) == kind, len(c.spec.requires), alike(c.reps)),
            )
        else:
            named = max(holds, key=lambda c: c.held())
        if named is None:
            return None
        return Recognition(named.spec.name, named, kind, self.counts(), self._last)

    def _held(self, hold: HoldTimer) -> bool:
        """Has the hold's position been held, still, for the last MIN_HOLD_SECONDS? A rep
        counted in the meantime (a push-up's, from a plank) says the body was moving."""
        since = hold.holding_since
        # (held since the restart: what a restart keeps is for a rep under way)
        if since is None or self._last - max(since, self._restarted) < MIN_HOLD_SECONDS:
            return False
        return not self.moving(self._last - MIN_HOLD_SECONDS)

    def moving(self, since: float) -> bool:
        """Has any counter counted a rep that ended after `since`?"""
        return any(c.reps and c.reps[-1].end > since for c in self.rep_counters.values())

    def _kind(self) -> str | None:
        """What carries the repetition in the frames fed so far (worked out again only when
        a count has changed)."""
        asked = tuple(c.count for c in self.rep_counters.values())
        if asked != self._asked and self._last - self._kind_at >= KIND_EVERY:
            self._kind_at = self._last
            # each frame's candidate angles are measured once, the first time they are asked
            spec = candidate_spec()
            self._rows += [sample(p, spec) for _, p in self._fed[len(self._rows) :]]
            t = np.array([ts for ts, _ in self._fed], dtype=float)
            self._asked, self._carried = asked, carried(t, columns(self._rows))
        return self._carried


def recognize(
    poses: Iterable[tuple[float, Pose | None]], candidates: Iterable[ExerciseSpec]
) -> Recognition:
    """What a recorded stream shows, as the live recognizer names it: the first exercise
    named, or what the whole stream shows when nothing was named before it ended."""
    recognizer = Recognizer(candidates)
    for t, pose in poses:
        if named := recognizer.update(t, pose):
            return named
    return recognizer.finish() or Recognition(None, None, None, recognizer.counts())
