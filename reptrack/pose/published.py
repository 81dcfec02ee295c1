"""Landmarks in the published format of the PoseRAC/RepCount benchmarks, and the body's
proportions brought back from them.

Those sets give, per video frame, MediaPipe's 33 landmarks as pixels (x·width, y·height,
z·width), each axis then min-max scaled to [0, 1] over that frame's 33 points: the body
fills the unit cube in every frame, and the scale of each axis — its aspect ratio — is
lost, differently in every frame. An angle read straight off those x, y is wrong by up to
tens of degrees (13.8° in the median on the labelled videos' own landmarks scaled that way).

What does not change from frame to frame is the length of the body's rigid segments (upper
arms, forearms, thighs, shins, the torso's sides, diagonals and widths). For a frame whose
axes were scaled by unknown factors (a, b, c), a segment's length is
`sqrt(a²·dx² + b²·dy² + c²·dz²)`; with the lengths known (up to one scale) each frame is a
small linear least-squares problem in (a², b², c²). The lengths start from the proportions
of MediaPipe's own metric landmarks (`SEGMENT_LENGTHS`), and are then re-estimated from the
clip itself (the median over its frames), twice, so a person built unlike the median fits
their own body. `reptrack eval --as-published` measures how well this works on landmarks
whose true proportions are known.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from reptrack.pose.landmarks import INDEX, NUM_LANDMARKS
from reptrack.pose.types import Pose

VALUES = NUM_LANDMARKS * 3  # a row of the format: x, y, z of each landmark

# The segments whose length does not change as the body moves, with their median length in
# torso lengths (shoulder to hip on one side): measured on MediaPipe's metric (world)
# landmarks of the 60 videos in shared/data/reference, where they vary by 3-9 % (quartile
# range) from person to person.
SEGMENT_LENGTHS: tuple[tuple[str, str, float], ...] = (
    ("left_shoulder", "right_shoulder", 0.65),
    ("left_hip", "right_hip", 0.43),
    ("left_shoulder", "left_hip", 1.0),
    ("right_shoulder", "right_hip", 1.0),
    ("left_shoulder", "right_hip", 1.12),
    ("right_shoulder", "left_hip", 1.14),
    ("left_shoulder", "left_elbow", 0.49),
    ("right_shoulder", "right_elbow", 0.49),
    ("left_elbow", "left_wrist", 0.45),
    ("right_elbow", "right_wrist", 0.45),
    ("left_hip", "left_knee", 0.79),
    ("right_hip", "right_knee", 0.79),
    ("left_knee", "left_ankle", 0.75),
    ("right_knee", "right_ankle", 0.78),
)
_ENDS = np.array([[INDEX[a], INDEX[b]] for a, b, _ in SEGMENT_LENGTHS])
_PRIOR = np.array([length for _, _, length in SEGMENT_LENGTHS]) ** 2
_TORSO = [2, 3]  # the two sides' shoulder-to-hip segments: the unit of length
REFITS = 3  # the lengths re-estimated from the clip this many times
# The axes' ratios are steadied over this many frames (0.3 s at 30 a second): on the labelled
# videos' landmarks, 1.10° in the median against 1.14° frame by frame, and less jitter.
STEADY_FRAMES = 9
# The recovered body is drawn into a square picture this size, this far from its edges.
FRAME_PIXELS = 1000
MARGIN = 0.05


def flatten(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Landmarks (frames, 33, ≥3) normalized to a `width`×`height` picture, as the published
    sets give them: (frames, 33, 3), each frame's every axis min-max scaled to [0, 1]."""
    p = np.asarray(image, dtype=np.float64)[..., :3].copy()
    p[..., 0] *= width
    p[..., 1] *= height
    p[..., 2] *= width
    low, high = p.min(axis=1, keepdims=True), p.max(axis=1, keepdims=True)
    return (p - low) / np.where(high > low, high - low, 1.0)


def axis_scales(frames: np.ndarray) -> np.ndarray:
    """Each frame's three axis scales (frames, 3), up to one factor per frame: the (a, b, c)
    that make the rigid segments of `frames` (frames, 33, 3; flattened) as long in every
    frame as the clip says they are. Frames with no person (not finite) give NaN."""
    p = np.asarray(frames, dtype=np.float64)
    ok = np.isfinite(p).all(axis=(1, 2))
    scales = np.full((len(p), 3), np.nan)
    if not ok.any():
        return scales
    d2 = (p[ok][:, _ENDS[:, 0]] - p[ok][:, _ENDS[:, 1]]) ** 2  # (frames, segments, 3)
    lengths = _PRIOR.copy()
    squares = np.ones((len(d2), 3))
    for _ in range(REFITS):
        weights = 1.0 / lengths**2  # each segment's error relative to its length
        normal = np.einsum("fsi,fsj,s->fij", d2, d2, weights) + np.eye(3) * 1e-9
        target = np.einsum("fsi,s,s->fi", d2, lengths, weights)
        squares = np.clip(np.linalg.solve(normal, target[..., None])[..., 0], 1e-9, None)
        measured = np.median(np.einsum("fsi,fi->fs", d2, squares), axis=0)
        lengths = measured / measured[_TORSO].mean()
    scales[ok] = _steady(np.sqrt(squares))
    return scales


def _steady(scales: np.ndarray) -> np.ndarray:
    """The axes' ratios as a running median over STEADY_FRAMES: a body's bounding box changes
    shape smoothly, where each frame's own fit jitters with its landmarks."""
    half = STEADY_FRAMES // 2
    if half == 0 or len(scales) < STEADY_FRAMES:
        return scales
    ratios = np.log(scales[:, [0, 2]] / scales[:, [1]])
    padded = np.pad(ratios, ((half, half), (0, 0)), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, STEADY_FRAMES, axis=0)
    steady = np.exp(np.median(windows, axis=-1))
    return np.column_stack([steady[:, 0], np.ones(len(scales)), steady[:, 1]])


def recover(frames: np.ndarray) -> np.ndarray:
    """Flattened landmarks (frames, 33, 3) with each frame's proportions brought back, drawn
    into a unit square picture (x, y in [MARGIN, 1 - MARGIN]; z on the scale of x). Frames
    with no person stay NaN."""
    p = np.asarray(frames, dtype=np.float64)
    scales = axis_scales(p)
    big = scales[:, :2].max(axis=1, keepdims=True)  # NaN stays NaN
    scales = scales / big * (1 - 2 * MARGIN)
    out = p * scales[:, None, :]
    width, height = scales[:, 0:1], scales[:, 1:2]
    out[..., 0] += (1 - width) / 2  # the body in the middle of the picture
    out[..., 1] += (1 - height) / 2
    return out


def rows_to_frames(rows: np.ndarray) -> np.ndarray:
    """A published file's rows (frames, ≥99) as (frames, 33, 3); a row of zeros (no person
    found) becomes NaN. Values after the 99th are ignored."""
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[1] < VALUES:
        raise ValueError(f"expected rows of at least {VALUES} values, but got shape {rows.shape}")
    frames = rows[:, :VALUES].reshape(len(rows), NUM_LANDMARKS, 3).copy()
    frames[~np.any(rows[:, :VALUES] != 0, axis=1)] = np.nan
    return frames


def poses(frames: np.ndarray, fps: float) -> Iterator[tuple[float, Pose | None]]:
    """Recovered landmarks (`recover`) as timestamped poses in a square picture, every point
    seen (the format has no visibility). The format has no metric landmarks either; their
    stand-in is the same points in 3-D, centred on the hips: the image landmarks' depth is
    MediaPipe's own estimate, brought to scale by the same fit as x and y. (On the labelled
    videos' landmarks given this way, the stand-in counts 48 of 54 right, the picture alone
    46.)"""
    for i, frame in enumerate(frames):
        t = i / fps
        if not np.isfinite(frame).all():
            yield t, None
            continue
        image = np.ones((NUM_LANDMARKS, 4), dtype=np.float32)
        image[:, :3] = frame
        world = image.copy()
        world[:, :3] -= (frame[INDEX["left_hip"]] + frame[INDEX["right_hip"]]) / 2
        yield t, Pose(image, world, 1.0, FRAME_PIXELS, FRAME_PIXELS)
