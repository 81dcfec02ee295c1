"""The counting state machine of one body side: reps from timestamped angle samples, at given
thresholds. `threshold_counter.ThresholdCounter` runs one per counted side and merges their reps.

Per counted side the machine moves start → going → turn → returning → start. A rep counts
when the lifter came from the start position, passed the turning threshold and came back,
within the duration bounds, with enough range of motion, with the exercise's requirements met
and without losing sight of the body on the way. Thresholds have hysteresis and a phase must
hold for a minimum dwell, so landmark jitter and single-frame glitches cannot add reps.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Callable

import numpy as np

from reptrack.exercise.events import (
    Event,
    FormWarning,
    PhaseChanged,
    Rep,
    RepRejected,
)
from reptrack.exercise.judging import judge, measure_of, view_ok
from reptrack.exercise.measure import Sample, value_of
from reptrack.exercise.spec import CounterDef, ExerciseSpec, Requirement, Rule

START, GOING, TURN, RETURNING = "start", "going", "turn", "returning"


class _SideMachine:
    """Counts one side (or the auto-chosen side) of one exercise."""

    def __init__(
        self,
        spec: ExerciseSpec,
        side: str,
        counter: CounterDef,
        *,
        said_elsewhere: Callable[[str], bool] = lambda rule: False,
    ) -> None:
        """`said_elsewhere(rule)`: has the warning of `rule` been said for this movement
        already (by the other side, counting the same rep)?"""
        self.spec = spec
        self.c = counter
        self.said_elsewhere = said_elsewhere
        # The reps this side completed and did not hand over yet, each with where in the
        # events it belongs and the warnings it would be said with (`threshold_counter` takes them).
        self.completed: list[tuple[int, Rep, list[FormWarning]]] = []
        self.side = side
        self.sign = self.c.sign
        # The latest raw angles within filter_seconds, as (t, angle): a median over time, not
        # over a number of frames, so a 10 fps camera is filtered like a 60 fps one.
        self.window: deque[tuple[float, float]] = deque()
        self.phase: str | None = None  # None = not armed: waiting to see the start position
        self.armed_once = False  # has this side been armed since the stream began?
        self.candidate: tuple[str, float] | None = None
        self.last_valid = -math.inf  # when the counted angle was last measured
        self.body_lost = False  # the body left the view since the angle was last measured
        self.frame_interval = 0.0  # between the latest two measured frames (for the dwell)
        # The start position held before the rep in progress (at most max_rep_seconds of
        # it): filled only in the start phase and emptied on entering it again, so during a
        # rep it is that rep's lead-in. Rules with `phase = "start"` judge these samples.
        self.start_samples: deque[tuple[float, str, Sample]] = deque()
        # Only limits a running measure can cross for good are judged before the rep ends.
        self.live_rules = [
            r
            for r in spec.rules
            if (r.measure in ("max", "range") and r.above is not None)
            or (r.measure == "min" and r.below is not None)
        ]
        self._clear_rep()

    def _clear_rep(self) -> None:
        self.rep_start = math.nan
        self.turn_time = math.nan
        self.extreme = math.nan
        self.start_angle = math.nan
        self.samples: list[tuple[float, str, Sample]] = []
        self.warned: set[str] = set()
        self.running: dict[str, tuple[float, float]] = {}  # live rule → (min, max) so far
        self.yaws: list[float] = []  # the rep's body yaws, kept sorted for the median

    # Angles along the rep's direction: "lower" means further into the rep.
    def _deep(self, v: float, threshold: float) -> bool:
        return self.sign * v <= self.sign * threshold

    def _outermost(self, a: float, b: float) -> float:
        """Of two angles, the one further toward the start position (NaN-tolerant)."""
        if math.isnan(a):
            return b
        return a if self.sign * a >= self.sign * b else b

    def _value(self, sample: Sample, angle: str) -> float:
        return value_of(sample, angle, self.side)

    def _held(self, phase: str, t: float) -> bool:
        """True once `phase` has been wanted for the minimum dwell.

        Each frame stands for the time until the next one, so at 10 frames a second a
        position seen on two frames has lasted 0.2 s, as it has on seven at 30.
        """
        if self.candidate is None or self.candidate[0] != phase:
            self.candidate = (phase, t)
        return t - self.candidate[1] + self.frame_interval >= self.c.min_dwell

    def _enter(self, phase: str | None, t: float, events: list[Event]) -> None:
        self.candidate = None
        self.armed_once |= phase is not None
        if phase != self.phase:
            if phase == START:
                self.start_samples.clear()
            self.phase = phase
            if phase is not None:
                events.append(PhaseChanged(t, self.side, phase))

    def abort(self, t: float, reason: str, events: list[Event]) -> None:
        """Drop the rep in progress; counting resumes at the next start position."""
        if self.phase in (GOING, TURN, RETURNING) and reason:
            events.append(RepRejected(t, self.side, reason))
        self._clear_rep()
        self._enter(None, t, events)
        self.window.clear()

    def update(self, t: float, sample: Sample, events: list[Event]) -> None:
        raw = self._value(sample, self.c.angle)
        if math.isnan(raw):
            # A limb out of the frame (a hand above it at the top of a press) while the body
            # stays in view on every frame does not end the rep; losing the body does.
            self.body_lost |= not sample.get(f"vis.{self.side}", 0.0) > 0
            gap = t - self.last_valid > self.c.max_gap
            if self.phase is not None and gap and self.body_lost:
                self.abort(t, "lost sight of the body during the rep", events)
            elif self.phase in (GOING, TURN, RETURNING):
                self.samples.append((t, self.phase, sample))  # rules see what is missing
            return
        self.body_lost = False
        if t - self.last_valid > self.c.max_gap:
            # The limb was out of the frame (a hand above it at the top of a press) while the
            # body stayed in view: the rep goes on, but the filter starts afresh.
            self.window.clear()
        self.last_valid = t
        if self.window:
            self.frame_interval = min(t - self.window[-1][0], self.c.min_dwell)
        self.window.append((t, raw))
        while t - self.window[0][0] > self.c.filter_seconds:
            self.window.popleft()
        v = float(np.median([a for _, a in self.window]))
        c = self.c
        at_start = c.at_start(v)
        past_turn = c.past_turn(v)
        left_start = self._deep(v, c.start - self.sign * c.hysteresis)
        left_turn = not self._deep(v, c.turn + self.sign * c.hysteresis)

        if self.phase in (GOING, TURN, RETURNING):
            self.samples.append((t, self.phase, sample))
            yaw = sample.get("view", math.nan)
            if not math.isnan(yaw):
                bisect.insort(self.yaws, yaw)
            if t - self.rep_start > c.max_rep_seconds:
                self.abort(t, f"rep took longer than {c.max_rep_seconds:g} s", events)
                return
            if math.isnan(self.extreme) or self._deep(v, self.extreme):
                self.extreme, self.turn_time = v, t
            self._live_rules(t, events)
        elif self.phase == START:
            self.start_samples.append((t, START, sample))
            while t - self.start_samples[0][0] > c.max_rep_seconds:
                self.start_samples.popleft()

        if self.phase is None:
            if at_start and self._held(START, t):
                self._enter(START, t, events)
                self.start_angle = v
            elif (
                c.first_rep_from_turn
                and not self.armed_once
                and past_turn
                and (self._held(TURN, t))
            ):
                # A set that begins at the turning point (a deadlift's set-up at the bar):
                # the first pull counts once the lifter stands up with it.
                self._enter(TURN, t, events)
                self.rep_start = t
                self.extreme, self.turn_time = v, t
        elif self.phase == START:
            if at_start:
                self.start_angle = self._outermost(self.start_angle, v)
                self.rep_start = t
            if left_start and self._held(GOING, t):
                self._enter(GOING, t, events)
                if math.isnan(self.rep_start):
                    self.rep_start = t
        elif self.phase == GOING:
            if past_turn and self._held(TURN, t):
                self._enter(TURN, t, events)
            elif at_start and self._held(START, t):
                # Came back without reaching the turning point: a partial rep.
                found = self._judged(t, v)
                partial = found if isinstance(found, Rep) else None
                warnings = self._warnings(partial, t) if partial is not None else ()
                events.append(RepRejected(t, self.side, "did not reach the turning point",
                                          partial, warnings))  # fmt: skip
                self._clear_rep()
                self._enter(START, t, events)
                self.start_angle = v
        elif self.phase == TURN:
            if math.isnan(self.start_angle) and self._deep(
                v, self.extreme + self.sign * c.hysteresis
            ):
                self.rep_start = t  # a first rep from the turn starts as it leaves the bottom
            if left_turn and self._held(RETURNING, t):
                self._enter(RETURNING, t, events)
        elif self.phase == RETURNING:
            if past_turn and self._held(TURN, t):
                self._enter(TURN, t, events)
            elif at_start and self._held(START, t):
                self._complete(t, v, events)
                self._enter(START, t, events)
                self.start_angle = v
                self.rep_start = t

    def finish(self, t: float, events: list[Event]) -> None:
        """The stream ends: a rep that has come back to the start position counts.

        The last frames show the lifter back at the start, but the median filter and the
        minimum dwell have not confirmed it yet. A rep that has not come back (still at or
        near its turning point) does not count, as a labeller would not count it.
        """
        if self.phase != RETURNING or not self.window:
            return
        settled = len(self.window) // 2 + 1  # the frames that decide the median
        recent = [a for _, a in list(self.window)[-settled:]]
        if all(self.c.at_start(v) for v in recent):
            self._complete(t, recent[-1], events)
            self._enter(START, t, events)

    def _values(self, angle: str, phase: str | None) -> list[float]:
        """The rep's values of `angle`: in one phase, or from leaving the start to coming back.

        The start phase is the start position held just before the rep.
        """
        if phase == START:
            return [self._value(s, angle) for _, _, s in self.start_samples]
        return [self._value(s, angle) for _, p, s in self.samples if phase is None or p == phase]

    def _view_ok(self, rule: Rule) -> bool:
        return view_ok(rule, self.yaws)

    def _live_rules(self, t: float, events: list[Event]) -> None:
        """Warn as soon as a rule is broken, updating each rule's running min/max in O(1)."""
        _, phase, sample = self.samples[-1]
        for rule in self.live_rules:
            if rule.name in self.warned or (rule.phase is not None and rule.phase != phase):
                continue
            v = self._value(sample, rule.angle)
            if math.isnan(v):
                continue
            lo, hi = self.running.get(rule.name, (v, v))
            lo, hi = min(lo, v), max(hi, v)
            self.running[rule.name] = (lo, hi)
            value = {"min": lo, "max": hi, "range": hi - lo}[rule.measure]
            if rule.violated(value) and self._view_ok(rule):
                self.warned.add(rule.name)
                if not self.said_elsewhere(rule.name):
                    events.append(FormWarning(t, self.side, rule.name, rule.message, rule.severity))

    def _requirement_failed(self, req: Requirement) -> bool:
        return req.failed(measure_of(self._values(req.angle, req.phase), req.measure))

    def _complete(self, t: float, v: float, events: list[Event]) -> None:
        found = self._judged(t, v)
        if isinstance(found, str):
            events.append(RepRejected(t, self.side, found))
            self._clear_rep()
            return
        warnings = list(self._warnings(found, t))
        self._clear_rep()
        self.completed.append((len(events), found, warnings))

    def _warnings(self, rep: Rep, t: float) -> tuple[FormWarning, ...]:
        """The warnings `rep` is said with once counted (not for a merged one): its broken
        rules, but for those said during it."""
        severity = {r.name: r.severity for r in self.spec.rules}
        return tuple(FormWarning(t, self.side, name, message, severity[name])
                     for name, message in zip(rep.flags, rep.messages, strict=True)
                     if name not in self.warned)  # fmt: skip

    def _judged(self, t: float, v: float) -> Rep | str:
        """The rep in progress, ending at `t` at angle `v`, judged; or why it is no rep."""
        c = self.c
        duration = t - self.rep_start
        # A first rep from the turn is only its way back: half a rep's least duration.
        quickest = c.min_rep_seconds / (2 if math.isnan(self.start_angle) else 1)
        start_angle = self._outermost(self.start_angle, v)
        rom = abs(start_angle - self.extreme)
        if duration < quickest:
            return f"too fast ({duration:.2f} s < {quickest:g} s)"
        if rom < c.min_range:
            return f"range of motion {rom:.0f}° < {c.min_range:g}°"
        for req in self.spec.requires:
            if self._requirement_failed(req):
                return f"movement is not this exercise ({req.angle} {req.measure})"
        broken, measures = judge(self.spec, self._values, self.yaws)
        return Rep(
            number=0,  # the counter numbers the reps it counts
            side=self.side,
            start=self.rep_start,
            end=t,
            turn_time=self.turn_time,
            extreme=self.extreme,
            start_angle=start_angle,
            flags=tuple(r.name for r in broken),
            messages=tuple(r.message for r in broken),
            measures=measures,
        )
