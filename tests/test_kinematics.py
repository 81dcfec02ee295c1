import math

import numpy as np

from reptrack.kinematics import angle_between, angle_from_vertical, joint_angle
from reptrack.pose.types import INDEX, Pose


def make_pose(points: dict[str, tuple[float, float]], visibility: float = 0.9) -> Pose:
    image = np.zeros((33, 4), np.float32)
    image[:, 3] = visibility
    for name, (x, y) in points.items():
        image[INDEX[name], :2] = (x, y)
    return Pose(image, None, 1.0, 100, 100)


def test_angle_between_right_and_straight():
    assert math.isclose(angle_between(np.array([1, 0]), np.zeros(2), np.array([0, 1])), 90)
    assert math.isclose(angle_between(np.array([-1, 0, 0]), np.zeros(3), np.array([2, 0, 0])), 180)


def test_segment_against_vertical():
    assert math.isclose(angle_from_vertical(np.array([0, 0]), np.array([0, 1])), 0)
    assert math.isclose(angle_from_vertical(np.array([1, 0]), np.array([0, 1])), 45)


def test_knee_angle_from_a_pose_in_pixels():
    pose = make_pose({"left_hip": (0.5, 0.3), "left_knee": (0.5, 0.5), "left_ankle": (0.7, 0.5)})
    assert math.isclose(joint_angle(pose, "left_hip", "left_knee", "left_ankle"), 90, abs_tol=1e-4)


def test_no_angle_from_points_the_model_cannot_see():
    pts = {"left_hip": (0.5, 0.3), "left_knee": (0.5, 0.5), "left_ankle": (0.7, 0.5)}
    assert math.isnan(
        joint_angle(make_pose(pts, visibility=0.2), "left_hip", "left_knee", "left_ankle")
    )
    pts["left_ankle"] = (0.7, 1.4)  # far below the frame
    assert math.isnan(joint_angle(make_pose(pts), "left_hip", "left_knee", "left_ankle"))
