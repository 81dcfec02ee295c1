"""Landmark smoothing: the one-euro filter and a low-pass filter, vectorized over arrays.

Settings follow MediaPipe's pose pipeline (see `SmoothingSettings`), so smoothed landmarks
stay comparable with its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


class LowPass:
    """Exponential smoothing: y = alpha * x + (1 - alpha) * y_prev, per element."""

    def __init__(self) -> None:
        self.raw: np.ndarray | None = None
        self.value: np.ndarray | None = None

    def apply(self, x: np.ndarray, alpha: float | np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        self.value = x.copy() if self.value is None else alpha * x + (1 - alpha) * self.value
        self.raw = x.copy()
        return self.value

    def reset(self) -> None:
        self.raw = None
        self.value = None


def _alpha(cutoff: float | np.ndarray, frequency: float) -> float | np.ndarray:
    te = 1.0 / frequency
    tau = 1.0 / (2 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / te)


class OneEuro:
    """The one-euro filter (Casiez et al., 2012): little lag when moving, little jitter at rest.

    `value_scale` makes the speed term independent of the object's size on screen.
    """

    def __init__(
        self, min_cutoff: float, beta: float, derivate_cutoff: float, frequency: float = 30.0
    ) -> None:
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.derivate_cutoff = derivate_cutoff
        self.frequency = frequency
        self.last_time: float | None = None
        self.x = LowPass()
        self.dx = LowPass()

    def apply(self, x: np.ndarray, timestamp: float, value_scale: float = 1.0) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self.last_time is not None:
            if timestamp <= self.last_time:
                return x
            self.frequency = 1.0 / (timestamp - self.last_time)
        self.last_time = timestamp
        if self.x.raw is None:
            dx = np.zeros_like(x)
        else:
            dx = (x - self.x.raw) * value_scale * self.frequency
        edx = self.dx.apply(dx, _alpha(self.derivate_cutoff, self.frequency))
        cutoff = self.min_cutoff + self.beta * np.abs(edx)
        return self.x.apply(x, _alpha(cutoff, self.frequency))

    def reset(self) -> None:
        self.last_time = None
        self.x.reset()
        self.dx.reset()


@dataclass(frozen=True)
class SmoothingSettings:
    """MediaPipe's pose filtering settings."""

    landmarks: tuple[float, float, float] = (0.05, 80.0, 1.0)  # min_cutoff, beta, d_cutoff
    world: tuple[float, float, float] = (0.1, 40.0, 1.0)
    auxiliary: tuple[float, float, float] = (0.01, 10.0, 1.0)
    visibility_alpha: float = 0.1


def object_scale(points_px: np.ndarray) -> float:
    """Mean of the width and height of the points' bounding box."""
    span = points_px[:, :2].max(axis=0) - points_px[:, :2].min(axis=0)
    return float(span.mean())


class LandmarkSmoother:
    """Smooths normalized landmarks in pixel space with the speed scaled by the body's size."""

    def __init__(self, params: tuple[float, float, float], *, scale_by_size: bool = True) -> None:
        self.filter = OneEuro(*params)
        self.scale_by_size = scale_by_size

    def apply(
        self,
        points: np.ndarray,
        timestamp: float,
        image_size: tuple[int, int] | None = None,
        size: float | None = None,
    ) -> np.ndarray:
        """Smooth (N, 3) points; with image_size they are normalized and filtered in pixels.

        `size` is the body's size in pixels that speeds are divided by; without it, the
        points' own bounding box gives it.
        """
        if image_size is None:
            return self.filter.apply(points, timestamp)
        width, height = image_size
        scale = np.array([width, height, width], dtype=np.float64)
        px = points[:, :3] * scale
        value_scale = 1.0
        if self.scale_by_size:
            size = object_scale(px) if size is None else size
            if size < 1e-6:
                return points[:, :3]
            value_scale = 1.0 / size
        return self.filter.apply(px, timestamp, value_scale) / scale

    def reset(self) -> None:
        self.filter.reset()
