"""`reptrack pose`: run an estimator over every frame of a video and keep all landmarks.

The arrays have the layout of MediaPipe reference files: image (N, 33, 4), world (N, 33, 4),
present (N,), fps, width, height — NaN rows where nobody was found.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reptrack.errors import ReptrackError
from reptrack.pose.types import NUM_LANDMARKS, Pose, PoseEstimator
from reptrack.video.sources import FileSource


@dataclass
class PoseRun:
    image: np.ndarray
    world: np.ndarray
    present: np.ndarray
    fps: float
    width: int
    height: int
    pose_ms: np.ndarray  # per-frame time spent in the estimator
    wall_seconds: float  # decoding + estimation, the whole loop

    @property
    def frames(self) -> int:
        return len(self.present)

    def save(self, path: str | Path) -> None:
        np.savez_compressed(
            path,
            image=self.image,
            world=self.world,
            present=self.present,
            fps=self.fps,
            width=self.width,
            height=self.height,
        )

    def summary(self) -> str:
        median = float(np.median(self.pose_ms)) if self.frames else float("nan")
        fps = self.frames / self.wall_seconds if self.wall_seconds > 0 else float("nan")
        return (
            f"{self.frames} frames, person in {int(self.present.sum())}; "
            f"pose median {median:.1f} ms/frame; overall {fps:.1f} frames/s"
        )


def run_pose(
    source: FileSource,
    estimator: PoseEstimator,
    progress: Callable[[int], None] = lambda n: None,
) -> PoseRun:
    images, worlds, present, times = [], [], [], []
    empty = np.full((NUM_LANDMARKS, 4), np.nan, dtype=np.float32)
    start = time.perf_counter()
    while (frame := source.read()) is not None:
        t0 = time.perf_counter()
        pose = estimator.estimate(frame.image, frame.timestamp)
        times.append((time.perf_counter() - t0) * 1000)
        images.append(pose.image if pose else empty)
        worlds.append(pose.world if pose is not None and pose.world is not None else empty)
        present.append(pose is not None)
        progress(1)
    wall = time.perf_counter() - start
    return PoseRun(
        image=np.array(images, dtype=np.float32).reshape(-1, NUM_LANDMARKS, 4),
        world=np.array(worlds, dtype=np.float32).reshape(-1, NUM_LANDMARKS, 4),
        present=np.array(present, dtype=bool),
        fps=source.fps,
        width=source.width,
        height=source.height,
        pose_ms=np.array(times),
        wall_seconds=wall,
    )


def load_landmarks(path: str | Path) -> PoseRun:
    """Read a file written by `PoseRun.save` (or a MediaPipe reference file of that layout).

    Never loads pickled objects; a file that is not such a landmark file, or is damaged, is
    a ReptrackError that says which file and how to make a new one."""
    p = Path(path)
    hint = "make it again with `reptrack pose VIDEO --out FILE.npz`"
    try:
        with np.load(p, allow_pickle=False) as data:
            image = data["image"].astype(np.float32)
            world = (
                data["world"].astype(np.float32) if "world" in data else np.full_like(image, np.nan)
            )
            present = (
                data["present"].astype(bool) if "present" in data else ~np.isnan(image[:, 0, 0])
            )
            run = PoseRun(
                image=image,
                world=world,
                present=present,
                fps=float(data["fps"]),
                width=int(data["width"]),
                height=int(data["height"]),
                pose_ms=np.zeros(len(present)),
                wall_seconds=0.0,
            )
    except FileNotFoundError:
        raise ReptrackError(f"landmark file not found: {p}") from None
    except OSError as exc:
        raise ReptrackError(f"cannot read the landmark file {p}: {exc.strerror or exc}") from None
    except (ValueError, KeyError, IndexError, TypeError, EOFError, zipfile.BadZipFile) as exc:
        # pickled objects refused, a key missing, a wrong shape, a damaged archive
        raise ReptrackError(f"{p} is not a reptrack landmark file, or is damaged ({exc})",
                            hint=hint) from None  # fmt: skip
    if image.ndim != 3 or image.shape[1:] != (33, 4) or not run.fps > 0:
        raise ReptrackError(f"{p} is not a landmark file of 33 points a frame", hint=hint)
    return run


def replay(run: PoseRun) -> Iterator[tuple[float, Pose | None]]:
    """The stored poses with their timestamps, as a live run would have produced them."""
    for i, present in enumerate(run.present):
        t = i / run.fps
        if not present:
            yield t, None
            continue
        world = run.world[i] if np.isfinite(run.world[i, 0, 0]) else None
        yield t, Pose(run.image[i], world, 1.0, run.width, run.height)
