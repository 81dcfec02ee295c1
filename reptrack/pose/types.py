"""The backend-neutral pose of one person in one frame, and the estimator API (the landmark
names and the skeleton are in `landmarks`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from reptrack.pose.landmarks import (  # noqa: F401 (the vocabulary, re-exported)
    ALL_KEYPOINTS,
    INDEX,
    LANDMARK_NAMES,
    LIMB_POINTS,
    NUM_LANDMARKS,
    SKELETON,
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
