"""The counter on real recorded landmarks (MediaPipe's own, from ../shared) and on synthetic
angle streams for its properties."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import NOT_YET
from reptrack.evaluation.evaluate import count, evaluate
from reptrack.evaluation.labels import load_labels
from reptrack.exercise import spec as specs
from reptrack.exercise.counters import make
from reptrack.exercise.events import FormWarning, RuleUnjudged
from reptrack.exercise.hold_timer import HoldTimer
from reptrack.exercise.rep_counter import RepCounter
from reptrack.pose.dump import load_landmarks, replay


@pytest.fixture(scope="module")
def results(shared: Path):
    return {
        r.label.file.name: r
        for r in evaluate(load_labels(shared / "labels.toml"), reference=shared / "reference")
    }


def _labelled_videos() -> list[str]:
    """The labelled videos' file names, read when the tests are collected (none without
    ../shared: the `shared` fixture then says why the test does not run)."""
    from conftest import SHARED

    try:
        return [label.file.name for label in load_labels(SHARED / "labels.toml")]
    except Exception:
        return ["(no labels)"]


LABELLED = _labelled_videos()


@pytest.mark.parametrize(
    "video",
    [
        pytest.param(v, marks=pytest.mark.xfail(strict=True, reason=NOT_YET[v]))
        if v in NOT_YET
        else v
        for v in LABELLED
    ],
)
def test_counts_the_labelled_video_exactly(results, video):
    r = results[video]
    assert r.error is None, r.error
    if r.label.is_hold:
        assert r.exact, f"expected {r.label.expected_seconds:.1f} s in position, held {r.held}"
    assert r.exact, f"expected {r.label.reps} (or {r.label.also}), counted {r.predicted}"


def test_every_video_not_yet_counted_is_labelled(results):
    # A name in NOT_YET that no label has would hide nothing and never be taken out.
    assert set(NOT_YET) <= set(results)
    assert len(results) == len(LABELLED) == 54


def test_curl_elbow_drift_flags_the_three_swinging_reps_only(results):
    reps = results["curl_bajpai.mp4"].reps
    assert [("elbow_drift" in r.flags) for r in reps] == [True, True, True, False]


def _rep_spans(shared: Path, video: str, exercise: str) -> list[tuple[float, float]]:
    counter = RepCounter(specs.load(exercise))
    count(replay(load_landmarks(shared / "reference" / f"{video}.npz")), counter)
    return [(r.start, r.end) for r in counter.reps]


def test_picking_up_and_putting_down_the_bar_is_not_a_squat(shared):
    spans = _rep_spans(shared, "squat_joe1", "squat")
    assert len(spans) == 5
    for start, end in spans:
        assert not (start <= 2.5 <= end) and not (start <= 21.0 <= end)


def test_bending_for_a_bottle_is_not_a_squat(shared):
    spans = _rep_spans(shared, "squat_tommy", "squat")
    assert len(spans) == 3 and all(end < 7.5 for _, end in spans)


def test_walking_is_not_squatting(shared):
    assert _rep_spans(shared, "walking_silhouette", "squat") == []


def _stream(angles_left, angles_right=None, dt=1 / 30):
    """Curl samples; where neither arm has an angle the person is out of view."""
    for i, a in enumerate(angles_left):
        b = angles_right[i] if angles_right is not None else math.nan
        seen = 0.0 if math.isnan(a) and math.isnan(b) else 0.9
        yield (
            i * dt,
            {
                "elbow.left": a,
                "elbow.right": b,
                "upper_arm.left": 10.0,
                "upper_arm.right": 10.0,
                "trunk.left": 2.0,
                "trunk.right": 2.0,
                "vis.left": seen,
                "vis.right": seen,
                "view": 80.0,
            },
        )


def _curl_rep(frames=45, top=160.0, bottom=50.0):
    down = [top - (top - bottom) * i / (frames // 2) for i in range(frames // 2)]
    return [top] * 10 + down + [bottom] * 5 + down[::-1] + [top] * 10


def test_alternating_curls_count_each_arm_with_side_both():
    rest = [160.0] * len(_curl_rep())
    left = _curl_rep() + rest + _curl_rep() + rest
    right = rest + _curl_rep() + rest + _curl_rep()
    counter = RepCounter(specs.load("curl"), side="both")
    for t, s in _stream(left, right):
        counter.update(t, s)
    assert [r.side for r in counter.reps] == ["left", "right", "left", "right"]
    auto = RepCounter(specs.load("curl"), side="auto")
    for t, s in _stream(left, right):
        auto.update(t, s)
    assert [r.side for r in auto.reps] == ["left", "right", "left", "right"]


@pytest.mark.parametrize("lag_frames", [0, 3, 8, 15])
def test_auto_counts_both_arms_together_once(lag_frames):
    # Two arms curling together, one a little behind the other, as real arms are.
    both = [_curl_rep() for _ in range(3)]
    left = [a for rep in both for a in rep] + [160.0] * lag_frames
    right = [160.0] * lag_frames + [a for rep in both for a in rep]
    auto = RepCounter(specs.load("curl"), side="auto")
    for t, s in _stream(left, right):
        auto.update(t, s)
    assert auto.count == 3
    independent = RepCounter(specs.load("curl"), side="both")
    for t, s in _stream(left, right):
        independent.update(t, s)
    assert independent.count == 6


def test_auto_counts_one_arm_when_the_other_is_never_seen():
    arm = [a for _ in range(3) for a in _curl_rep()]
    auto = RepCounter(specs.load("curl"), side="auto")
    for t, s in _stream(arm, [math.nan] * len(arm)):
        auto.update(t, s)
    assert [r.side for r in auto.reps] == ["left"] * 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1.0, 1.0), min_size=60, max_size=400), st.floats(130.0, 170.0))
def test_noise_inside_the_hysteresis_band_never_adds_a_rep(noise, level):
    spec = specs.load("curl")
    amplitude = spec.counter.hysteresis * 0.9
    counter = RepCounter(spec, side="left")
    for t, s in _stream([level + amplitude * n for n in noise]):
        counter.update(t, s)
    assert counter.count == 0


@settings(max_examples=60, deadline=None)
@given(st.integers(5, 40), st.integers(0, 3), st.integers(16, 60))
def test_a_dropped_out_stretch_never_adds_a_rep(gap_start, reps_before, gap_frames):
    spec = specs.load("curl")
    angles = [a for _ in range(reps_before) for a in _curl_rep()]
    one = _curl_rep()
    # The pose vanishes for longer than max_gap in the middle of a rep, and comes back at the
    # bottom: what is left of that rep must not count.
    start = len(angles) + gap_start
    angles = angles + one
    angles[start : start + gap_frames] = [math.nan] * gap_frames
    counter = RepCounter(spec, side="left")
    for t, s in _stream(angles):
        counter.update(t, s)
    gap_seconds = gap_frames / 30
    expected_max = reps_before + (1 if gap_seconds <= spec.counter.max_gap else 0)
    assert counter.count <= expected_max
    assert counter.count >= reps_before


@pytest.mark.parametrize("gap_frames", [10, 30, 60])
def test_a_limb_out_of_the_frame_at_the_turning_point_does_not_end_the_rep(gap_frames):
    # A hand above the frame at the top of a press: the counted angle is gone for up to 2 s
    # while the rest of the body stays in view, and comes back on the way down.
    rep = _curl_rep(frames=45)
    bottom = rep.index(50.0)
    left = rep[: bottom + 2] + [math.nan] * gap_frames + rep[bottom + 2 :]
    counter = RepCounter(specs.load("curl"), side="left")
    for t, s in _stream(left, [160.0] * len(left)):
        counter.update(t, s)
    assert counter.count == 1


def _curl_set(reps: int, extend_to: float) -> list[float]:
    """Curls whose arm comes back to `extend_to` between reps (and at the start)."""
    rep = _curl_rep(top=130.0)  # each rep itself ends as soon as the arm passes 130°
    rest = [130.0 + (extend_to - 130.0) * min(1.0, i / 5) for i in range(20)]
    rest += rest[::-1]
    return [v for _ in range(reps) for v in rest + rep]


@pytest.mark.parametrize(("extend_to", "flagged"), [(155.0, False), (131.0, True)])
def test_incomplete_extension_judges_the_start_position_before_each_rep(extend_to, flagged):
    # The arm straightens in the start position between reps, not inside the rep's own
    # samples: judged inside the rep, every rep here would be flagged.
    counter = RepCounter(specs.load("curl"), side="left")
    for t, s in _stream(_curl_set(4, extend_to)):
        counter.update(t, s)
    assert counter.count == 4
    assert [("incomplete_extension" in r.flags) for r in counter.reps] == [flagged] * 4
    assert all(
        math.isclose(r.measures["incomplete_extension"], extend_to, abs_tol=0.5)
        for r in counter.reps
    )


def _fed(spec_name: str, angles: list[float], side: str = "left") -> RepCounter:
    counter = RepCounter(specs.load(spec_name), side=side)
    t = 0.0
    for t, s in _stream(angles):
        counter.update(t, s)
    counter.finish(t)
    return counter


def test_the_end_of_the_stream_finishes_a_rep_that_is_back_at_the_start():
    # The video ends two frames after the arm is straight again: too soon for the filter and
    # the dwell to confirm the start position, but the rep is done.
    rep = _curl_rep()
    back = [*rep[: len(rep) - 10], 160.0, 160.0]
    assert _fed("curl", _curl_rep() + back).count == 2


@pytest.mark.parametrize("cut", [0.25, 0.5, 0.65])
def test_a_rep_cut_off_before_it_returns_does_not_count(cut):
    rep = _curl_rep()
    assert _fed("curl", _curl_rep() + rep[: int(len(rep) * cut)]).count == 1


def _press(top_seen: float, hidden_frames: int) -> list[float]:
    """A shoulder press from 90° to `top_seen`, the hands then out of the frame for a while."""
    up = [90.0 + (top_seen - 90.0) * i / 20 for i in range(21)]
    return [90.0] * 10 + up + [math.nan] * hidden_frames + up[::-1] + [90.0] * 10


@pytest.mark.parametrize(("hidden", "flagged"), [(0, True), (25, False)])
def test_lockout_is_not_judged_when_the_top_was_out_of_the_frame(hidden, flagged):
    # The last elbow angle seen on the way up is 150°: too little for a lockout if that was
    # the top, unknown if the hands then left the frame.
    counter = RepCounter(specs.load("shoulder_press"), side="left")
    for t, s in _stream(_press(150.0, hidden), [90.0] * 200):
        counter.update(t, s)
    assert counter.count == 1
    assert ("incomplete_lockout" in counter.reps[0].flags) is flagged


@pytest.mark.parametrize("fps", [8, 10, 15, 30, 60])
def test_the_count_does_not_depend_on_the_frame_rate(fps):
    # Brisk jumping jacks (0.8 s each, arms at the sides for only a moment), as a 60 fps
    # camera and a 10 fps phone stream see them: the median window and the dwell are times,
    # not numbers of frames.
    period, reps = 0.8, 10
    frames = int(period * reps * fps) + 1
    t = [i / fps for i in range(frames)]
    arm = [95 - 80 * math.cos(2 * math.pi * ti / period) for ti in t]  # 15° → 175° → 15°
    counter = RepCounter(specs.load("jumping_jack"), side="left")
    for ti, a in zip(t, arm, strict=True):
        counter.update(ti, {"shoulder.left": a, "shoulder.right": math.nan,
                            "feet_width": 3.0, "vis.left": 0.9, "vis.right": 0.9})  # fmt: skip
    counter.finish(t[-1])
    assert counter.count == reps


# Left and right swapped: MediaPipe's landmark order with each side's points exchanged.
MIRRORED = [0, 4, 5, 6, 1, 2, 3, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15, 18, 17, 20, 19, 22, 21,
            24, 23, 26, 25, 28, 27, 30, 29, 32, 31]  # fmt: skip


def _replayed(shared: Path, label, *, every: int = 1, mirror: bool = False) -> float:
    """Count a labelled video from MediaPipe's landmarks, keeping every `every`-th frame,
    optionally as seen in a mirror: its reps, or a hold's seconds in position."""
    from reptrack.exercise.measure import sample
    from reptrack.pose.types import Pose

    run = load_landmarks(shared / "reference" / f"{label.file.stem}.npz")
    spec = specs.load(label.exercise)
    counter = make(spec)
    t = 0.0
    for i in range(0, len(run.present), every):
        t = i / run.fps
        pose = None
        if run.present[i]:
            image, world = run.image[i].copy(), run.world[i].copy()
            if mirror:
                image, world = image[MIRRORED], world[MIRRORED]
                image[:, 0], world[:, 0] = 1 - image[:, 0], -world[:, 0]
            pose = Pose(image, world if np.isfinite(world[0, 0]) else None, 1.0, run.width,
                        run.height)  # fmt: skip
        counter.update(t, sample(pose, spec))
    counter.finish(t)
    return counter.held() if isinstance(counter, HoldTimer) else counter.count


def _right(label, counted: float) -> bool:
    return label.accepts_held(counted) if label.is_hold else label.accepts(int(counted))


@pytest.mark.parametrize(("every", "mirror"), [(2, False), (3, False), (1, True)])
def test_counts_hold_at_lower_frame_rates_and_in_a_mirror(shared, every, mirror):
    labels = [
        label for label in load_labels(shared / "labels.toml") if label.file.name not in NOT_YET
    ]
    wrong = {
        label.file.name: (label.expected_seconds if label.is_hold else label.reps, n)
        for label in labels
        if not _right(label, n := _replayed(shared, label, every=every, mirror=mirror))
    }
    assert wrong == {}


def test_alternating_curls_seen_from_the_front_count_though_the_arm_looks_open():
    # From the front an arm bending toward the camera reads only 95-105° at the top of the
    # curl (its 3-D angle is flattened): each arm's curl still counts, one after the other.
    curl = _curl_rep(bottom=103.0)
    rest = [160.0] * len(curl)
    left = (curl + rest) * 5
    right = (rest + curl) * 5
    counter = RepCounter(specs.load("curl"))
    for t, s in _stream(left, right):
        counter.update(t, s)
    assert [r.side for r in counter.reps] == ["left", "right"] * 5


@pytest.mark.parametrize(("lag_frames", "reps"), [(0, 3), (4, 3)])
def test_a_fault_of_two_arms_together_is_warned_once_per_rep(lag_frames, reps):
    both = [a for _ in range(reps) for a in _curl_rep()]
    left = both + [160.0] * lag_frames
    right = [160.0] * lag_frames + both
    counter = RepCounter(specs.load("curl"))
    warnings = []
    for t, s in _stream(left, right):
        s = {**s, "upper_arm.left": 50.0, "upper_arm.right": 50.0}  # both elbows swing forward
        warnings += [e for e in counter.update(t, s) if isinstance(e, FormWarning)]
    assert counter.count == reps
    assert [w.rule for w in warnings] == ["elbow_drift"] * reps
    assert all("elbow_drift" in r.flags for r in counter.reps)


def test_push_ups_with_the_legs_out_of_the_frame_count_and_say_once_what_is_not_checked():
    # A close camera at the head end: the arms in plain view, the hips and ankles never. The
    # reps count from the elbows; the straight-body rule cannot be judged, and says so once.
    from fakes import cycles

    events = []
    counter = RepCounter(specs.load("pushup"))
    for i, a in enumerate(cycles(4, 165, 80)):
        s = {"elbow.left": a, "elbow.right": a, "body_line.left": math.nan,
             "body_line.right": math.nan, "trunk.left": math.nan, "trunk.right": math.nan,
             "vis.left": 0.7, "vis.right": 0.7, "view": 80.0}  # fmt: skip
        events += counter.update(i / 30, s)
    assert counter.count == 4
    unjudged = [e for e in events if isinstance(e, RuleUnjudged)]
    assert [e.rule for e in unjudged] == ["hips_sagging"]
    assert "keep your body straight" in unjudged[0].message
    assert "ankle" in unjudged[0].message and "hip" in unjudged[0].message
