"""Movements that only look like an exercise are not its reps: the exercises' requirements,
argued from the body, on synthetic angle streams (the real videos are in test_counter)."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from reptrack.exercise import spec as specs
from reptrack.exercise.counters import make
from reptrack.exercise.measure import Sample

FPS = 30.0


def _dip(frames: int, high: float, low: float) -> list[float]:
    """An angle going from `high` to `low` and back, smoothly, over `frames` frames."""
    return [low + (high - low) * (1 + math.cos(2 * math.pi * i / frames)) / 2
            for i in range(frames)]  # fmt: skip


def _run(exercise: str, samples: Iterator[Sample]) -> int:
    counter = make(specs.load(exercise))
    t = 0.0
    for i, sample in enumerate(samples):
        t = i / FPS
        counter.update(t, sample)
    counter.finish(t)
    return counter.count


def _legs(left: list[float], right: list[float], split: float) -> Iterator[Sample]:
    for a, b in zip(left, right, strict=True):
        bent = max(0.0, (170 - min(a, b)) / 100)
        yield {
            "knee.left": a, "knee.right": b,
            "other_knee.left": b, "other_knee.right": a,
            "trunk.left": 5.0, "trunk.right": 5.0,
            "thigh_split": split * bent,
            "vis.left": 0.9, "vis.right": 0.9, "view": 80.0,
        }  # fmt: skip


STRAIGHT = 170.0


@pytest.mark.parametrize("knee_lift", [90.0, 60.0])  # marching, high knees
def test_marching_in_place_is_not_lunging(knee_lift):
    """One knee lifted at a time, the standing leg straight: the thighs split as in a lunge,
    but only one knee bends."""
    step = _dip(40, STRAIGHT, knee_lift)
    still = [STRAIGHT] * 40
    left = [*[STRAIGHT] * 30, *(step + still) * 6]
    right = [*[STRAIGHT] * 30, *(still + step) * 6]
    assert _run("lunge", _legs(left, right, split=80.0)) == 0


def test_a_lunge_bends_both_knees_and_counts():
    """The same split, the front knee to 85° and the back one toward the floor (100°)."""
    front, back = _dip(60, STRAIGHT, 85.0), _dip(60, STRAIGHT, 100.0)
    left = [*[STRAIGHT] * 30, *(front + back) * 3]
    right = [*[STRAIGHT] * 30, *(back + front) * 3]
    assert _run("lunge", _legs(left, right, split=80.0)) == 6


def _arms(elbow: list[float], upper_arm: list[float]) -> Iterator[Sample]:
    for e, u in zip(elbow, upper_arm, strict=True):
        yield {
            "elbow.left": e, "elbow.right": math.nan,
            "upper_arm.left": u, "upper_arm.right": math.nan,
            "forearm.left": 180 - e, "forearm.right": math.nan,
            "trunk.left": 2.0, "trunk.right": 2.0,
            "vis.left": 0.9, "vis.right": 0.0, "view": 80.0,
        }  # fmt: skip


def test_shadow_boxing_is_not_curling():
    """Punches thrown forward at shoulder height and pulled back to the guard: the elbow
    straightens and bends as in a curl, but the upper arm rises to the front."""
    punch = _dip(24, 165.0, 45.0)  # extended, back to the guard, extended
    raised = [90.0 + 20 * (e - 45) / 120 for e in punch]  # 90-110° from the trunk
    elbow = [165.0] * 30 + punch * 8
    upper = [90.0] * 30 + raised * 8
    assert _run("curl", _arms(elbow, upper)) == 0


def test_curls_with_the_upper_arm_by_the_side_count():
    curl = _dip(45, 160.0, 50.0)
    drift = [10.0 + 20 * (160 - e) / 110 for e in curl]  # a little forward as the weight rises
    assert _run("curl", _arms([160.0] * 30 + curl * 4, [10.0] * 30 + drift * 4)) == 4
