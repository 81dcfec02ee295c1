"""The exercises judged on other pose systems' keypoints: Pose Trainer's OpenPose clips with
good/bad labels and ML Kit's labelled up/down frames (../shared/data/keypoints)."""

from __future__ import annotations

import numpy as np
import pytest

from reptrack.evaluation.keypoint_sets import (
    count_clip,
    mlkit_zones,
    pose_trainer,
    pose_trainer_summary,
)
from reptrack.exercise import spec as specs

# COCO-18 indices of the parts a side-on curl needs (OpenPose order).
NECK, R_SHOULDER, R_ELBOW, R_WRIST, L_SHOULDER, R_HIP, L_HIP = 1, 2, 3, 4, 5, 8, 11


def _curl_clip(swing: float, frames: int = 90) -> np.ndarray:
    """A right arm seen from the side curling once, its upper arm swinging up to `swing`°."""
    k = np.zeros((frames, 18, 3))
    for i in range(frames):
        phase = np.sin(np.pi * i / (frames - 1))  # 0 → 1 → 0
        elbow_angle = np.radians(165 - 120 * phase)
        arm = np.radians(swing * phase)  # upper arm forward of the trunk
        shoulder = np.array([500.0, 300.0])
        elbow = shoulder + 150 * np.array([np.sin(arm), np.cos(arm)])
        forearm = arm + np.pi - elbow_angle  # direction of elbow → wrist, from straight down
        wrist = elbow + 140 * np.array([np.sin(forearm), np.cos(forearm)])
        k[i, R_SHOULDER] = (*shoulder, 0.8)
        k[i, L_SHOULDER] = (505.0, 300.0, 0.6)  # side on: the shoulders overlap
        k[i, R_ELBOW] = (*elbow, 0.8)
        k[i, R_WRIST] = (*wrist, 0.8)
        k[i, R_HIP] = (500.0, 600.0, 0.8)
        k[i, L_HIP] = (505.0, 600.0, 0.6)
        k[i, NECK] = (502.0, 290.0, 0.8)
    return k


def test_openpose_keypoints_count_a_curl_and_flag_a_swinging_upper_arm():
    spec = specs.load("curl")
    strict = count_clip(spec, _curl_clip(swing=5), fps=30)
    swinging = count_clip(spec, _curl_clip(swing=50), fps=30)
    assert len(strict) == 1 and strict[0].flags == ()
    assert len(swinging) == 1 and "elbow_drift" in swinging[0].flags


def test_pose_trainer_good_and_bad_form(shared):
    summary = pose_trainer_summary(pose_trainer(shared / "keypoints" / "pose_trainer"))
    curl, press = summary["curl"], summary["shoulder_press"]
    assert (curl["bad"], curl["good"], press["bad"], press["good"]) == (10, 6, 17, 19)
    assert curl["no_rep"] == 0 and press["no_rep"] == 0  # every clip's rep is counted
    # Good curls stay clean; only 4 of 10 bad ones are flagged (#12 asks for 8: the other
    # six move the upper arm no more than the good ones do, see the README).
    assert curl["good_clean"] >= 5 and curl["bad_flagged"] >= 4
    # The press's back_arch separates bad from good far better than chance (28 of 36).
    arch = press["rules"]["back_arch"]
    correct = arch["bad"] + (press["good"] - arch["good"])
    assert correct / (press["bad"] + press["good"]) >= 0.75


def test_mlkit_positions_lie_in_the_exercises_zones(shared):
    zones = {
        z.label: z for z in mlkit_zones(shared / "keypoints" / "mlkit" / "fitness_pose_samples.csv")
    }
    assert {z: zones[z].frames for z in zones} == {
        "pushups_down": 195, "pushups_up": 201, "squats_down": 225, "squats_up": 191,
    }  # fmt: skip
    assert zones["pushups_up"].share >= 0.95 and zones["squats_up"].share >= 0.95
    # Short of #12's 95 % (README): the set's depth is unusable, and a squat seen from the
    # front reads too open in the image. These floors catch a regression.
    assert zones["pushups_down"].share >= 0.85 and zones["squats_down"].share >= 0.70


@pytest.mark.parametrize("content", ["a,b,c\n", "x,pushups_up," + ",".join(["n"] * 99) + "\n"])
def test_a_damaged_mlkit_file_is_one_clear_error(tmp_path, content):
    from reptrack.errors import ReptrackError

    bad = tmp_path / "samples.csv"
    bad.write_text(content)
    with pytest.raises(ReptrackError, match="line 1"):
        mlkit_zones(bad)
