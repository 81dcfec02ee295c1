"""Build a pose estimator from the user's choice of backend and model."""

from __future__ import annotations

from reptrack.errors import ModelError
from reptrack.pose.types import PoseEstimator

BACKENDS = ("blazepose",)  # OpenPose through cv2.dnn is planned (issue 6), not built yet


def make_estimator(
    backend: str = "blazepose", model: str = "full", *, openpose_model: str = "coco"
) -> PoseEstimator:
    if backend == "blazepose":
        from reptrack.pose.blazepose import BlazePose

        return BlazePose(model)
    raise ModelError(f"unknown backend {backend!r}", hint=f"choose one of {', '.join(BACKENDS)}")
