"""Counting both sides of the body: one state machine per counted side, and their reps merged
where both sides did one movement (two arms curling together count once; alternating arms
count each rep).

`ThresholdCounter.update(t, sample)` returns the events that sample caused; the same stream
always gives the same events. `rep_counter.RepCounter` runs it, and runs it again over the
buffered stream when the thresholds are fitted to the person.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from reptrack.exercise.cycles import shared
from reptrack.exercise.events import (
    Event,
    FormWarning,
    PoseFound,
    PoseLost,
    Rep,
    RepCompleted,
)
from reptrack.exercise.measure import Sample, value_of
from reptrack.exercise.side_machine import GOING, RETURNING, TURN, _SideMachine
from reptrack.exercise.spec import CounterDef, ExerciseSpec


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


# Two sides' reps that share at least this much of the shorter one's time are one movement.
SAME_MOVEMENT_OVERLAP = 0.5


def same_movement(a: Rep, b: Rep) -> bool:
    """Two sides' reps are one movement (both arms together, both knees in one lunge) when
    they share most of their time, even if one side lags; alternating arms take turns, so
    one arm's rep shares little time with the other's."""
    return shared(a.start, a.end, b.start, b.end) >= SAME_MOVEMENT_OVERLAP


class ThresholdCounter:
    """Feeds samples to one machine per counted side and collects the reps.

    Sides: `left` or `right` count that side; `both` counts each side on its own (a rep of
    each arm); `auto` counts both sides and merges a rep that is the same movement as one the
    other side just counted — so two arms together count once and alternating arms count
    each rep, and a side the camera cannot see simply never completes a rep.
    """

    def __init__(
        self,
        spec: ExerciseSpec,
        side: str | None = None,
        counters: dict[str, CounterDef] | None = None,
    ) -> None:
        """`counters` gives a side thresholds of its own (fitted to the person); the others
        count at the definition's."""
        self.spec = spec
        self.side_mode = side or spec.side
        sides = ("left", "right") if self.side_mode in ("both", "auto") else (self.side_mode,)
        self.counters = {s: (counters or {}).get(s, spec.counting) for s in sides}
        self.machines = {
            s: _SideMachine(spec, s, self.counters[s], said_elsewhere=self._said_by_other(s))
            for s in sides
        }
        self.active = sides[0]
        self.reps: list[Rep] = []
        self.present = False
        self._last_seen = -math.inf
        self._last_of: dict[str, Rep] = {}  # each side's latest rep, counted or merged

    @property
    def count(self) -> int:
        return len(self.reps)

    def offer(self, rep: Rep, t: float, events: list[Event], warnings: list[FormWarning]) -> None:
        """A side machine completed `rep` (and would say `warnings`): count it, unless it is
        a movement already counted."""
        self._last_of[rep.side] = rep
        if self.side_mode == "auto":
            other = self._last_of.get(_other(rep.side))
            if other is not None and same_movement(rep, other):
                return
        events.extend(warnings)
        counted = replace(rep, number=len(self.reps) + 1)
        self.reps.append(counted)
        events.append(RepCompleted(t, counted))

    def _said_by_other(self, side: str) -> Callable[[str], bool]:
        """In auto mode, has the other side, inside a rep now, already warned about a rule?
        Then this is the same movement and the same warning: it is said once."""

        def said(rule: str) -> bool:
            other = self.machines.get(_other(side))
            return (
                self.side_mode == "auto"
                and other is not None
                and other.phase in (GOING, TURN, RETURNING)
                and rule in other.warned
            )

        return said

    def _take(self, machine: _SideMachine, t: float, events: list[Event]) -> None:
        """Count what `machine` completed, each rep where it happened among the events."""
        found, machine.completed = machine.completed, []
        offered: list[tuple[int, list[Event]]] = []
        for at, rep, warnings in found:  # in order: the second side may merge into the first
            said: list[Event] = []
            self.offer(rep, t, said, warnings)
            offered.append((at, said))
        for at, said in reversed(offered):
            events[at:at] = said

    def _follow(self) -> None:
        """The side the display follows: one inside a rep, else the one that counted last."""
        inside = [s for s, m in self.machines.items() if m.phase in (GOING, TURN, RETURNING)]
        if inside and self.active not in inside:
            self.active = inside[0]
        elif not inside and self.reps:
            self.active = self.reps[-1].side

    def update(self, t: float, sample: Sample) -> list[Event]:
        events: list[Event] = []
        key = self.spec.counting.angle
        seen = any(not math.isnan(value_of(sample, key, s)) for s in ("left", "right"))
        if seen:
            self._last_seen = t
            if not self.present:
                self.present = True
                events.append(PoseFound(t))
        elif self.present and t - self._last_seen > self.spec.counting.max_gap:
            self.present = False
            events.append(PoseLost(t))
        for machine in self.machines.values():
            machine.update(t, sample, events)
            self._take(machine, t, events)
        self._follow()
        return events

    def phase(self) -> str | None:
        return self.machines[self.active].phase

    def finish(self, t: float) -> list[Event]:
        """The stream ends (a video's last frame, or the session): see `_SideMachine.finish`."""
        events: list[Event] = []
        for machine in self.machines.values():
            machine.finish(t, events)
            self._take(machine, t, events)
        return events

    def undo(self) -> Rep | None:
        """Remove the last rep (the user says it did not count)."""
        return self.reps.pop() if self.reps else None

    def reset(self) -> None:
        """Drop any rep in progress (a new set begins); counting resumes at the start position."""
        for machine in self.machines.values():
            machine.abort(0.0, "", [])
            machine.armed_once = False  # a new set may begin at the turning point again
