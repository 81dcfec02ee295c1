"""Drawing on frames: the skeleton, the joint angles at their joints, the count and the latest
warning. The annotator only draws; it never counts, shows or writes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from reptrack.exercise.events import FormWarning
from reptrack.exercise.spec import ExerciseSpec
from reptrack.kinematics import Gate, usable
from reptrack.pose.types import INDEX, SKELETON, Pose
from reptrack.workout import FrameResult

BGR = tuple[int, int, int]


@dataclass(frozen=True)
class Style:
    bone: BGR = (255, 200, 0)  # the skeleton's lines (cyan-blue)
    joint: BGR = (0, 220, 255)  # the joints (amber)
    text: BGR = (255, 255, 255)
    warning: BGR = (0, 64, 255)  # red-orange
    thickness: int = 3


class Annotator:
    """`annotate(image, pose, sample, count, warning)` → a copy with the overlay drawn."""

    def __init__(self, spec: ExerciseSpec, style: Style = Style(), gate: Gate = Gate()) -> None:
        self.style, self.gate = style, gate
        # The joints whose angles the exercise uses, per side: (angle name, joint landmark).
        self.labels = [
            (f"{a.name}.{side}", f"{side}_{a.points[1]}")
            for a in spec.angles.values()
            if a.kind == "joint" and a.sided
            for side in ("left", "right")
        ]

    def annotate(
        self,
        image: np.ndarray,
        pose: Pose | None,
        sample: dict[str, float],
        count: int,
        warning: str | None = None,
    ) -> np.ndarray:
        out = image.copy()
        h, w = out.shape[:2]
        scale = max(0.5, min(w, h) / 720)
        thick = max(1, round(self.style.thickness * scale))
        if pose is not None:
            self._skeleton(out, pose, thick)
            self._angles(out, pose, sample, scale)
        self._text(out, f"reps {count}", (int(12 * scale), int(48 * scale)), 1.4 * scale, thick)
        if warning:
            self._text(
                out, warning, (int(12 * scale), h - int(20 * scale)), scale, thick, "warning"
            )
        return out

    def _xy(self, pose: Pose, name: str, w: int, h: int) -> tuple[int, int]:
        x, y = pose.image[INDEX[name], :2]
        return round(float(x) * w), round(float(y) * h)

    def _skeleton(self, out: np.ndarray, pose: Pose, thick: int) -> None:
        h, w = out.shape[:2]
        for a, b in SKELETON:
            if usable(pose, a, self.gate) and usable(pose, b, self.gate):
                pa, pb = self._xy(pose, a, w, h), self._xy(pose, b, w, h)
                cv2.line(out, pa, pb, self.style.bone, thick, cv2.LINE_AA)
        for name in {n for edge in SKELETON for n in edge}:
            if usable(pose, name, self.gate):
                cv2.circle(out, self._xy(pose, name, w, h), thick + 2, self.style.joint, -1)

    def _angles(self, out: np.ndarray, pose: Pose, sample: dict[str, float], scale: float) -> None:
        h, w = out.shape[:2]
        for key, joint in self.labels:
            value = sample.get(key, math.nan)
            if math.isnan(value) or not usable(pose, joint, self.gate):
                continue
            x, y = self._xy(pose, joint, w, h)
            self._text(out, f"{value:.0f}", (x + int(10 * scale), y), 0.7 * scale, 2)

    def _text(
        self,
        out: np.ndarray,
        text: str,
        origin: tuple[int, int],
        size: float,
        thick: int,
        kind: str = "text",
    ) -> None:
        colour = self.style.warning if kind == "warning" else self.style.text
        font = cv2.FONT_HERSHEY_SIMPLEX
        cv2.putText(out, text, origin, font, size, (0, 0, 0), thick + 3, cv2.LINE_AA)
        cv2.putText(out, text, origin, font, size, colour, thick, cv2.LINE_AA)


class Overlay:
    """Annotates a workout's frames one after another, keeping its latest warning on screen."""

    def __init__(self, spec: ExerciseSpec) -> None:
        self.annotator = Annotator(spec)
        self.warning: str | None = None

    def note(self, r: FrameResult) -> None:
        """Remember the frame's warnings (call for every frame, drawn or not)."""
        for e in r.events:
            if isinstance(e, FormWarning):
                self.warning = e.message

    def draw(self, r: FrameResult) -> np.ndarray:
        return self.annotator.annotate(r.frame.image, r.pose, r.sample, r.count, self.warning)
