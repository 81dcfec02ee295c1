"""Counter thresholds from a person's own repetitions: for a definition learned from a
demonstration (`thresholds`), and for fitting a shipped one to a person (`calibration`),
which `reptrack calibrate` writes to a file and the counter applies live (`adapting`).

Pure functions of the cycles `cycles.find_cycles` found; no pose model, camera or screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reptrack.exercise.cycles import Cycle
from reptrack.exercise.spec import CounterDef
from reptrack.teach.analysis import MIN_CYCLES, NoRepetition

# -- thresholds from the person's own repetitions ---------------------------------------------
# A rep turns at this share of the demonstration's range (its median cycle, measured from the
# rest level), and is back at the start within this share of it: a squat demonstrated from
# 175° to 70° gives start 143°, turn 112° — where the shipped squat, argued from form, has
# 140° and 110°. A rep a little shallower or a little less finished than the demonstration
# still counts; half a rep does not.
START_SHARE, TURN_SHARE = 0.3, 0.6
# The shallowest demonstrated rep must still count: the turn is never deeper than this share
# of it.
SHALLOWEST_SHARE = 0.85
RANGE_SHARE = 0.35  # min_range: a rep moves at least this share of the demonstrated range
# The narrowest hysteresis band a fit gives: the median-filtered angle jitters by about 1°.
MIN_HYSTERESIS = 1.5
# ...and the least movement a fit takes for a rep: the pose model's jitter and a body's sway
# reach 5° on a person standing still.
MIN_MOVEMENT = 8.0


@dataclass(frozen=True)
class Thresholds:
    """Counter values for a stream's cycles, and what they were derived from."""

    direction: str
    start: float
    turn: float
    hysteresis: float
    min_range: float
    min_rep_seconds: float
    max_rep_seconds: float
    filter_seconds: float
    rest: float  # the median rest level of the cycles
    far: float  # the median far extreme


def thresholds(cycles: list[Cycle], decrease: bool) -> Thresholds:
    """Start, turn and the other counter values that count these cycles, and reps like them."""
    if not cycles:
        raise ValueError("thresholds need at least one cycle")
    sign = 1.0 if decrease else -1.0
    rest = float(np.median([c.rest for c in cycles]))
    far = float(np.median([c.far for c in cycles]))
    span = abs(rest - far)
    hysteresis = float(max(3, round(0.05 * span)))
    # how far from the rest level each rep went out, and how far from it each came back
    depths = [sign * (rest - c.far) for c in cycles]
    returns = [sign * (c.rest - rest) for c in cycles]
    start_at = max(START_SHARE * span, -min(returns) + hysteresis)
    turn_at = min(TURN_SHARE * span, SHALLOWEST_SHARE * min(depths))
    turn_at = max(turn_at, start_at + 2 * hysteresis)
    shortest = min(c.seconds for c in cycles)
    longest = max(c.seconds for c in cycles)
    return Thresholds(
        direction="decrease" if decrease else "increase",
        start=round(rest - sign * start_at),
        turn=round(rest - sign * turn_at),
        hysteresis=hysteresis,
        min_range=float(round(RANGE_SHARE * span)),
        # guards against jitter only: a slow demonstration must not make a quicker rep too fast
        min_rep_seconds=round(min(0.5, max(0.2, 0.4 * shortest)), 1),
        max_rep_seconds=float(min(600, max(10, round(3 * longest)))),
        filter_seconds=round(min(0.15, shortest / 6), 2),
        rest=round(rest),
        far=round(far),
    )


# -- fitting a definition's thresholds to a person --------------------------------------------
@dataclass(frozen=True)
class Calibration:
    """The counter values that must move for a person's reps to count, and why."""

    changes: dict[str, float]
    why: list[str]
    rest: float  # their median rest level
    far: float  # their median far extreme
    reps: int  # the repetitions measured


def calibration(counter: CounterDef, cycles: list[Cycle], angle: str = "angle") -> Calibration:
    """Move only what must move for these reps to count: the turn when a rep does not pass it
    firmly, the start when a rep does not get back to it, the duration bounds when a rep is
    near them, min_range when the person's range is near it. A threshold that already suits
    the person stays, however far it is from their range, and so does every rule: a shallow
    squatter still hears "go deeper"."""
    if len(cycles) < MIN_CYCLES:
        raise NoRepetition(
            f"found {len(cycles)} repetition(s) on the {angle}: calibrating needs at least "
            f"{MIN_CYCLES}",
            hint="film 3-5 repetitions, the whole body in view, as you usually do them",
        )
    sign = counter.sign
    rest = float(np.median([c.rest for c in cycles]))
    far = float(np.median([c.far for c in cycles]))
    span = abs(rest - far)
    h = counter.hysteresis
    least_deep = min(sign * (rest - c.far) for c in cycles)  # from the rest level
    least_back = max(sign * (rest - c.rest) for c in cycles)  # how far short of it a rep rested
    changes: dict[str, float] = {}
    why: list[str] = []
    if least_deep < 6 * h:
        # A short range (a crunch, a foreshortened view) leaves no room between start and
        # turn for a wide band: narrow it, down to what the median filter's jitter allows.
        narrow = max(MIN_HYSTERESIS, round(least_deep / 6, 1))
        if narrow < h:
            h = changes["hysteresis"] = narrow
            why.append(f"hysteresis {counter.hysteresis:g} → {h:g}: your least deep rep moved "
                       f"{least_deep:.0f}°")  # fmt: skip
    if least_deep < max(3 * h, MIN_MOVEMENT):
        raise NoRepetition(
            f"your reps moved the {angle} only {least_deep:.0f}°: too little to count apart "
            f"from standing still (at least {max(3 * h, MIN_MOVEMENT):g}°)"
        )
    turn, start = counter.turn, counter.start
    if sign * (rest - least_deep) > sign * turn - h:  # the least deep rep is not firmly past it
        turn_at = min(TURN_SHARE * span, SHALLOWEST_SHARE * least_deep)
        turn = round(rest - sign * turn_at)
        changes["turn"] = turn
        why.append(
            f"turn {counter.turn:g} → {turn:g}: your reps reach {far:.0f}° (the least deep "
            f"{rest - sign * least_deep:.0f}°), not past {counter.turn:g}°"
        )
    resting = rest - sign * least_back
    if sign * resting < sign * start + h or sign * start <= sign * turn + h:
        start_at = max(START_SHARE * span, least_back + h)
        start_at = min(start_at, abs(rest - turn) - 2 * h)
        start = round(rest - sign * start_at)
        changes["start"] = start
        why.append(
            f"start {counter.start:g} → {start:g}: you rest at {rest:.0f}° (at the least "
            f"{resting:.0f}°)" + (", and the turn moved" if "turn" in changes else "")
        )
    quickest = min(c.seconds for c in cycles)  # between crossings of a third of the range:
    slowest = max(c.seconds for c in cycles)  # a little shorter than the counter's rep
    if counter.min_rep_seconds > 0.8 * quickest:
        low = round(max(0.2, 0.5 * quickest), 1)
        changes["min_rep_seconds"] = low
        why.append(f"min_rep_seconds {counter.min_rep_seconds:g} → {low:g}: your quickest rep "
                   f"took {quickest:.1f} s")  # fmt: skip
    if counter.max_rep_seconds < 1.5 * slowest:
        high = float(min(600, round(3 * slowest)))
        changes["max_rep_seconds"] = high
        why.append(f"max_rep_seconds {counter.max_rep_seconds:g} → {high:g}: your slowest rep "
                   f"took {slowest:.1f} s")  # fmt: skip
    if counter.min_range > 0.8 * least_deep:
        min_range = float(round(RANGE_SHARE * span))
        changes["min_range"] = min_range
        why.append(f"min_range {counter.min_range:g} → {min_range:g}: your range is {span:.0f}°")
    return Calibration(changes, why, round(rest), round(far), len(cycles))
