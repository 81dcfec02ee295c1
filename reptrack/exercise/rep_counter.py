"""The rep counter: the threshold machine, fitted to the person as the set goes on.

`RepCounter.update(t, sample)` returns the events that sample caused, and is pure: the same
stream always gives the same events, so live sessions, replays of stored sessions and tests
share one path. It counts with the definition's thresholds (`threshold_counter.ThresholdCounter`)
until the movement has clearly repeated; then, if the person's reps do not pass those
thresholds firmly (a foreshortening camera, a shorter range), it fits them to the person
(`adapting.fit`) and runs the buffered stream again: a rep that the fitted thresholds count
and the shipped ones missed is recovered, and reaches every sink as any other rep does. A rep
once counted is never taken back. Each rep says how it was counted (`Rep.counted_by`).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import replace

import numpy as np

from reptrack.exercise.adapting import fit
from reptrack.exercise.events import (
    Event,
    FormWarning,
    Hold,
    Rep,
    RepCompleted,
    RepRejected,
    RuleUnjudged,
)
from reptrack.exercise.measure import Sample, landmarks_of, value_of
from reptrack.exercise.periodicity import DEGREES, KEEP, Rhythm, Shape, rhythm_of, shape_of
from reptrack.exercise.side_machine import GOING, RETURNING, TURN
from reptrack.exercise.spec import CounterDef, ExerciseSpec
from reptrack.exercise.threshold_counter import ThresholdCounter, same_movement

__all__ = ["FormWarning", "Rep", "RepCounter"]

# The stream kept for fitting and for recovering the reps seen before the fit (per set).
HISTORY_SECONDS = 90.0
# Look for a fit this often (stream seconds), backing off while the set repeats and the
# thresholds suit it, so a long set costs the live loop next to nothing.
FIT_EVERY, FIT_EVERY_MAX = 1.0, 8.0
# Why a rep the thresholds counted was not one, by the set's rhythm.
FLAIL = "far quicker than this set's reps, and unlike them"

SHIPPED, ADAPTED, RECOVERED, PERIODIC = "shipped", "adapted", "recovered", "periodic"


class RepCounter:
    """Counts one exercise's reps; see the module's doc. `adapt=False` keeps the
    definition's thresholds (an exercise fitted by `calibrate`, a test of the machine);
    `fit_every` is how often (seconds of stream) it fits them at most."""

    def __init__(
        self,
        spec: ExerciseSpec,
        side: str | None = None,
        *,
        adapt: bool = True,
        fit_every: float = FIT_EVERY,
    ) -> None:
        self.spec = spec
        self.side_mode = side or spec.side
        self.adapt = adapt and spec.counting.adapt_by > 0
        self.machine = ThresholdCounter(spec, side)
        self.reps: list[Rep] = []
        self.fits: list[tuple[float, str, CounterDef]] = []  # (when, side, thresholds)
        self.why: list[str] = []  # what was fitted, and why
        self._undone: list[Rep] = []  # reps the user took back: never recovered again
        self._shapes: dict[str, list[Shape]] = {}  # each side's counted reps, for the rhythm
        # the angles the rhythm compares reps on: the counted one and every other in degrees
        self._rhythm_angles = [spec.counting.angle] + [
            a.name for a in spec.angles.values()
            if a.kind in DEGREES and a.name != spec.counting.angle
        ]  # fmt: skip
        self._unjudged: set[str] = set()  # rules already said to be unjudged
        self._times: deque[float] = deque()  # the set's stream, HISTORY_SECONDS at most
        self._samples: deque[Sample] = deque()
        self._next_fit = -math.inf
        self._fit_least = fit_every  # seconds between fits while they change something
        self._fit_every = fit_every

    # -- what the sinks read ---------------------------------------------------------------
    @property
    def count(self) -> int:
        return len(self.reps)

    @property
    def active(self) -> str:
        return self.machine.active

    @property
    def present(self) -> bool:
        return self.machine.present

    def phase(self) -> str | None:
        return self.machine.phase()

    def amount(self) -> float:
        """How much was done: the reps counted."""
        return float(self.count)

    def set_held(self, t: float) -> float | None:
        """A hold's seconds in position in this set: a counter of reps has none."""
        return None

    def timed_holds(self) -> list[Hold] | None:
        """The holds timed: a counter of reps times none."""
        return None

    def shown_value(self, sample: Sample, angle: str) -> float:
        """`angle` as the live screen shows it: this frame's, on the side being counted."""
        return value_of(sample, angle, self.active)

    @property
    def fitted(self) -> dict[str, CounterDef]:
        """Each fitted side's thresholds, as last fitted."""
        return {side: counter for _, side, counter in self.fits}

    def counter_for(self, side: str) -> CounterDef:
        """The thresholds `side` counts with now."""
        return self.machine.counters.get(side, self.spec.counting)

    # -- the stream ------------------------------------------------------------------------
    def update(self, t: float, sample: Sample) -> list[Event]:
        self._keep(t, sample)
        events = self._counted(self.machine.update(t, sample))
        if self.adapt and t >= self._next_fit and not self._inside_rep():
            events += self._refit(t)
        return events

    def finish(self, t: float) -> list[Event]:
        """The stream ends (a video's last frame, or the session): the set is fitted one last
        time, and a rep back at the start counts (see `side_machine._SideMachine.finish`)."""
        events = self._refit(t) if self.adapt and not self._inside_rep() else []
        return events + self._counted(self.machine.finish(t))

    def undo(self) -> Rep | None:
        """Remove the last rep (the user says it did not count)."""
        if not self.reps:
            return None
        rep = self.reps.pop()
        self._undone.append(rep)
        return rep

    def reset(self) -> None:
        """A new set: drop any rep in progress and the buffered stream; the thresholds fitted
        to the person stay (same person, same camera)."""
        self.machine.reset()
        self._times.clear()
        self._samples.clear()
        self._undone.clear()

    # -- counting and fitting --------------------------------------------------------------
    def _counted(self, events: list[Event], how: str | None = None) -> list[Event]:
        """The machine's events with its reps numbered as this counter's, each movement once
        (a recount finds the reps counted before it again, and a machine that took over
        mid-set may finish a movement the one before it counted), and the set's rhythm asked
        for its second opinion: a partial movement like the set's reps counts, a quick one
        unlike them does not (`periodicity`)."""
        out: list[Event] = []
        for e in events:
            shape = None
            if isinstance(e, RepRejected) and e.partial is not None:
                rhythm = None if self._known(e.partial) else self._rhythm(e.partial.side)
                shape = self._shape(e.partial) if rhythm is not None else None
                if (
                    rhythm is None
                    or shape is None
                    or not rhythm.missed(shape, self.spec.counting.least)
                ):
                    out.append(e)
                    continue
                warned = list(e.warnings)
                e = RepCompleted(e.t, e.partial)
                how_now = PERIODIC
            elif isinstance(e, RepCompleted):
                if self._known(e.rep):
                    continue
                rhythm, shape = self._rhythm(e.rep.side), self._shape(e.rep)
                if rhythm is not None and shape is not None and rhythm.flail(shape):
                    out = [w for w in out if not _warns_for(w, e)]
                    out.append(RepRejected(e.t, e.rep.side, FLAIL))
                    continue
                warned = []
                how_now = how or (ADAPTED if e.rep.side in self.fitted else SHIPPED)
            else:
                out.append(e)
                continue
            rep = replace(e.rep, number=len(self.reps) + 1, counted_by=how_now)
            self.reps.append(rep)
            self._remember(rep.side, shape)
            out += warned
            out += self._unjudged_rules(e.t, rep)
            out.append(RepCompleted(e.t, rep))
        return out

    # -- the set's rhythm: periodicity's second opinion -------------------------------------
    def _shape(self, rep: Rep) -> Shape | None:
        """`rep`'s movement, read from the buffered stream: every angle in degrees. The
        machine saw the rep through its median filter, and held the start for its dwell
        before saying the rep ended: the movement itself began and ended that much earlier,
        which matters in a quick one."""
        c = self.counter_for(rep.side)
        start = rep.start - c.filter_seconds / 2
        end = rep.end - c.filter_seconds / 2 - c.min_dwell
        kept: list[float] = []
        rows: list[list[float]] = []
        for ti, s in zip(reversed(self._times), reversed(self._samples), strict=True):
            if ti < start:
                break
            if ti <= end:
                kept.append(ti)
                rows.append([value_of(s, a, rep.side) for a in self._rhythm_angles])
        if not kept:
            return None
        values = np.array(rows[::-1]).T
        streams = dict(zip(self._rhythm_angles, values, strict=True))
        return shape_of(np.array(kept[::-1]), streams, self.spec.counting.angle, start, end,
                        rep.range_of_motion)  # fmt: skip

    def _rhythm(self, side: str) -> Rhythm | None:
        """The rhythm of `side`'s latest reps, once they have one."""
        return rhythm_of(self._shapes.get(side, ()))

    def _remember(self, side: str, shape: Shape | None) -> None:
        """A counted rep's shape, for the rhythm (the latest KEEP of them)."""
        if shape is not None:
            shapes = self._shapes.setdefault(side, [])
            shapes.append(shape)
            del shapes[:-KEEP]

    def _unjudged_rules(self, t: float, rep: Rep) -> list[Event]:
        """The rules this rep could not be judged on for want of their points, said once:
        counting goes on from the joints that matter."""
        out: list[Event] = []
        for rule in self.spec.rules:
            if rule.name in self._unjudged or not math.isnan(rep.measures.get(rule.name, 0.0)):
                continue
            self._unjudged.add(rule.name)
            points = sorted(
                {
                    p.split("_", 1)[-1]
                    for p in landmarks_of(self.spec, self.spec.angles[rule.angle], rep.side)
                }
            )
            out.append(RuleUnjudged(t, rule.name, f"not checked: “{rule.message}” — the "
                                    f"{', '.join(points)} are not in view"))  # fmt: skip
        return out

    def _known(self, rep: Rep) -> bool:
        """Was `rep` counted (or undone) already? In auto mode by either side."""
        return any(
            same_movement(rep, r)
            for r in (*self.reps, *self._undone)
            if r.side == rep.side or self.side_mode == "auto"
        )

    def _inside_rep(self) -> bool:
        return any(m.phase in (GOING, TURN, RETURNING) for m in self.machine.machines.values())

    def _keep(self, t: float, sample: Sample) -> None:
        self._times.append(t)
        self._samples.append(sample)
        while t - self._times[0] > HISTORY_SECONDS:
            self._times.popleft()
            self._samples.popleft()

    def _refit(self, t: float) -> list[Event]:
        """Fit each side to the reps seen so far; on a change, count the buffered stream
        again with the new thresholds and recover what the old ones missed."""
        times = np.fromiter(self._times, float, len(self._times))
        angle = self.spec.counting.angle
        changed: dict[str, CounterDef] = {}
        repeating = False
        for side in self.machine.machines:
            x = np.fromiter((value_of(s, angle, side) for s in self._samples), float, len(times))
            current = self.counter_for(side)
            found = fit(self.spec.counting, current, times, x)
            repeating |= found is not None
            if found is not None and found.counter != current:
                changed[side] = found.counter
                self.why += [f"{side}: {w}" for w in found.why]
        # While the set repeats and the thresholds suit it, look less and less often.
        self._fit_every = (
            min(max(FIT_EVERY_MAX, self._fit_least), self._fit_every * 2)
            if repeating and not changed
            else self._fit_least
        )
        self._next_fit = t + self._fit_every
        if not changed:
            return []
        self.fits += [(t, side, c) for side, c in changed.items()]
        counters = {s: self.counter_for(s) for s in self.machine.machines} | changed
        again = ThresholdCounter(self.spec, self.side_mode, counters)
        recovered: list[Event] = []
        for ti, s in zip(self._times, self._samples, strict=True):
            recovered += [e for e in again.update(ti, s) if isinstance(e, RepCompleted)]
        self.machine = again
        # said now, with what the recovered reps could not be judged on
        return [RepCompleted(t, e.rep) if isinstance(e, RepCompleted) else e
                for e in self._counted(recovered, RECOVERED)]  # fmt: skip


def _warns_for(event: Event, done: RepCompleted) -> bool:
    """Is `event` a warning said with the rep `done` completed?"""
    return isinstance(event, FormWarning) and event.t == done.t and event.side == done.rep.side
