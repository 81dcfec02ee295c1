"""BlazePose on LiteRT: person detector, landmark model on a rotated region, tracking, smoothing.

The pre- and post-processing follow MediaPipe's pose graphs (letterboxed detector input,
weighted NMS, regions aligned on the hip centre, heatmap refinement, one-euro smoothing), so
landmarks match MediaPipe's own while the pipeline stays a few hundred lines of numpy.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from reptrack.errors import ModelError
from reptrack.pose import models, prune
from reptrack.pose.geometry import (
    Detection,
    Letterbox,
    Rect,
    crop,
    decode_detections,
    project,
    rect_from_points,
    refine_from_heatmap,
    rotate_world,
    ssd_anchors,
    weighted_nms,
)
from reptrack.pose.smoothing import LandmarkSmoother, LowPass, SmoothingSettings
from reptrack.pose.types import ALL_KEYPOINTS, NUM_LANDMARKS, Pose

LANDMARK_MODELS = ("lite", "full", "heavy")


@dataclass(frozen=True)
class BlazePoseSettings:
    min_detection_score: float = 0.5
    min_presence: float = 0.5
    nms_iou: float = 0.3
    roi_scale: float = 1.25
    # mediapipe 0.10.21's compiled graph config says a 7×7 window, but only 9×9 reproduces
    # its output: with 9 our landmarks equal its own to 0.05 px on the same region, with 7
    # they are 1–3 px off.
    heatmap_kernel: int = 9
    heatmap_min_confidence: float = 0.5
    # Seconds after losing the person during which re-detection prefers the one nearest
    # to where they were (keeps the same athlete when someone walks past).
    relock_seconds: float = 2.0
    smoothing: SmoothingSettings = SmoothingSettings()


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Send what native code writes to file descriptor 2 to /dev/null for a moment. LiteRT
    announces its CPU delegate there on every start; a failure still reaches the user, as the
    exception it raises."""
    try:
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        yield
        return
    sys.stderr.flush()
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class _Model:
    """One LiteRT interpreter with its input and outputs found by shape."""

    def __init__(self, path: str, threads: int, *, content: bytes | None = None) -> None:
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as exc:  # pragma: no cover - a broken install
            raise ModelError(
                "the LiteRT runtime (ai-edge-litert) is not installed",
                hint="reinstall reptrack: `make run` or `pip install ai-edge-litert`",
            ) from exc
        try:
            if content is not None:
                self.interpreter = Interpreter(model_content=content, num_threads=threads)
            else:
                self.interpreter = Interpreter(model_path=path, num_threads=threads)
            with _native_stderr_silenced():  # LiteRT's "INFO: Created … XNNPACK delegate"
                self.interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"LiteRT cannot load {path}: {exc}") from exc
        detail = self.interpreter.get_input_details()[0]
        self.input_index = detail["index"]
        self.input_size = int(detail["shape"][1])
        self.outputs = {
            tuple(int(s) for s in d["shape"]): d["index"]
            for d in self.interpreter.get_output_details()
        }

    def run(self, tensor: np.ndarray) -> None:
        self.interpreter.set_tensor(self.input_index, tensor[None])
        self.interpreter.invoke()

    def output(self, shape: tuple[int, ...]) -> np.ndarray:
        try:
            return self.interpreter.get_tensor(self.outputs[shape])
        except KeyError as exc:
            raise ModelError(f"model has no output of shape {shape}") from exc


def _is_mask(shape: tuple[int, ...]) -> bool:
    return len(shape) == 4 and shape[1] == shape[2] and shape[3] == 1


def _landmark_model(name: str, threads: int) -> _Model:
    """The landmark model without its segmentation mask, which reptrack never reads.

    Falls back to the whole model if this LiteRT cannot rewrite or load the pruned one.
    """
    path = models.resolve(name)
    try:
        content = prune.cached_without_outputs(
            path, models.get(name).sha256, _is_mask, "nomask", models.models_dir() / "derived"
        )
        return _Model(str(path), threads, content=content)
    except (ImportError, ValueError, ModelError):
        return _Model(str(path), threads)


def choose_person(detections: list[Detection], last_centre: np.ndarray | None) -> Detection | None:
    """The athlete among several detections: nearest to where we last saw them, else the largest."""
    if not detections:
        return None
    if last_centre is not None:
        return min(detections, key=lambda d: float(np.linalg.norm(d.centre - last_centre)))
    return max(detections, key=lambda d: d.area * d.score)


class BlazePose:
    """The default pose estimator: `estimate(frame, t)` → Pose of the tracked person, or None."""

    name = "blazepose"
    title = "BlazePose"
    note: str | None = None
    keypoints = ALL_KEYPOINTS

    def __init__(
        self,
        model: str = "full",
        *,
        threads: int | None = None,
        smooth: bool = True,
        settings: BlazePoseSettings = BlazePoseSettings(),
    ) -> None:
        if model not in LANDMARK_MODELS:
            raise ModelError(
                f"unknown BlazePose model {model!r}",
                hint=f"choose one of {', '.join(LANDMARK_MODELS)}",
            )
        self.model_name = model
        threads = threads or os.cpu_count() or 1
        self.settings = settings
        self.smooth = smooth
        self.detector = _Model(str(models.resolve("detector")), threads)
        self.landmarker = _landmark_model(model, threads)
        self.anchors = ssd_anchors()
        n_out = 39
        self._shape_landmarks = (1, n_out * 5)
        self._shape_world = (1, n_out * 3)
        self._shape_presence = (1, 1)
        size = self.landmarker.input_size
        self._shape_heatmap = (1, size // 4, size // 4, n_out)
        self.roi: Rect | None = None
        self._last_centre: np.ndarray | None = None
        self._last_seen = -math.inf
        s = settings.smoothing
        self._smooth_image = LandmarkSmoother(s.landmarks)
        self._smooth_world = LandmarkSmoother(s.world, scale_by_size=False)
        self._smooth_aux = LandmarkSmoother(s.auxiliary)
        self._smooth_vis = LowPass()
        self._smooth_world_vis = LowPass()
        self.detector_runs = 0

    # -- stages ---------------------------------------------------------------------------
    def detect(self, frame: np.ndarray) -> list[Detection]:
        """All people the detector finds, in normalized frame coordinates, best first."""
        height, width = frame.shape[:2]
        size = self.detector.input_size
        side = max(width, height)
        square = Rect(0.5, 0.5, side / width, side / height)
        image = crop(frame, square, size)
        tensor = cv2.cvtColor(image, cv2.COLOR_BGR2RGB).astype(np.float32) * (2.0 / 255) - 1.0
        self.detector.run(tensor)
        self.detector_runs += 1
        raw = decode_detections(
            self.detector.output((1, len(self.anchors), 12)),
            self.detector.output((1, len(self.anchors), 1)),
            self.anchors,
            input_size=size,
            min_score=self.settings.min_detection_score,
        )
        letterbox = Letterbox.for_size(width, height)
        return [
            Detection(
                d.score,
                letterbox.remove(d.box.reshape(2, 2)).reshape(4),
                letterbox.remove(d.keypoints),
            )
            for d in weighted_nms(raw, self.settings.nms_iou)
        ]

    def landmarks(self, frame: np.ndarray, roi: Rect) -> tuple[float, np.ndarray, np.ndarray]:
        """Run the landmark model on `roi`: presence, (39, 5) image and (39, 3) world points.

        Image points are x, y, z (normalized to the frame), visibility, presence.
        """
        size = self.landmarker.input_size
        image = crop(frame, roi, size, replicate=True)
        tensor = cv2.cvtColor(image, cv2.COLOR_BGR2RGB).astype(np.float32) * (1.0 / 255)
        self.landmarker.run(tensor)
        presence = float(self.landmarker.output(self._shape_presence).reshape(-1)[0])
        raw = self.landmarker.output(self._shape_landmarks).reshape(-1, 5).astype(np.float64)
        points = raw.copy()
        points[:, :3] /= size
        points[:, 3:] = 1.0 / (1.0 + np.exp(-raw[:, 3:]))
        heatmap = self.landmarker.output(self._shape_heatmap)[0]
        points[:, :2] = refine_from_heatmap(
            points[:, :2],
            heatmap,
            kernel=self.settings.heatmap_kernel,
            min_confidence=self.settings.heatmap_min_confidence,
        )[:, :2]
        points[:, :3] = project(points[:, :3], roi)
        world = self.landmarker.output(self._shape_world).reshape(-1, 3)
        return presence, points, rotate_world(world, roi.rotation)

    # -- the pipeline ---------------------------------------------------------------------
    def reset(self) -> None:
        """Forget the tracked region and the smoothing state."""
        self.roi = None
        for f in (self._smooth_image, self._smooth_world, self._smooth_aux):
            f.reset()
        self._smooth_vis.reset()
        self._smooth_world_vis.reset()

    def estimate(self, frame: np.ndarray, timestamp: float) -> Pose | None:
        height, width = frame.shape[:2]
        size = (width, height)
        roi = self.roi
        if roi is None:
            recent = timestamp - self._last_seen <= self.settings.relock_seconds
            person = choose_person(self.detect(frame), self._last_centre if recent else None)
            if person is None:
                self.reset()
                return None
            roi = rect_from_points(
                person.keypoints[0], person.keypoints[1], size, scale=self.settings.roi_scale
            )
        presence, points, world = self.landmarks(frame, roi)
        if presence < self.settings.min_presence:
            self.reset()
            return None
        body, aux = points[:NUM_LANDMARKS], points[NUM_LANDMARKS : NUM_LANDMARKS + 2]
        world = world[:NUM_LANDMARKS]
        visibility = body[:, 3]
        if self.smooth:
            # MediaPipe divides landmark speeds by the body's size taken from this frame's
            # raw alignment points (twice the hip-centre-to-scale-point distance), not by
            # the landmarks' bounding box; that keeps the tracked region as steady as its own.
            body_size = 2.0 * float(np.hypot(*((aux[1, :2] - aux[0, :2]) * size)))
            alpha = self.settings.smoothing.visibility_alpha
            visibility = self._smooth_vis.apply(visibility, alpha)
            body_xyz = self._smooth_image.apply(body[:, :3], timestamp, size, body_size)
            world_vis = self._smooth_world_vis.apply(body[:, 3], alpha)
            world = self._smooth_world.apply(world, timestamp)
            aux_xyz = self._smooth_aux.apply(aux[:, :3], timestamp, size, body_size)
        else:
            body_xyz, aux_xyz, world_vis = body[:, :3], aux[:, :3], visibility
        self.roi = rect_from_points(aux_xyz[0], aux_xyz[1], size, scale=self.settings.roi_scale)
        self._last_centre = aux_xyz[0, :2].copy()
        self._last_seen = timestamp
        image = np.column_stack([body_xyz, visibility]).astype(np.float32)
        world4 = np.column_stack([world, world_vis]).astype(np.float32)
        return Pose(image=image, world=world4, presence=presence, width=width, height=height)

    def close(self) -> None:
        self.detector = self.landmarker = None  # type: ignore[assignment]
