"""The hold timer: is the body in the exercise's position, for how long, and which form rules
does it break meanwhile (a plank's hips sagging, with how long they sagged).

`HoldTimer.update(t, sample)` returns the events that sample caused and is pure, as the rep
counter is: a session, its replay and a labelled video are timed alike. Each angle is the
median of the last `filter_seconds`; the position must hold for `enter_seconds` before the
clock shows it (it then counts from when it began), and a position lost for less than
`grace_seconds` is not a break. A hold ends where the position was lost.
"""

from __future__ import annotations

import math
import statistics
from collections import deque

from reptrack.exercise.events import (
    Event,
    FormWarning,
    Hold,
    HoldEnded,
    HoldStarted,
    HoldTick,
    PhaseChanged,
    PoseFound,
    PoseLost,
    Rep,
    held_seconds,
    longest_hold,
)
from reptrack.exercise.judging import view_ok
from reptrack.exercise.measure import SIDES, Sample, key
from reptrack.exercise.spec import ExerciseSpec, HoldDef

TICK_SECONDS = 10.0  # the voice says the time held every this many seconds
OUT, HOLDING = "out", "holding"


class _Median:
    """The median of a stream's values over the last `seconds` (NaN when none was measured)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.window: deque[tuple[float, float]] = deque()

    def add(self, t: float, value: float) -> None:
        self.window.append((t, value))
        while t - self.window[0][0] > self.seconds:
            self.window.popleft()

    def value(self) -> float:
        seen = [v for _, v in self.window if not math.isnan(v)]
        return statistics.median(seen) if seen else math.nan


class HoldTimer:
    """Times one hold exercise; see the module's doc. The interface is the rep counter's
    (`update`, `finish`, `reset`, `undo`, `count`, `reps`, `active`, `present`, `phase`),
    so the session runner drives either."""

    def __init__(self, spec: ExerciseSpec, side: str | None = None) -> None:
        if spec.hold is None:
            raise TypeError(f"{spec.name} counts reps: it is not a timed hold")
        self.spec = spec
        self.h: HoldDef = spec.hold
        self.side_mode = side or spec.side
        self.sides = SIDES if self.side_mode in ("auto", "both") else (self.side_mode,)
        self.holds: list[Hold] = []  # the holds that ended, this session
        self.reps: list[Rep] = []  # a hold counts no reps
        self.active = self.sides[0]
        self.present = False
        self._filters: dict[str, _Median] = {}
        self._holding = False
        self._since: float | None = None  # in position since (not yet held long enough)
        self._start = math.nan  # the current hold's start
        self._lost_at: float | None = None  # the current hold's position lost, in grace
        self._fault_since: dict[str, float] = {}  # rule → broken since, this hold
        self._faults: dict[str, float] = {}  # rule → seconds broken, this hold
        self._warned: set[str] = set()  # rules said in this stretch of being broken
        self._set_base = 0.0  # seconds held before the current set
        self._next_tick = TICK_SECONDS
        self._pending: list[Event] = []  # what `reset` caused, out with the next update
        self._last_t = 0.0
        self._last_seen = -math.inf

    # -- what the sinks read ---------------------------------------------------------------
    @property
    def count(self) -> int:
        return 0

    def phase(self) -> str:
        return HOLDING if self._holding else OUT

    def held(self, t: float | None = None) -> float:
        """Seconds held this session, the hold in progress included (up to `t`)."""
        done = held_seconds(self.holds)
        if not self._holding:
            return done
        end = self._lost_at if self._lost_at is not None else (t if t is not None else self._last_t)
        return done + max(0.0, end - self._start)

    def set_held(self, t: float | None = None) -> float:
        """Seconds held in the current set."""
        return self.held(t) - self._set_base

    def amount(self) -> float:
        """How much was done: the seconds held."""
        return self.held()

    def timed_holds(self) -> list[Hold]:
        """The holds that ended, this session."""
        return list(self.holds)

    def shown_value(self, sample: Sample, angle: str) -> float:
        """`angle` as the live screen shows it: filtered, on the side the timer follows."""
        return self.value(angle)

    @property
    def holding_since(self) -> float | None:
        """When the hold in progress began; None when out of position."""
        return self._start if self._holding else None

    @property
    def best(self) -> float:
        """The longest single hold so far."""
        return longest_hold(self.holds)

    def value(self, angle: str) -> float:
        """`angle` now (filtered), on the side the timer follows, or (when both sides count)
        the other if that one is not measured."""
        for side in (self.active, *(s for s in self.sides if s != self.active)):
            f = self._filters.get(key(angle, side)) or self._filters.get(angle)
            if f is not None and not math.isnan(v := f.value()):
                return v
        return math.nan

    # -- the stream ------------------------------------------------------------------------
    def update(self, t: float, sample: Sample) -> list[Event]:
        events, self._pending = self._pending, []
        self._last_t = t
        for name, value in sample.items():
            f = self._filters.get(name)
            if f is None:
                f = self._filters[name] = _Median(self.h.filter_seconds)
            f.add(t, value)
        seen = any(
            not math.isnan(v) for k, v in sample.items() if k != "view" and not k.startswith("vis.")
        )
        if seen:
            self._last_seen = t
            if not self.present:
                self.present = True
                events.append(PoseFound(t))
        elif self.present and t - self._last_seen > self.h.grace_seconds:
            self.present = False
            events.append(PoseLost(t))
        self._follow()
        in_position = seen and all(c.met(self.value(c.angle)) for c in self.spec.position)
        if not self._holding:
            if not in_position:
                self._since = None
            else:
                self._since = t if self._since is None else self._since
                if t - self._since >= self.h.enter_seconds:
                    self._begin(t, self._since, events)
        elif in_position:
            self._lost_at = None
        else:
            self._lost_at = t if self._lost_at is None else self._lost_at
            if t - self._lost_at >= self.h.grace_seconds:
                self._end(t, self._lost_at, events)
        if self._holding and self._lost_at is None:
            self._judge(t, events)
        while self.set_held(t) >= self._next_tick:
            events.append(HoldTick(t, self._next_tick))
            self._next_tick += TICK_SECONDS
        return events

    def finish(self, t: float) -> list[Event]:
        """The stream ends: the hold in progress ends where the position was last held."""
        events, self._pending = self._pending, []
        if self._holding:
            self._end(t, self._lost_at if self._lost_at is not None else t, events)
        return events

    def reset(self) -> None:
        """A new set: the hold in progress ends now (said with the next update)."""
        if self._holding:
            end = self._lost_at if self._lost_at is not None else self._last_t
            self._end(self._last_t, end, self._pending)
        self._since = None
        self._set_base = self.held()
        self._next_tick = TICK_SECONDS

    def undo(self) -> None:
        """A hold has no rep to take back."""
        return None

    # -- holding ---------------------------------------------------------------------------
    def _follow(self) -> None:
        """Follow the side the camera sees better (by the sample's visibility, filtered)."""
        if len(self.sides) == 1:
            return
        seen = {s: self._filters[f"vis.{s}"].value() for s in SIDES if f"vis.{s}" in self._filters}
        if len(seen) == 2 and not any(math.isnan(v) for v in seen.values()):
            self.active = max(seen, key=lambda s: seen[s])

    def _begin(self, t: float, start: float, events: list[Event]) -> None:
        self._holding, self._start, self._lost_at = True, start, None
        self._faults, self._fault_since, self._warned = {}, {}, set()
        events.append(HoldStarted(t, len(self.holds) + 1, start))
        events.append(PhaseChanged(t, self.active, HOLDING))

    def _end(self, t: float, end: float, events: list[Event]) -> None:
        for rule, since in self._fault_since.items():
            self._add_fault(rule, since, end)
        hold = Hold(len(self.holds) + 1, self._start, max(end, self._start), dict(self._faults))
        self.holds.append(hold)
        self._holding, self._since, self._lost_at = False, None, None
        self._fault_since = {}
        events.append(HoldEnded(t, hold))
        events.append(PhaseChanged(t, self.active, OUT))

    def _add_fault(self, rule: str, since: float, until: float) -> None:
        if until - since >= self.h.fault_seconds:
            self._faults[rule] = self._faults.get(rule, 0.0) + (until - since)

    def _judge(self, t: float, events: list[Event]) -> None:
        """Time each form rule broken during the hold; say one once it has lasted."""
        yaw = self.value("view")
        yaws = [] if math.isnan(yaw) else [yaw]
        for rule in self.spec.rules:
            broken = rule.violated(self.value(rule.angle)) and view_ok(rule, yaws)
            since = self._fault_since.get(rule.name)
            if broken and since is None:
                self._fault_since[rule.name] = t
            elif broken and since is not None:
                if t - since >= self.h.fault_seconds and rule.name not in self._warned:
                    self._warned.add(rule.name)
                    events.append(
                        FormWarning(t, self.active, rule.name, rule.message, rule.severity)
                    )
            elif since is not None:
                self._add_fault(rule.name, since, t)
                del self._fault_since[rule.name]
                self._warned.discard(rule.name)
