"""Build a pose estimator from the user's choice of backend and model."""

from __future__ import annotations

from reptrack.errors import ModelError
from reptrack.pose.types import PoseEstimator

BACKENDS = ("blazepose", "openpose")


def make_estimator(
    backend: str = "blazepose", model: str = "full", *, openpose_model: str = "coco"
) -> PoseEstimator:
    if backend == "blazepose":
        from reptrack.pose.blazepose import BlazePose

        return BlazePose(model)
    if backend == "openpose":
        from reptrack.pose.openpose import OpenPose

        return OpenPose(openpose_model)
    raise ModelError(f"unknown backend {backend!r}", hint=f"choose one of {', '.join(BACKENDS)}")
