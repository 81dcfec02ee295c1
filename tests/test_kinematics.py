import math

import numpy as np

from reptrack.exercise.kinematics import angle_between, angle_from_vertical, joint_angle, view_angle
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


ARM = ("left_shoulder", "left_elbow", "left_wrist")


def _arm(image: list[tuple[float, float]], world: list[tuple[float, float, float]]) -> Pose:
    pose = make_pose(dict(zip(ARM, image, strict=True)))
    w = np.zeros((33, 4), np.float32)
    for name, xyz in zip(ARM, world, strict=True):
        w[INDEX[name], :3] = xyz
    return Pose(pose.image, w, 1.0, 100, 100)


def test_the_view_angle_trusts_the_image_where_the_arm_bends_facing_the_camera():
    # Elbows flaring out in a push-up seen from the front: the arm bends in the image plane
    # (80° in the image) while the model's flat depth makes the 3-D angle read 110°.
    bend = math.radians(80)
    image = [(0.5, 0.3), (0.5, 0.5), (0.5 + 0.2 * math.sin(bend), 0.5 - 0.2 * math.cos(bend))]
    wide = math.radians(110)
    world = [(0, -0.3, 0), (0, 0, 0), (0.3 * math.sin(wide), -0.3 * math.cos(wide), 0.02)]
    assert math.isclose(view_angle(_arm(image, world), *ARM), 80, abs_tol=0.5)


def test_the_view_angle_trusts_3d_where_the_arm_bends_toward_the_camera():
    # A curl seen from the front: the forearm points at the camera, so the image shows a
    # short stub at an arbitrary angle; the 3-D landmarks still say 90°.
    image = [(0.5, 0.3), (0.5, 0.5), (0.52, 0.49)]
    world = [(0, -0.3, 0), (0, 0, 0), (0, 0, -0.3)]
    assert math.isclose(view_angle(_arm(image, world), *ARM), 90, abs_tol=0.5)
    assert abs(joint_angle(_arm(image, world), *ARM) - 90) > 20  # the image alone: 63°


def test_the_view_angle_is_the_image_angle_without_3d_landmarks():
    pose = make_pose({ARM[0]: (0.5, 0.3), ARM[1]: (0.5, 0.5), ARM[2]: (0.7, 0.5)})
    assert math.isclose(view_angle(pose, *ARM), 90, abs_tol=1e-4)
