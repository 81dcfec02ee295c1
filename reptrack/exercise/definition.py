"""What an exercise is, as data: the angles it measures, the counter's thresholds, the
form rules and requirements, and the words a definition may use for each. `spec` reads these
from TOML files and checks them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from reptrack.pose.landmarks import LANDMARK_NAMES

SIDES = ("left", "right", "both", "auto")
ANGLE_KINDS = ("joint", "segment", "width_ratio", "difference", "split", "height", "opposite")
# The kinds computed from other angles of the file (named in `of`), not from points.
DERIVED_KINDS = ("difference", "opposite")
UNSIDED_KINDS = ("width_ratio", "split")  # measured on both sides at once: one value
REFERENCES = ("vertical", "horizontal")
SPACES = ("world", "image", "view")
MEASURES = ("min", "max", "range", "median")
PHASES = ("start", "going", "turn", "returning")
HOLD_PHASES = ("out", "holding")  # a hold's phases: out of position, in it
VIEWS = ("any", "side", "front")
SEVERITIES = ("info", "warning", "error")
DIRECTIONS = ("decrease", "increase")
SIDE_NAMES = {n.split("_", 1)[1] for n in LANDMARK_NAMES if n.startswith(("left_", "right_"))}
CENTRE_NAMES = {n for n in LANDMARK_NAMES if not n.startswith(("left_", "right_"))}
OTHER = "other_"  # a point of the side not being measured: `other_shoulder`
OTHER_NAMES = {OTHER + n for n in SIDE_NAMES}


@dataclass(frozen=True)
class AngleDef:
    """A measured quantity. Point names without a side get the counted side prepended."""

    name: str
    # joint: angle at points[1]; segment: points[0]→points[1] vs reference; width_ratio:
    # left-right width at points[0] over that at points[1]; difference: of[0] minus of[1];
    # split: how far the left and right segments' angles from the vertical differ (unsigned:
    # a lunge's thighs, one forward and one down); height: how high points[0] is in the
    # picture, in lengths of points[0]→points[1] (its range over a rep is how far that point
    # travelled: a pull-up's shoulders rise a trunk's length, a press's stay where they are);
    # opposite: of[0] on the other side (the back knee of a lunge whose front knee counts)
    kind: str
    points: tuple[str, ...]
    # world: 3-D, view-independent, when the backend gives it (else image); image: in the
    # picture; view: the image angle where the joint faces the camera, 3-D where edge-on
    space: str = "world"
    # a segment's reference: its angle from the vertical; or from the horizontal, signed in
    # the picture (positive when points[0] is higher), in 3-D its tilt from the level, 0-90
    reference: str = "vertical"
    of: tuple[str, ...] = ()  # for a difference: the two angles, by name; an opposite: one

    @property
    def sided(self) -> bool:
        return self.kind not in UNSIDED_KINDS


@dataclass(frozen=True)
class CounterDef:
    angle: str
    direction: str  # does the driving angle decrease or increase into the rep?
    start: float  # at or beyond this the lifter is at the start position
    turn: float  # past this the turning point of the rep is reached
    hysteresis: float = 5.0
    min_dwell: float = 0.1
    min_rep_seconds: float = 0.5
    max_rep_seconds: float = 15.0
    min_range: float = 30.0
    max_gap: float = 0.5
    filter_seconds: float = 0.15  # median of the angle over this long: 5 frames at 30 fps
    # A set may begin at the turning point (a deadlift's set-up at the bar): the first rep
    # then counts from there, once it comes back to the start.
    first_rep_from_turn: bool = False
    # Fitting to the person (rep_counter.RepCounter): once the movement has clearly repeated,
    # start and turn may move up to this many degrees from the values above (0: never)...
    adapt_by: float = 0.0
    # ...but a rep still needs at least this range of motion (default: min_range).
    least_range: float | None = None

    @property
    def least(self) -> float:
        """The smallest range of motion that is a rep, however the thresholds are fitted."""
        return self.min_range if self.least_range is None else self.least_range

    @property
    def sign(self) -> float:
        """+1 when the angle decreases into the rep, -1 when it increases."""
        return 1.0 if self.direction == "decrease" else -1.0

    def at_start(self, angle: float) -> bool:
        """Is `angle` in the start zone (at or beyond `start`)?"""
        return self.sign * angle >= self.sign * self.start

    def past_turn(self, angle: float) -> bool:
        """Has `angle` reached the turning point (at or past `turn`)?"""
        return self.sign * angle <= self.sign * self.turn


@dataclass(frozen=True)
class HoldDef:
    """A timed hold (a plank): the clock runs while every `[[position]]` condition holds."""

    angle: str  # the angle shown live, as a rep exercise shows its counted one
    # In position this long before the clock shows it (then timed from when it began), so
    # passing through the position on the way to another is not a hold.
    enter_seconds: float = 1.0
    # Out of position for less than this is not a break (a bad frame, a shift of weight):
    # the clock runs on through it.
    grace_seconds: float = 1.0
    filter_seconds: float = 0.3  # each angle's median over this long
    # A form rule broken this long is said (and timed until it ends).
    fault_seconds: float = 1.0


@dataclass(frozen=True)
class Condition:
    """One condition of a hold's position: the angle above `above` and below `below`."""

    angle: str
    above: float | None = None
    below: float | None = None

    def met(self, value: float) -> bool:
        """Does `value` meet the condition? Not measured: not in position."""
        if math.isnan(value):
            return False
        return (self.above is None or value > self.above) and (
            self.below is None or value < self.below
        )


@dataclass(frozen=True)
class Requirement:
    """A condition a movement must meet to count at all (e.g. trunk upright-ish in a squat)."""

    angle: str
    measure: str
    above: float | None = None
    below: float | None = None
    phase: str | None = None
    # Not measured: "passes" (a requirement is not judged on what cannot be seen) or "fails"
    # (recognition asks for evidence: an exercise is not named on what was not seen).
    unseen: str = "passes"

    def failed(self, value: float) -> bool:
        """Does `value` fall short of the requirement?"""
        if math.isnan(value):
            return self.unseen == "fails"
        return (self.above is not None and value <= self.above) or (
            self.below is not None and value >= self.below
        )


@dataclass(frozen=True)
class Rule:
    name: str
    angle: str
    measure: str
    message: str
    above: float | None = None  # flag when the measure is above this
    below: float | None = None  # flag when the measure is below this
    # Only samples in this phase count (default: from leaving the start to coming back);
    # "start" means the start position held just before the rep.
    phase: str | None = None
    view: str = "any"
    severity: str = "warning"

    def violated(self, value: float) -> bool:
        if math.isnan(value):
            return False
        return (self.above is not None and value > self.above) or (
            self.below is not None and value < self.below
        )


@dataclass(frozen=True)
class ExerciseSpec:
    name: str
    title: str
    description: str
    camera: str
    side: str
    angles: dict[str, AngleDef]
    counter: CounterDef | None  # a rep exercise's counter; None for a hold
    rules: tuple[Rule, ...] = ()
    requires: tuple[Requirement, ...] = ()
    # What tells this exercise from others whose counters count the same movement (a
    # deadlift's hands hang, a lunge splits the legs): asked only when recognising.
    recognize: tuple[Requirement, ...] = ()
    phase_labels: dict[str, str] = field(default_factory=dict)
    source: str = ""
    text: str = ""
    hold: HoldDef | None = None  # a hold's timing; None for a rep exercise
    position: tuple[Condition, ...] = ()  # a hold's position: every condition met

    def recognizing(self) -> ExerciseSpec:
        """The definition recognition counts with: a rep must also meet `recognize`, and
        form is not judged (so the angles only the rules use are not measured)."""
        conditions = self.requires + self.recognize
        used = {self.shown_angle, *(c.angle for c in conditions), *(c.angle for c in self.position)}
        used |= {part for name in used for part in self.angles[name].of}
        angles = {name: a for name, a in self.angles.items() if name in used}
        return replace(self, angles=angles, rules=(), requires=conditions, recognize=())

    def label(self, phase: str) -> str:
        return self.phase_labels.get(phase, phase)

    @property
    def is_hold(self) -> bool:
        return self.hold is not None

    @property
    def counting(self) -> CounterDef:
        """The rep counter's thresholds; a hold has none (ask `is_hold` first)."""
        if self.counter is None:
            raise TypeError(f"{self.name} is a timed hold: it has no rep counter")
        return self.counter

    @property
    def shown_angle(self) -> str:
        """The angle a live view shows: the counted one, or a hold's."""
        if self.hold is not None:
            return self.hold.angle
        return self.counting.angle
