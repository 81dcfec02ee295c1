"""How far one landmark stream is from a reference (MediaPipe's own): the figures the pose
engine is held to."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reptrack.pose.dump import PoseRun
from reptrack.pose.types import INDEX, LIMB_POINTS

LIMBS = [INDEX[n] for n in LIMB_POINTS]
JOINTS = [  # elbows and knees: (a, vertex, c)
    (INDEX["left_shoulder"], INDEX["left_elbow"], INDEX["left_wrist"]),
    (INDEX["right_shoulder"], INDEX["right_elbow"], INDEX["right_wrist"]),
    (INDEX["left_hip"], INDEX["left_knee"], INDEX["left_ankle"]),
    (INDEX["right_hip"], INDEX["right_knee"], INDEX["right_ankle"]),
]


@dataclass(frozen=True)
class Agreement:
    limb_error: float  # mean distance over the 12 limb points, in torso lengths
    angle_median: float  # median |difference| of elbow and knee angles, degrees
    presence: float  # fraction of frames where both agree a person is there or not


def _angles(px: np.ndarray) -> np.ndarray:
    out = []
    for a, b, c in JOINTS:
        v1, v2 = px[:, a] - px[:, b], px[:, c] - px[:, b]
        cos = (v1 * v2).sum(-1) / (np.linalg.norm(v1, axis=-1) * np.linalg.norm(v2, axis=-1))
        out.append(np.degrees(np.arccos(np.clip(cos, -1, 1))))
    return np.stack(out, axis=1)


def agreement(run: PoseRun, reference: PoseRun) -> Agreement:
    if len(run.present) != len(reference.present):
        raise ValueError(f"frame counts differ: {len(run.present)} vs {len(reference.present)}")
    both = run.present & reference.present
    scale = np.array([reference.width, reference.height])
    ours = run.image[both][..., :2] * scale
    ref = reference.image[both][..., :2] * scale
    torso = np.linalg.norm(
        ref[:, [INDEX["left_shoulder"], INDEX["right_shoulder"]]].mean(1)
        - ref[:, [INDEX["left_hip"], INDEX["right_hip"]]].mean(1),
        axis=-1,
    )
    dist = np.linalg.norm(ours[:, LIMBS] - ref[:, LIMBS], axis=-1).mean(1) / torso
    angle_diff = np.abs(_angles(ours) - _angles(ref))
    return Agreement(
        limb_error=float(np.mean(dist)) if dist.size else float("nan"),
        angle_median=float(np.nanmedian(angle_diff)) if angle_diff.size else float("nan"),
        presence=float(np.mean(run.present == reference.present)),
    )
