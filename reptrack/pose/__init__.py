"""Pose estimation: backend-neutral types and the estimators that produce them."""

from reptrack.pose.types import LANDMARK_NAMES, SKELETON, Pose, PoseEstimator

__all__ = ["LANDMARK_NAMES", "SKELETON", "Pose", "PoseEstimator"]
