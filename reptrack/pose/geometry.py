"""BlazePose's geometry: SSD anchors, detection decoding, weighted NMS and rotated regions.

Pure numpy (OpenCV only for the warp), so every step is testable without a model. The
conventions follow MediaPipe's pose graphs so that our landmarks match its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class AnchorSpec:
    """The SSD anchor layout of MediaPipe's pose detector (224×224 input, 2254 anchors)."""

    input_size: int = 224
    num_layers: int = 5
    strides: tuple[int, ...] = (8, 16, 32, 32, 32)
    offset: float = 0.5
    # With fixed-size anchors and one aspect ratio, every layer adds two anchors per cell
    # (the ratio itself plus an interpolated scale); layers that share a stride share a grid.
    anchors_per_layer: int = 2


def ssd_anchors(spec: AnchorSpec = AnchorSpec()) -> np.ndarray:
    """Anchor centres, (N, 2) as x, y in [0, 1], in the order the detector emits its boxes."""
    centres: list[np.ndarray] = []
    layer = 0
    while layer < spec.num_layers:
        stride = spec.strides[layer]
        repeats = 0
        while layer < spec.num_layers and spec.strides[layer] == stride:
            repeats += spec.anchors_per_layer
            layer += 1
        cells = math.ceil(spec.input_size / stride)
        ys, xs = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        grid = np.stack([(xs + spec.offset) / cells, (ys + spec.offset) / cells], axis=-1)
        centres.append(np.repeat(grid.reshape(-1, 2), repeats, axis=0))
    return np.concatenate(centres).astype(np.float32)


@dataclass(frozen=True)
class Detection:
    """A person box and its keypoints, normalized to the image the detector saw."""

    score: float
    box: np.ndarray  # xmin, ymin, xmax, ymax
    keypoints: np.ndarray  # (K, 2) x, y

    @property
    def area(self) -> float:
        return float(max(0.0, self.box[2] - self.box[0]) * max(0.0, self.box[3] - self.box[1]))

    @property
    def centre(self) -> np.ndarray:
        return np.array([(self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2])


def decode_detections(
    raw_boxes: np.ndarray,
    raw_scores: np.ndarray,
    anchors: np.ndarray,
    *,
    input_size: int = 224,
    min_score: float = 0.5,
    num_keypoints: int = 4,
) -> list[Detection]:
    """Turn the detector's raw outputs ((N, 4+2K) and (N, 1)) into scored detections.

    Box values are x-centre, y-centre, width, height in input pixels relative to the anchor
    centre; keypoints are x, y pairs the same way. Scores are logits.
    """
    logits = np.clip(raw_scores.reshape(-1).astype(np.float64), -100.0, 100.0)
    scores = 1.0 / (1.0 + np.exp(-logits))
    keep = np.flatnonzero(scores >= min_score)
    if keep.size == 0:
        return []
    raw = raw_boxes.reshape(raw_boxes.shape[-2], -1)[keep] / input_size
    centre = anchors[keep]
    cx = raw[:, 0] + centre[:, 0]
    cy = raw[:, 1] + centre[:, 1]
    w, h = raw[:, 2], raw[:, 3]
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    kps = raw[:, 4 : 4 + 2 * num_keypoints].reshape(-1, num_keypoints, 2) + centre[:, None, :]
    return [Detection(float(scores[i]), boxes[j], kps[j]) for j, i in enumerate(keep)]


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + areas - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def weighted_nms(detections: list[Detection], iou_threshold: float = 0.3) -> list[Detection]:
    """Merge overlapping detections into their score-weighted mean, best first."""
    remaining = sorted(detections, key=lambda d: d.score, reverse=True)
    merged: list[Detection] = []
    while remaining:
        top = remaining[0]
        boxes = np.stack([d.box for d in remaining])
        overlap = _iou(top.box, boxes) > iou_threshold
        overlap[0] = True
        group = [d for d, o in zip(remaining, overlap, strict=True) if o]
        weights = np.array([d.score for d in group])[:, None]
        box = (np.stack([d.box for d in group]) * weights).sum(0) / weights.sum()
        kps = (np.stack([d.keypoints for d in group]) * weights[:, :, None]).sum(0) / weights.sum()
        merged.append(Detection(top.score, box, kps))
        remaining = [d for d, o in zip(remaining, overlap, strict=True) if not o]
    return merged


@dataclass(frozen=True)
class Letterbox:
    """Padding added on each side (as a fraction of the padded image) to make it square."""

    pad_x: float
    pad_y: float

    @classmethod
    def for_size(cls, width: int, height: int) -> Letterbox:
        if width >= height:
            return cls(0.0, (1.0 - height / width) / 2)
        return cls((1.0 - width / height) / 2, 0.0)

    def remove(self, points: np.ndarray) -> np.ndarray:
        """Map normalized points in the padded square back to the original image."""
        out = np.array(points, dtype=np.float64, copy=True)
        out[..., 0] = (out[..., 0] - self.pad_x) / (1 - 2 * self.pad_x)
        out[..., 1] = (out[..., 1] - self.pad_y) / (1 - 2 * self.pad_y)
        return out


@dataclass(frozen=True)
class Rect:
    """A rotated region: centre and size normalized to the image, rotation in radians."""

    x_center: float
    y_center: float
    width: float
    height: float
    rotation: float = 0.0


def normalize_radians(angle: float) -> float:
    return angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))


def rect_from_points(
    centre: np.ndarray,
    scale_point: np.ndarray,
    image_size: tuple[int, int],
    *,
    target_angle: float = math.pi / 2,
    scale: float = 1.25,
) -> Rect:
    """The square region MediaPipe derives from two alignment points.

    `centre` is the hip centre, `scale_point` a point whose distance from it gives the body's
    size and whose direction gives its rotation (upright = 90°). Both normalized.
    """
    width, height = image_size
    x0, y0 = centre[0] * width, centre[1] * height
    x1, y1 = scale_point[0] * width, scale_point[1] * height
    side = 2.0 * math.hypot(x1 - x0, y1 - y0) * scale
    rotation = normalize_radians(target_angle - math.atan2(-(y1 - y0), x1 - x0))
    return Rect(x0 / width, y0 / height, side / width, side / height, rotation)


def crop_matrix(rect: Rect, image_size: tuple[int, int], out_size: int) -> np.ndarray:
    """The 3×3 perspective matrix that maps `rect` of the image onto an out_size square.

    A perspective map from all four corners, as MediaPipe builds it: the 3-point affine
    equivalent resamples a little differently (up to 5 px on a landmark in our tests),
    and the landmark model is sensitive enough for that to change what it sees.
    """
    width, height = image_size
    box = (
        (rect.x_center * width, rect.y_center * height),
        (rect.width * width, rect.height * height),
        math.degrees(rect.rotation),
    )
    src = cv2.boxPoints(box).astype(np.float32)  # bottom-left, top-left, top-right, bottom-right
    dst = np.array([[0, out_size], [0, 0], [out_size, 0], [out_size, out_size]], dtype=np.float32)
    return cv2.getPerspectiveTransform(src, dst)


def crop(frame: np.ndarray, rect: Rect, out_size: int, *, replicate: bool = False) -> np.ndarray:
    """The rotated region, resampled to an out_size square.

    Outside the frame is black, or with `replicate` the frame's edge pixels repeated.
    """
    matrix = crop_matrix(rect, (frame.shape[1], frame.shape[0]), out_size)
    border = cv2.BORDER_REPLICATE if replicate else cv2.BORDER_CONSTANT
    return cv2.warpPerspective(
        frame, matrix, (out_size, out_size), flags=cv2.INTER_LINEAR, borderMode=border
    )


def project(points: np.ndarray, rect: Rect) -> np.ndarray:
    """Map (N, ≥3) points normalized to the region's square back to image coordinates.

    x, y become normalized image coordinates; z is scaled like x.
    """
    out = np.array(points, dtype=np.float64, copy=True)
    x = out[:, 0] - 0.5
    y = out[:, 1] - 0.5
    cos, sin = math.cos(rect.rotation), math.sin(rect.rotation)
    out[:, 0] = (cos * x - sin * y) * rect.width + rect.x_center
    out[:, 1] = (sin * x + cos * y) * rect.height + rect.y_center
    out[:, 2] = out[:, 2] * rect.width
    return out


def rotate_world(points: np.ndarray, rotation: float) -> np.ndarray:
    """Undo the region's rotation on metric world landmarks (x, y only)."""
    out = np.array(points, dtype=np.float64, copy=True)
    cos, sin = math.cos(rotation), math.sin(rotation)
    x, y = out[:, 0].copy(), out[:, 1].copy()
    out[:, 0] = cos * x - sin * y
    out[:, 1] = sin * x + cos * y
    return out


def refine_from_heatmap(
    points: np.ndarray, heatmap: np.ndarray, *, kernel: int = 9, min_confidence: float = 0.5
) -> np.ndarray:
    """Move each point to the confidence-weighted centre of its heatmap around it.

    `points` are (N, ≥2) normalized to the model input; `heatmap` is (H, W, ≥N) logits.
    Points outside the heatmap, or whose window holds no confident cell, stay where they
    are. The window shrinks at the heatmap's edges. All points are done at once.
    """
    out = np.array(points, dtype=np.float64, copy=True)
    n = out.shape[0]
    hm_h, hm_w = heatmap.shape[:2]
    half = (kernel - 1) // 2
    # Truncation toward zero, like the C++ cast in MediaPipe: -0.3 cells counts as cell 0.
    cols = np.trunc(out[:, 0] * hm_w).astype(np.int64)
    rows = np.trunc(out[:, 1] * hm_h).astype(np.int64)
    inside = (cols >= 0) & (cols < hm_w) & (rows >= 0) & (rows < hm_h)
    offsets = np.arange(-half, half + 1)
    win_rows = rows[:, None] + offsets  # (N, k)
    win_cols = cols[:, None] + offsets
    row_ok = (win_rows >= 0) & (win_rows < hm_h)
    col_ok = (win_cols >= 0) & (win_cols < hm_w)
    logits = heatmap[
        np.clip(win_rows, 0, hm_h - 1)[:, :, None],
        np.clip(win_cols, 0, hm_w - 1)[:, None, :],
        np.arange(n)[:, None, None],
    ].astype(np.float64)
    weight = 1.0 / (1.0 + np.exp(-logits))
    weight *= row_ok[:, :, None] & col_ok[:, None, :]  # cells beyond the edge count for nothing
    total = weight.sum(axis=(1, 2))
    refine = inside & (weight.max(axis=(1, 2)) >= min_confidence) & (total > 0)
    if refine.any():
        safe = np.where(total > 0, total, 1.0)
        col_mean = (weight.sum(axis=1) * win_cols).sum(axis=1) / safe
        row_mean = (weight.sum(axis=2) * win_rows).sum(axis=1) / safe
        out[refine, 0] = col_mean[refine] / hm_w
        out[refine, 1] = row_mean[refine] / hm_h
    return out
