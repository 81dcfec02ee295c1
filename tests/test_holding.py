"""The hold timer on synthetic angle streams: when a hold starts and ends, a position lost
briefly or for longer, form faults timed, the voice's ticks and a new set."""

from __future__ import annotations

import math

import pytest

from reptrack.exercise import spec as specs
from reptrack.exercise.counters import make, run
from reptrack.exercise.events import (
    FormWarning,
    HoldEnded,
    HoldStarted,
    HoldTick,
    PoseFound,
    PoseLost,
)
from reptrack.exercise.hold_timer import HOLDING, OUT, HoldTimer

RATE = 30.0
LYING, STRAIGHT, SAGGING = 30.0, 0.0, 15.0  # the plank's hip bend, degrees


def plank(bend: float | None) -> dict[str, float]:
    """A plank's sample with the hips bent `bend` degrees (None: nobody in view)."""
    if bend is None:
        keys = ("hip_bend.left", "knee.left", "trunk.left", "shoulder_tilt.left")
        return {k: math.nan for k in keys} | {
            "vis.left": 0.0,
            "vis.right": 0.0,
            "view": math.nan,
        }
    return {
        "hip_bend.left": bend,
        "hip_bend.right": math.nan,  # the far side, hidden
        "knee.left": 170.0,
        "knee.right": math.nan,
        "trunk.left": 80.0,
        "trunk.right": math.nan,
        "shoulder_tilt.left": 5.0,  # shoulders level: facing the floor
        "shoulder_tilt.right": 5.0,
        "body_line.left": 178.0 - abs(bend),
        "body_line.right": math.nan,
        "vis.left": 0.9,
        "vis.right": 0.3,
        "view": 85.0,
    }


def stream(*parts: tuple[float, float | None]) -> list[tuple[float, dict[str, float]]]:
    """(seconds, bend) parts one after another, at RATE samples a second."""
    out, t = [], 0.0
    for seconds, bend in parts:
        for _ in range(round(seconds * RATE)):
            out.append((t, plank(bend)))
            t += 1 / RATE
    return out


@pytest.fixture(scope="module")
def spec():
    return specs.load("plank")


def timed(spec, *parts) -> tuple[HoldTimer, list]:
    timer = make(spec)
    assert isinstance(timer, HoldTimer)
    events = run(timer, stream(*parts))
    return timer, events


def test_a_hold_is_timed_from_reaching_the_position_to_leaving_it(spec):
    timer, events = timed(spec, (3, LYING), (10, STRAIGHT), (3, LYING))
    [hold] = timer.holds
    # each end is late by half the median filter at most
    assert hold.start == pytest.approx(3.0, abs=0.2)
    assert hold.end == pytest.approx(13.0, abs=0.2)
    assert timer.held() == pytest.approx(10.0, abs=0.3)
    started = next(e for e in events if isinstance(e, HoldStarted))
    # said once the position has lasted enter_seconds, timed from when it began
    assert started.t == pytest.approx(hold.start + spec.hold.enter_seconds, abs=0.1)
    assert timer.phase() == OUT


def test_passing_through_the_position_is_not_a_hold(spec):
    timer, events = timed(spec, (3, LYING), (0.6, STRAIGHT), (3, LYING))
    assert timer.holds == [] and timer.held() == 0
    assert not any(isinstance(e, HoldStarted | HoldEnded) for e in events)


def test_a_position_lost_for_a_moment_is_not_a_break(spec):
    timer, _ = timed(spec, (5, STRAIGHT), (0.5, LYING), (5, STRAIGHT))
    [hold] = timer.holds
    assert hold.seconds == pytest.approx(10.5, abs=0.3)


def test_the_clock_pauses_while_out_of_position_and_resumes(spec):
    samples = stream((10, STRAIGHT), (3, LYING), (7, STRAIGHT))
    timer = make(spec)
    clock = {}
    for t, s in samples:
        timer.update(t, s)
        clock[round(t, 1)] = timer.held(t)
    timer.finish(samples[-1][0])
    assert len(timer.holds) == 2
    assert timer.held() == pytest.approx(17.0, abs=0.5)
    # out of position from 10 s: the clock stands still until the position is back
    assert clock[11.5] == pytest.approx(clock[12.8], abs=0.01)
    assert clock[11.5] == pytest.approx(10.0, abs=0.3)
    assert clock[19.0] > clock[15.0] + 3.5
    assert timer.best == pytest.approx(10.0, abs=0.3)


def test_a_form_fault_is_said_once_and_timed(spec):
    timer, events = timed(spec, (4, STRAIGHT), (3, SAGGING), (4, STRAIGHT))
    warnings = [e for e in events if isinstance(e, FormWarning)]
    assert [(w.rule, w.message) for w in warnings] == [("hips_sagging", "hips up")]
    # said once the fault has lasted fault_seconds
    assert warnings[0].t == pytest.approx(4.0 + spec.hold.fault_seconds, abs=0.3)
    [hold] = timer.holds
    assert hold.faults["hips_sagging"] == pytest.approx(3.0, abs=0.3)
    assert not hold.clean


def test_a_fault_shorter_than_its_seconds_is_noise(spec):
    timer, events = timed(spec, (4, STRAIGHT), (0.5, SAGGING), (4, STRAIGHT))
    assert not any(isinstance(e, FormWarning) for e in events)
    assert timer.holds[0].clean


def test_the_voice_hears_every_ten_seconds_held(spec):
    _, events = timed(spec, (25, STRAIGHT), (2, LYING))
    assert [e.seconds for e in events if isinstance(e, HoldTick)] == [10.0, 20.0]


def test_a_new_set_ends_the_hold_and_starts_its_clock_again(spec):
    samples = stream((8, STRAIGHT), (4, STRAIGHT))
    timer = make(spec)
    events = run(timer, samples, set_starts=[8.0])
    assert len(timer.holds) == 2
    assert timer.set_held() == pytest.approx(4.0, abs=0.2)
    assert sum(isinstance(e, HoldEnded) for e in events) == 2


def test_nobody_in_view_is_not_in_position_and_is_said(spec):
    timer, events = timed(spec, (5, STRAIGHT), (3, None), (5, STRAIGHT))
    assert len(timer.holds) == 2
    kinds = [type(e) for e in events if isinstance(e, PoseLost | PoseFound)]
    assert kinds == [PoseFound, PoseLost, PoseFound]


def test_the_phase_follows_the_position(spec):
    timer = make(spec)
    phases = []
    for t, s in stream((3, STRAIGHT)):
        timer.update(t, s)
        phases.append(timer.phase())
    assert phases[0] == OUT and phases[-1] == HOLDING
    assert timer.count == 0 and timer.reps == [] and timer.undo() is None


@pytest.mark.parametrize(
    ("right_shoulder", "tilt"),
    [((0.3, 0.0, 0.0), 0.0), ((0.0, -0.3, 0.0), 90.0), ((0.2, -0.2, 0.0), 45.0),
     ((-0.2, -0.2, 0.1), 41.8)],
)  # fmt: skip
def test_a_segment_against_the_horizontal_in_3d_is_its_tilt_from_level(right_shoulder, tilt):
    import numpy as np

    from reptrack.exercise.definition import AngleDef
    from reptrack.exercise.measure import angle_value
    from reptrack.pose.types import INDEX, NUM_LANDMARKS, Pose

    image = np.full((NUM_LANDMARKS, 4), 0.5)
    image[:, 3] = 1.0
    world = np.zeros((NUM_LANDMARKS, 4))
    world[INDEX["right_shoulder"], :3] = right_shoulder  # left shoulder at the origin
    angle = AngleDef("tilt", "segment", ("left_shoulder", "right_shoulder"), "world",
                     "horizontal")  # fmt: skip
    assert angle_value(Pose(image, world), angle, "left") == pytest.approx(tilt, abs=0.1)


def test_on_one_side_is_not_a_plank(spec):
    side_on = [(t, s | {"shoulder_tilt.left": 70.0}) for t, s in stream((10, STRAIGHT))]
    timer = make(spec)
    run(timer, side_on)
    assert timer.holds == []
    assert make(specs.load("side_plank")).spec.position[-1].angle == "shoulder_tilt"


def test_a_side_chosen_by_the_person_is_the_only_one_timed(spec):
    # the right side in position, the left not seen: with --side left there is no hold
    right_only = [
        (t, {**s, **{k.replace(".left", ".right"): v for k, v in s.items() if ".left" in k},
             **{k: math.nan for k in s if ".left" in k and not k.startswith("vis")}})
        for t, s in stream((6, STRAIGHT))
    ]  # fmt: skip
    timer = HoldTimer(spec, side="left")
    run(timer, right_only)
    assert timer.holds == []
    either = HoldTimer(spec)  # auto: either side
    run(either, right_only)
    assert len(either.holds) == 1
