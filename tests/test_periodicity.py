"""The set's rhythm as the counter's second opinion: a movement shaped like the set's reps and
nearly as deep counts though it stopped short of the turning point, a jerk far quicker than
the set's reps and unlike them does not, and nothing counts by rhythm before the movement has
repeated."""

from __future__ import annotations

import math

import numpy as np
import pytest

from fakes import RATE, STANDING, BlankSource, Squatter, cycles, feed, session
from reptrack.exercise import spec as specs
from reptrack.exercise.events import FormWarning, RepRejected
from reptrack.exercise.periodicity import DEEP_ENOUGH, FLAIL, rhythm_of, shape_of
from reptrack.exercise.rep_counter import PERIODIC, RepCounter
from reptrack.exercise.threshold_counter import ThresholdCounter
from reptrack.store import Store

REST, BOTTOM = 172.0, 90.0  # a squat's knee standing and at the bottom


def _set(*reps: tuple[float, float]) -> np.ndarray:
    """A squat set: each rep is (deepest knee angle, seconds), one after the other."""
    parts = [np.full(int(RATE), REST)]
    for far, seconds in reps:
        parts.append(cycles(1, REST, far, period=seconds, pause=0.0))
    parts.append(np.full(int(RATE), REST))
    return np.concatenate(parts)


def _counter(adapt: bool = False) -> RepCounter:
    # Thresholds as shipped, never fitted: what counts beyond them is the rhythm's doing.
    return RepCounter(specs.load("squat"), adapt=adapt)


@pytest.mark.parametrize("adapt", [False, True])
def test_a_shallower_rep_like_the_sets_counts_by_the_rhythm_as_it_comes_back(adapt):
    shallow = 118.0  # short of the shipped turn (110), 54° deep: two thirds of the set's 82°
    angles = _set(*[(BOTTOM, 2.5)] * 4, (shallow, 2.5), (BOTTOM, 2.5))
    counter, done = feed("squat", angles, extra=STANDING, counter=_counter(adapt))
    assert counter.count == 6
    assert [r.counted_by for r in counter.reps][4] == PERIODIC
    assert [e.rep.number for e in done] == [1, 2, 3, 4, 5, 6]
    # said as the person is back up, not when the next rep is done
    back_up = 1.0 + 5 * 2.5
    assert back_up - 1.0 < done[4].t <= back_up + 0.5


def test_the_same_rep_before_the_set_has_a_rhythm_does_not_count():
    angles = _set((BOTTOM, 2.5), (118.0, 2.5), *[(BOTTOM, 2.5)] * 3)
    counter, _ = feed("squat", angles, extra=STANDING, counter=_counter())
    assert counter.count == 4 and PERIODIC not in {r.counted_by for r in counter.reps}


def test_a_movement_well_short_of_the_sets_depth_does_not_count():
    too_shallow = 131.0  # 41° deep: over the squat's least range (35°), half the set's 82°
    assert 35 < REST - too_shallow < DEEP_ENOUGH * (REST - BOTTOM)
    angles = _set(*[(BOTTOM, 2.5)] * 4, (too_shallow, 2.5), (BOTTOM, 2.5))
    counter, _ = feed("squat", angles, extra=STANDING, counter=_counter())
    assert counter.count == 5


def test_a_movement_unlike_the_sets_reps_does_not_count():
    # Down most of the way, a pause and a bounce: as deep as the set's reps but another shape.
    bounce = np.concatenate([np.linspace(REST, 118, 20), np.full(30, 118.0),
                             np.linspace(118, 130, 8), np.linspace(130, 118, 8),
                             np.linspace(118, REST, 10)])  # fmt: skip
    angles = _set(*[(BOTTOM, 2.5)] * 4)
    angles = np.concatenate([angles, bounce, _set((BOTTOM, 2.5))])
    counter, _ = feed("squat", angles, extra=STANDING, counter=_counter())
    assert counter.count == 5


def _fed(knee: np.ndarray, trunk: np.ndarray) -> RepCounter:
    counter = _counter()
    for i, (k, tr) in enumerate(zip(knee, trunk, strict=True)):
        s = {"knee.left": float(k), "knee.right": float(k), "trunk.left": float(tr),
             "trunk.right": float(tr), "vis.left": 0.9, "vis.right": 0.9, "view": 80.0}  # fmt: skip
        counter.update(i / RATE, s)
    counter.finish(len(knee) / RATE)
    return counter


@pytest.mark.parametrize(("bends_over", "counted"), [(False, 6), (True, 5)])
def test_the_whole_pose_must_move_as_in_the_sets_reps(bends_over, counted):
    # The knee bends like a shallow squat; picking something up, the trunk leans 50° with
    # it (still short of what the squat refuses), where the set's reps kept it upright.
    knee = _set(*[(BOTTOM, 2.5)] * 4, (118.0, 2.5), (BOTTOM, 2.5))
    trunk = np.full_like(knee, 8.0)
    if bends_over:
        lo, hi = int((1.0 + 4 * 2.5) * RATE), int((1.0 + 5 * 2.5) * RATE)
        trunk[lo:hi] += 50 * (REST - knee[lo:hi]) / (REST - 118.0)
    assert _fed(knee, trunk).count == counted


def _squat_set(*reps: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Knee and trunk of a squat set: the trunk leans 30° forward as the knee bends."""
    knee = _set(*reps)
    return knee, 8.0 + 30.0 * (REST - knee) / (REST - BOTTOM)


@pytest.mark.parametrize("adapt", [False, True])
def test_an_arm_flung_up_once_in_a_set_of_curls_is_not_a_rep(adapt):
    # Curls: the elbow closes 160° → 50° and the forearm comes up with it, the upper arm
    # still. Then the hand waves, quick: the elbow bends as far, but the upper arm swings up
    # 60° (short of the curl's requirement, 75°, which refuses a higher swing on its own) and
    # the forearm barely leaves the vertical.
    quick = 0.7  # over the curl's least duration (0.5 s), under 40 % of the set's reps
    assert quick < FLAIL * 3.0
    curls = [cycles(1, 160, 50, period=p, pause=0) for p in (3.0, 3.0, 3.0, 3.0, quick, 3.0)]
    elbow = np.concatenate([np.full(30, 160.0), *curls, np.full(30, 160.0)])
    bent = (160 - elbow) / 110  # 0 with the arm down, 1 at the top
    forearm, upper_arm = 110 * bent, np.full_like(elbow, 10.0)
    lo = 30 + int(4 * 3.0 * RATE)
    hi = lo + int(quick * RATE) + 1
    forearm[lo:hi], upper_arm[lo:hi] = 30 * bent[lo:hi], 10 + 60 * bent[lo:hi]
    events: list = []
    counter = RepCounter(specs.load("curl"), side="left", adapt=adapt)
    for i in range(len(elbow)):
        s = {"elbow.left": elbow[i], "forearm.left": forearm[i], "upper_arm.left": upper_arm[i],
             "trunk.left": 5.0, "vis.left": 0.9, "vis.right": 0.0, "view": 80.0}  # fmt: skip
        events += counter.update(i / RATE, {k: float(v) for k, v in s.items()})
    events += counter.finish(len(elbow) / RATE)
    assert counter.count == 5
    assert any(isinstance(e, RepRejected) and "quicker" in e.reason for e in events)


def test_a_quick_rep_that_moves_like_the_sets_is_a_change_of_tempo():
    knee, trunk = _squat_set(*[(BOTTOM, 3.0)] * 4, (BOTTOM, 0.8), (BOTTOM, 3.0))
    assert _fed(knee, trunk).count == 6


def test_the_same_jerk_as_a_sets_first_movement_counts():
    # No rhythm yet: the thresholds decide alone, and a quick squat is a squat.
    angles = _set((BOTTOM, 0.8), *[(BOTTOM, 3.0)] * 3)
    counter, _ = feed("squat", angles, extra=STANDING, counter=_counter())
    assert counter.count == 4


def test_a_rhythm_needs_three_reps_of_like_duration():
    t = np.arange(0, 3, 1 / RATE)
    x = REST - (REST - BOTTOM) * (1 - np.cos(2 * np.pi * t / 3)) / 2
    shape = shape_of(t, {"knee": x}, "knee", 0.0, 3.0, REST - BOTTOM)
    assert shape is not None
    assert rhythm_of([shape, shape]) is None
    assert rhythm_of([shape] * 3) is not None
    slow = shape_of(t * 2, {"knee": x}, "knee", 0.0, 6.0, REST - BOTTOM)
    quick = shape_of(t / 2, {"knee": x}, "knee", 0.0, 1.5, REST - BOTTOM)
    assert slow is not None and quick is not None
    assert rhythm_of([shape, slow, quick]) is None


def test_a_movement_whose_middle_was_not_seen_has_no_shape():
    t = np.arange(0, 3, 1 / RATE)
    x = REST - (REST - BOTTOM) * (1 - np.cos(2 * np.pi * t / 3)) / 2
    x[20:70] = np.nan
    assert shape_of(t, {"knee": x}, "knee", 0.0, 3.0, REST - BOTTOM) is None


class _TiringSquatter(Squatter):
    """Squats every 2.5 s to 80°, the fifth (from 10 s to 12.5 s) stopping short at 112°
    (the turn is at 110°): 58° deep, two thirds of the others."""

    def knee_angle(self, t: float) -> float:
        bottom = 112.0 if 10.0 <= t < 12.5 else 80.0
        return 170.0 - (170.0 - bottom) * (1 - math.cos(2 * math.pi * t / 2.5)) / 2


def test_a_rep_counted_by_the_rhythm_reaches_the_store_and_the_json(tmp_path):
    workout = session(BlankSource(int(30 * 15.5)), _TiringSquatter(), specs.load("squat"),
                      store=Store(tmp_path / "r.db"))  # fmt: skip
    summary = workout.run()
    assert [r.counted_by for r in summary.reps][4] == PERIODIC and len(summary.reps) == 6
    stored = Store(tmp_path / "r.db").reps(summary.session_id)
    assert [r["counted_by"] for r in stored].count(PERIODIC) == 1
    details = summary.to_json()["rep_details"]
    assert details[4]["counted_by"] == PERIODIC


def test_a_partial_movement_carries_only_the_warnings_not_said_during_it():
    # A curl that stops at 115° (short of the turn at 110°) while the trunk swings 20° back:
    # "torso_swing" is said as it happens; if the rhythm counts the movement, the warnings it
    # comes with are the rest ("incomplete_curl"), not that one again.
    elbow = np.concatenate([np.full(30, 160.0), cycles(1, 160, 115, period=3.0, pause=0),
                            np.full(30, 160.0)])  # fmt: skip
    trunk = 20 * np.clip((160 - elbow - 40) / 5, 0, 1)  # 0 → 20° as the elbow passes 120°
    machine = ThresholdCounter(specs.load("curl"), "left")
    events: list = []
    for i in range(len(elbow)):
        s = {"elbow.left": float(elbow[i]), "forearm.left": 10.0, "upper_arm.left": 10.0,
             "trunk.left": float(trunk[i]), "vis.left": 0.9, "view": 80.0}  # fmt: skip
        events += machine.update(i / RATE, s)
    said = [e.rule for e in events if isinstance(e, FormWarning)]
    partial = next(e for e in events if isinstance(e, RepRejected) and e.partial is not None)
    assert said == ["torso_swing"] and partial.partial is not None
    assert {"torso_swing", "incomplete_curl"} <= set(partial.partial.flags)
    assert [w.rule for w in partial.warnings] == ["incomplete_curl"]
