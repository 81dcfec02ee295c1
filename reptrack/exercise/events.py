"""What the rep counter reports: the reps it counts, with their timing, range and flags, and
the events of a stream (phase changes, rejected movements, form warnings, the body lost or
found). Plain frozen data, so sessions can be stored, replayed and compared."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rep:
    number: int
    side: str
    start: float
    end: float
    turn_time: float
    extreme: float  # driving angle at the turning point
    start_angle: float  # driving angle at the start position (opposite extreme)
    flags: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    measures: dict[str, float] = field(default_factory=dict)
    # How it was counted: "shipped" (the definition's thresholds), "adapted" (thresholds
    # fitted to the person), "recovered" (missed live, found on counting the set again with
    # the fitted thresholds), "periodic" (short of the turn, but moving as the set's reps do:
    # see `periodicity`).
    counted_by: str = "shipped"

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def time_down(self) -> float:
        """Start position to turning point (the eccentric half for a squat)."""
        return self.turn_time - self.start

    @property
    def time_up(self) -> float:
        return self.end - self.turn_time

    @property
    def range_of_motion(self) -> float:
        return abs(self.start_angle - self.extreme)

    @property
    def clean(self) -> bool:
        return not self.flags


@dataclass(frozen=True)
class Event:
    t: float


@dataclass(frozen=True)
class PhaseChanged(Event):
    side: str
    phase: str


@dataclass(frozen=True)
class RepCompleted(Event):
    rep: Rep


@dataclass(frozen=True)
class RepRejected(Event):
    side: str
    reason: str
    # A movement that came back without reaching the turning point, but was otherwise a rep
    # (long enough, range enough, the exercise's): judged like one, for the counter's second
    # opinion (`periodicity`) to count if it looks like the set's reps; with the warnings it
    # would be said with (its broken rules not already said during it).
    partial: Rep | None = None
    warnings: tuple[FormWarning, ...] = ()


@dataclass(frozen=True)
class FormWarning(Event):
    side: str
    rule: str
    message: str
    severity: str


@dataclass(frozen=True)
class RuleUnjudged(Event):
    """A form rule could not be judged on a counted rep: the points its angle needs were out
    of view (legs out of the frame in a close push-up). Said once a session, per rule."""

    rule: str
    message: str  # what the person is told, e.g. "not checked: keep your body straight …"


@dataclass(frozen=True)
class PoseLost(Event):
    pass


@dataclass(frozen=True)
class PoseFound(Event):
    pass


@dataclass(frozen=True)
class Hold:
    """One stretch of a timed hold, from getting into position to losing it (a position
    lost for less than the hold's grace is not a break). Stream seconds."""

    number: int
    start: float
    end: float
    faults: dict[str, float] = field(default_factory=dict)  # rule → seconds it was broken

    @property
    def seconds(self) -> float:
        return self.end - self.start

    @property
    def clean(self) -> bool:
        return not self.faults


def held_seconds(holds: Iterable[Hold]) -> float:
    """The seconds in position of all `holds`."""
    return sum(h.seconds for h in holds)


def longest_hold(holds: Iterable[Hold]) -> float:
    """The longest of `holds`, in seconds (0 for none)."""
    return max((h.seconds for h in holds), default=0.0)


@dataclass(frozen=True)
class HoldStarted(Event):
    number: int
    start: float  # when the position was reached (before `t`, once it had lasted)


@dataclass(frozen=True)
class HoldTick(Event):
    """The set's time in position reached `seconds` (every ten): the voice says it."""

    seconds: float


@dataclass(frozen=True)
class HoldEnded(Event):
    hold: Hold
