"""The backend-neutral pose: BlazePose's 33 named landmarks, the skeleton, the estimator API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

LANDMARK_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
INDEX: dict[str, int] = {name: i for i, name in enumerate(LANDMARK_NAMES)}
ALL_KEYPOINTS: frozenset[str] = frozenset(LANDMARK_NAMES)
NUM_LANDMARKS = len(LANDMARK_NAMES)

# The 12 limb points (shoulders to ankles) used to compare pose estimators.
LIMB_POINTS: tuple[str, ...] = tuple(
    f"{side}_{part}"
    for part in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")
    for side in ("left", "right")
)

SKELETON: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"),
    ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"),
    ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"),
    ("left_ankle", "left_heel"),
    ("left_heel", "left_foot_index"),
    ("left_ankle", "left_foot_index"),
    ("right_ankle", "right_heel"),
    ("right_heel", "right_foot_index"),
    ("right_ankle", "right_foot_index"),
    ("nose", "left_eye"),
    ("nose", "right_eye"),
    ("left_eye", "left_ear"),
    ("right_eye", "right_ear"),
)


@dataclass(frozen=True)
class Pose:
    """One person's landmarks in one frame.

    `image` is (33, 4): x, y normalized to the frame's width and height, z on the scale of x,
    and visibility in [0, 1]. `world` is (33, 4) metric, hip-centred coordinates plus
    visibility, or None when the backend has no 3-D output. Landmarks a backend does not
    produce are NaN with visibility 0.
    """

    image: np.ndarray
    world: np.ndarray | None = None
    presence: float = 1.0
    width: int = 0
    height: int = 0

    def __post_init__(self) -> None:
        if self.image.shape != (NUM_LANDMARKS, 4):
            raise ValueError(f"image must have shape (33, 4), but got shape {self.image.shape}")
        if self.world is not None and self.world.shape != (NUM_LANDMARKS, 4):
            raise ValueError(f"world must have shape (33, 4), but got shape {self.world.shape}")

    def visibility(self, name: str) -> float:
        return float(self.image[INDEX[name], 3])

    def xy(self, name: str) -> np.ndarray:
        """The point in pixels (needs width and height) or normalized if they are unknown."""
        x, y = self.image[INDEX[name], :2]
        if self.width and self.height:
            return np.array([x * self.width, y * self.height])
        return np.array([x, y])


class PoseEstimator(Protocol):
    """Turns one BGR frame into the pose of the tracked person, or None when nobody is there."""

    name: str
    title: str  # how a person names it: "BlazePose", "OpenPose COCO-18"
    note: str | None  # what the person should know before a session (its speed, say)
    keypoints: frozenset[str]  # the landmarks this estimator can find (others stay NaN)

    def estimate(self, frame: np.ndarray, timestamp: float) -> Pose | None: ...

    def close(self) -> None: ...
