"""Drawing on frames: the skeleton, the joint angles at their joints, the count and the latest
warning. The annotator only draws; it never counts, shows or writes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from reptrack.clock import clock_text
from reptrack.exercise.events import FormWarning
from reptrack.exercise.kinematics import Gate, usable
from reptrack.exercise.measure import SIDES, key, landmark, landmarks_of
from reptrack.exercise.spec import ExerciseSpec
from reptrack.pose.types import INDEX, SKELETON, Pose
from reptrack.session.results import FrameResult

BGR = tuple[int, int, int]


@dataclass(frozen=True)
class Style:
    """Colours (BGR) and sizes, the sizes for a 720-pixel frame (scaled to the frame's)."""

    bone: BGR = (255, 200, 0)  # the skeleton's lines (cyan-blue)
    joint: BGR = (0, 220, 255)  # the joints (amber)
    text: BGR = (255, 255, 255)
    warning: BGR = (0, 64, 255)  # red-orange: the warning, and the joints it concerns
    arc: BGR = (80, 255, 80)  # the counting angle's arc (green)
    thickness: int = 8  # thick enough to read from the far side of the room
    count_size: float = 4.0  # the count in the top-right corner, as a font scale


class Annotator:
    """`annotate(image, pose, sample, count, warning)` → a copy with the overlay drawn: the
    skeleton (the joints a warning concerns in the warning colour), the counting angle's arc
    and value at its joint, the count large in the top-right corner, the warning at the
    bottom."""

    def __init__(self, spec: ExerciseSpec, style: Style = Style(), gate: Gate = Gate()) -> None:
        self.spec, self.style, self.gate = spec, style, gate
        counted = spec.angles.get(spec.shown_angle)
        # Per side, the counting angle's value in a sample and its three landmarks, when it
        # is a joint angle.
        self.arcs: list[tuple[str, tuple[str, ...]]] = []
        if counted is not None and counted.kind == "joint":
            for side in SIDES:
                points = tuple(landmark(p, side) for p in counted.points)
                self.arcs.append((key(counted.name, side), points))

    def concerned(self, warning: FormWarning | None) -> set[str]:
        """The landmarks the warning's rule measures (none without a warning)."""
        if warning is None:
            return set()
        rule = next((r for r in self.spec.rules if r.name == warning.rule), None)
        angle = self.spec.angles.get(rule.angle) if rule else None
        return landmarks_of(self.spec, angle, warning.side) if angle else set()

    def annotate(
        self,
        image: np.ndarray,
        pose: Pose | None,
        sample: dict[str, float],
        count: int | str,
        warning: FormWarning | None = None,
    ) -> np.ndarray:
        """`count` is drawn as given: a number of reps, or a hold's clock ("0:33")."""
        out = image.copy()
        h, w = out.shape[:2]
        scale = min(w, h) / 720
        thick = max(2, round(self.style.thickness * scale))
        if pose is not None:
            self._skeleton(out, pose, thick, self.concerned(warning))
            self._arcs(out, pose, sample, scale, thick)
        self._count(out, str(count), scale)
        if warning is not None:
            size = max(0.4, 1.2 * scale)
            origin = (int(12 * scale) + 2, h - int(24 * scale) - 2)
            self._text(out, warning.message, origin, size, max(1, thick // 2), "warning")
        return out

    def _xy(self, pose: Pose, name: str, w: int, h: int) -> tuple[int, int]:
        x, y = pose.image[INDEX[name], :2]
        return round(float(x) * w), round(float(y) * h)

    def _skeleton(self, out: np.ndarray, pose: Pose, thick: int, concerned: set[str]) -> None:
        h, w = out.shape[:2]
        style = self.style
        for a, b in SKELETON:
            if usable(pose, a, self.gate) and usable(pose, b, self.gate):
                colour = style.warning if {a, b} <= concerned else style.bone
                pa, pb = self._xy(pose, a, w, h), self._xy(pose, b, w, h)
                cv2.line(out, pa, pb, colour, thick, cv2.LINE_AA)
        for name in {n for edge in SKELETON for n in edge}:
            if usable(pose, name, self.gate):
                colour = style.warning if name in concerned else style.joint
                cv2.circle(out, self._xy(pose, name, w, h), thick, colour, -1, cv2.LINE_AA)

    def _arcs(
        self, out: np.ndarray, pose: Pose, sample: dict[str, float], scale: float, thick: int
    ) -> None:
        """At the counting angle's joint, an arc from one limb to the other and its value."""
        h, w = out.shape[:2]
        radius = max(6, round(60 * scale))
        for sample_key, (a, b, c) in self.arcs:
            value = sample.get(sample_key, math.nan)
            if math.isnan(value) or not all(usable(pose, n, self.gate) for n in (a, b, c)):
                continue
            (ax, ay), (bx, by), (cx, cy) = (self._xy(pose, n, w, h) for n in (a, b, c))
            first = math.degrees(math.atan2(ay - by, ax - bx))
            second = math.degrees(math.atan2(cy - by, cx - bx))
            sweep = (second - first + 540) % 360 - 180  # the short way round, signed
            cv2.ellipse(out, (bx, by), (radius, radius), 0, first, first + sweep,
                        self.style.arc, max(2, thick // 2), cv2.LINE_AA)  # fmt: skip
            size = max(0.5, 1.4 * scale)
            origin = (bx + radius // 2 + thick, by - radius // 2)
            self._text(out, f"{value:.0f}", origin, size, max(1, thick // 2))

    def _count(self, out: np.ndarray, text: str, scale: float) -> None:
        """The count (or a hold's clock), large, in the top-right corner on a dark box."""
        font, size = cv2.FONT_HERSHEY_DUPLEX, max(0.8, self.style.count_size * scale)
        stroke = max(2, round(3 * size))
        (tw, th), base = cv2.getTextSize(text, font, size, stroke)
        w = out.shape[1]
        pad = max(4, th // 4)
        x0, y0 = w - tw - 3 * pad, pad
        box = out[y0 : y0 + th + base + 2 * pad, x0 : w - pad]
        box[:] = (box * 0.35).astype(out.dtype)  # darkened, so the digits read on any scene
        cv2.putText(out, text, (x0 + pad, y0 + pad + th), font, size, self.style.text, stroke,
                    cv2.LINE_AA)  # fmt: skip

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

    def __init__(self, spec: ExerciseSpec, keep: float = 4.0) -> None:
        self.annotator = Annotator(spec)
        self.keep = keep  # seconds of video a warning stays on the picture
        self.warning: FormWarning | None = None
        self._warned_at = 0.0

    def note(self, r: FrameResult) -> None:
        """Remember the frame's warnings (call for every frame, drawn or not)."""
        for e in r.events:
            if isinstance(e, FormWarning):
                self.warning, self._warned_at = e, r.t
        if self.warning is not None and r.t - self._warned_at > self.keep:
            self.warning = None

    def draw(self, r: FrameResult, image: np.ndarray | None = None) -> np.ndarray:
        """The frame annotated; `image` instead of the frame's own (a resized copy, say)."""
        if image is None:
            assert r.frame is not None, "only a step with a frame is drawn"
            image = r.frame.image
        shown = r.count if r.held is None else clock_text(r.held)  # a hold shows its clock
        return self.annotator.annotate(image, r.pose, r.sample or {}, shown, self.warning)
