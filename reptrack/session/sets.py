"""The set program: reps into sets, a target per set, rest between sets, the next set, undo,
and the workout done, as events in stream time.

Pure and clock-free like the counter: `Session` (the session runner) tells it what the
counter counted and what the user asked for, at the stream's timestamps, and fans the events
it returns out with the counter's, so the TUI, the headless mode and every sink see the same
sets whatever drives the session.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from reptrack.exercise.events import Event, Rep


@dataclass(frozen=True)
class SetStarted(Event):
    number: int


@dataclass(frozen=True)
class SetDone(Event):
    number: int
    reps: int  # counted in the set
    clean: int  # of them without a form flag
    held: float | None = None  # a hold's seconds in position in the set (None: reps)


@dataclass(frozen=True)
class RestStarted(Event):
    until: float  # stream time the rest ends at
    next_set: int
    # the rest after a plan's block, before its next block (`SetProgram.rest_after`): the
    # block is done, and what follows is the next block's first set
    before_block: bool = False


@dataclass(frozen=True)
class RestOver(Event):
    next_set: int
    before_block: bool = False


@dataclass(frozen=True)
class RepUndone(Event):
    rep: Rep


@dataclass(frozen=True)
class WorkoutDone(Event):
    sets: int


@dataclass
class SetRecord:
    """One set as it went: when it started and ended (stream time) and its reps."""

    number: int
    started: float
    ended: float | None = None
    reps: list[Rep] = field(default_factory=list)
    held: float | None = None  # a hold's seconds in position (None: a set of reps)

    @property
    def worked(self) -> bool:
        """Did anything happen in the set (a rep, time in position)?"""
        return bool(self.reps) or bool(self.held)

    def to_json(self) -> dict:
        seconds = None if self.ended is None else round(self.ended - self.started, 2)
        if self.held is not None:
            return {"set": self.number, "held_seconds": round(self.held, 2), "seconds": seconds}
        return {
            "set": self.number,
            "reps": len(self.reps),
            "clean_reps": sum(r.clean for r in self.reps),
            "seconds": seconds,
            "reps_counted_by": {
                how: sum(r.counted_by == how for r in self.reps)
                for how in sorted({r.counted_by for r in self.reps})
            },
        }


class SetProgram:
    """Sets of `target_reps` (None: open-ended), `sets` of them (None: no end), `rest`
    seconds between them. Reached the target, a set is done and the rest starts; the rest
    over (or `next_set`), the next set starts at the stream's next frame.

    A hold's sets (`hold=True`) are timed instead: `held` tells the program the seconds in
    position so far, and `target_seconds` plays the part of the target reps.

    `rest_after`: a plan's block rests this long after its last set (the next exercise
    needs setting up) before it is `done`; the workout is said to be done as the rest
    starts, and `next_set` ends the rest early."""

    def __init__(
        self,
        target_reps: int | None = None,
        sets: int | None = None,
        rest: float = 60.0,
        *,
        hold: bool = False,
        target_seconds: float | None = None,
        rest_after: float = 0.0,
    ) -> None:
        self.target_reps, self.planned_sets, self.rest = target_reps, sets, rest
        self.rest_after = rest_after
        self.hold, self.target_seconds = hold, target_seconds
        self.records = [SetRecord(1, 0.0, held=0.0 if hold else None)]
        self.rest_until: float | None = None
        self.starting = False  # the next set starts at the next frame
        self.frames_seen = False  # the first set starts with the first frame
        self.done = False  # the planned sets are all done

    @property
    def current(self) -> SetRecord:
        return self.records[-1]

    @property
    def set_number(self) -> int:
        return self.current.number

    @property
    def resting_after(self) -> bool:
        """Is this the rest after the last set (then the block is done)?"""
        last = self.planned_sets
        return self.rest_until is not None and last is not None and self.set_number >= last

    @property
    def set_reps(self) -> int:
        return len(self.current.reps)

    def rest_left(self, t: float) -> float | None:
        """Seconds of rest left at stream time `t`; None when not resting."""
        return None if self.rest_until is None else max(0.0, self.rest_until - t)

    # -- what happened -------------------------------------------------------------------
    def frame(self, t: float) -> list[Event]:
        """A frame at stream time `t` is about to be counted: a set that was asked for
        starts now."""
        if not self.frames_seen:
            self.frames_seen, self.records[0].started = True, t
        if not self.starting:
            return []
        self.starting = False
        self.records.append(SetRecord(self.set_number + 1, t, held=0.0 if self.hold else None))
        return [SetStarted(t, self.set_number)]

    def counted(self, t: float, rep: Rep) -> list[Event]:
        """The counter counted `rep`: into the current set; at the target, the set is done."""
        self.current.reps.append(rep)
        target = self.target_reps
        if not target or self.set_reps != target:
            return []
        return self._reached(t)

    def held(self, t: float, seconds: float) -> list[Event]:
        """A hold's set has been in position `seconds` so far: at the target, it is done."""
        self.current.held = seconds
        target = self.target_seconds
        if not target or seconds < target or self.current.ended is not None:
            return []
        return self._reached(t)

    def _reached(self, t: float) -> list[Event]:
        """The set reached its target: it is done, and the rest starts (or the workout is)."""
        if self.rest_until is not None or self.done:
            return []
        events: list[Event] = [self._close(t)]
        if self.planned_sets is not None and self.set_number >= self.planned_sets:
            events.append(WorkoutDone(t, self.set_number))
            if self.rest_after <= 0:
                self.done = True
                return events
            self.rest_until = t + self.rest_after
            return [*events, RestStarted(t, self.rest_until, self.set_number + 1, True)]
        self.rest_until = t + self.rest
        return [*events, RestStarted(t, self.rest_until, self.set_number + 1)]

    def tick(self, t: float) -> list[Event]:
        """Stream time `t` was counted: is the rest over? Then the next set is asked for."""
        if self.rest_until is None or t < self.rest_until:
            return []
        if self.resting_after:
            return self.next_set(t)
        return [RestOver(t, self.set_number + 1), *self.next_set(t)]

    def next_set(self, t: float) -> list[Event]:
        """Close the current set (rest or not); the next starts at the next frame. In the
        rest after a block's last set, the block is done instead."""
        if self.resting_after:
            self.rest_until, self.done = None, True
            return [RestOver(t, self.set_number + 1, True)]
        events: list[Event] = []
        if self.current.ended is None:
            events.append(self._close(t))
        self.rest_until = None
        self.starting = True
        return events

    def undo(self) -> Rep | None:
        """Take the current set's last rep back; None when the set has none."""
        if not self.current.reps:
            return None
        return self.current.reps.pop()

    def finish(self, t: float) -> list[Event]:
        """The stream ends: the set in progress, if it has reps, is done; a set asked for and
        not begun starts (empty) just after the last frame, as a replay will see it."""
        self.rest_until = None
        events = self.frame(math.nextafter(t, math.inf))
        if self.current.ended is None and self.current.worked and not self.done:
            events.append(self._close(t))
        return events

    def _close(self, t: float) -> SetDone:
        record = self.current
        record.ended = t if record.ended is None else record.ended
        clean = sum(r.clean for r in record.reps)
        return SetDone(t, record.number, len(record.reps), clean, record.held)

    def to_json(self) -> list[dict]:
        return [r.to_json() for r in self.records if r.worked or r.ended is not None]
