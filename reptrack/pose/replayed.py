"""A pose "model" that gives back landmarks recorded earlier (`reptrack pose VIDEO --out
FILE.npz`, or a MediaPipe reference file of that layout) for the frames of the same video.

`--backend replay --landmarks FILE.npz` counts a video again without running the model: the
same session, TUI and outputs, at the speed of decoding. A frame is matched to its row by
its timestamp, so frames a camera-paced source skips are skipped here too; a frame past the
recording's end has nobody in it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reptrack.pose.dump import PoseRun, load_landmarks
from reptrack.pose.types import ALL_KEYPOINTS, Pose


class ReplayedPose:
    name = "replay"
    note: str | None = None
    keypoints = ALL_KEYPOINTS

    def __init__(self, landmarks: str | Path | PoseRun) -> None:
        self.run = landmarks if isinstance(landmarks, PoseRun) else load_landmarks(landmarks)
        self.title = (
            "recorded landmarks" if isinstance(landmarks, PoseRun) else f"landmarks of {landmarks}"
        )

    def estimate(self, frame: np.ndarray, timestamp: float) -> Pose | None:
        run = self.run
        i = round(timestamp * run.fps)
        if not 0 <= i < run.frames or not run.present[i]:
            return None
        world = run.world[i] if np.isfinite(run.world[i, 0, 0]) else None
        return Pose(run.image[i], world, 1.0, run.width, run.height)

    def close(self) -> None:
        pass
