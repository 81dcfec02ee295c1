"""Build a pose estimator from the user's choice of backend and model."""

from __future__ import annotations

from reptrack.errors import ModelError
from reptrack.pose.types import PoseEstimator

BACKENDS = ("blazepose", "openpose")


def make_estimator(
    backend: str = "blazepose",
    model: str = "full",
    *,
    openpose_model: str = "coco",
    openpose_size: tuple[int, int] = (368, 368),
) -> PoseEstimator:
    """BlazePose `model` (lite, full, heavy), or OpenPose `openpose_model` (coco, mpi) with
    its input blob `openpose_size` (width, height)."""
    if backend == "blazepose":
        from reptrack.pose.blazepose import BlazePose

        return BlazePose(model)
    if backend == "openpose":
        from reptrack.pose.openpose import OpenPose, OpenPoseSettings

        width, height = openpose_size
        return OpenPose(
            openpose_model, settings=OpenPoseSettings(input_width=width, input_height=height)
        )
    raise ModelError(f"unknown backend {backend!r}", hint=f"choose one of {', '.join(BACKENDS)}")
