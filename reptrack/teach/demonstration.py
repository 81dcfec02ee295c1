"""A demonstration: the poses of a few repetitions, the candidate angle streams they give, and
the reps a definition counts in them. The bridge between poses and `analysis`'s streams."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from reptrack.errors import ReptrackError
from reptrack.exercise.counters import run
from reptrack.exercise.events import Rep
from reptrack.exercise.measure import Sample, sample
from reptrack.exercise.rep_counter import RepCounter
from reptrack.exercise.spec import AngleDef, CounterDef, ExerciseSpec
from reptrack.pose.types import Pose
from reptrack.teach.analysis import Trace, candidate_angles, trace

if TYPE_CHECKING:
    from reptrack.pose.types import PoseEstimator
    from reptrack.video.sources import FrameSource

Poses = list[tuple[float, Pose | None]]


@dataclass(frozen=True)
class Demo:
    """What was recorded: timestamped poses (None where nobody was seen)."""

    poses: Poses
    description: str  # where they came from, for messages and the file's header

    @property
    def seen(self) -> float:
        """The share of frames with a person in them."""
        return sum(p is not None for _, p in self.poses) / len(self.poses) if self.poses else 0.0


def candidate_spec() -> ExerciseSpec:
    """An exercise that measures every candidate angle (it counts nothing useful itself)."""
    angles = {
        key: AngleDef(key, c.kind, c.points, space)
        for key, (c, space) in candidate_angles().items()
    }
    first = next(iter(angles))
    counter = CounterDef(first, "decrease", 150.0, 100.0)
    return ExerciseSpec("candidates", "Candidates", "", "", "both", angles, counter)


def streams(poses: Poses, spec: ExerciseSpec) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The timestamps, and every sided angle of `spec` as one stream per side."""
    t = np.array([ts for ts, _ in poses], dtype=float)
    return t, columns([sample(pose, spec) for _, pose in poses])


def columns(rows: list[Sample]) -> dict[str, np.ndarray]:
    """Frames' samples as one stream per sided angle ("knee_view.left": an array)."""
    keys = [k for k in rows[0] if "." in k and not k.startswith("vis.")] if rows else []
    return {k: np.array([r[k] for r in rows], dtype=float) for k in keys}


def traces(t: np.ndarray, values: dict[str, np.ndarray]) -> list[Trace]:
    """Every candidate stream (from `streams(poses, candidate_spec())`), analysed."""
    return [trace(key, t, x) for key, x in values.items()]


def count(poses: Iterable[tuple[float, Pose | None]], spec: ExerciseSpec) -> list[Rep]:
    """The reps `spec` counts in these poses, as a live session would."""
    counter = RepCounter(spec)
    run(counter, ((t, sample(pose, spec)) for t, pose in poses))
    return list(counter.reps)


def record(
    source: FrameSource,
    estimator: PoseEstimator,
    *,
    done: Callable[[], bool] = lambda: False,
    tick: Callable[[int, int], None] = lambda frames, seen: None,
    poses: Poses | None = None,
) -> Poses:
    """Run the pose model over the source's frames until they end or `done()` says so;
    `tick(frames, seen)` follows each frame. The poses are appended to `poses` as they come,
    so a caller that stops on an interrupt keeps what was recorded."""
    poses = [] if poses is None else poses
    seen = 0
    while not done():
        frame = source.read()
        if frame is None:
            break
        pose = estimator.estimate(frame.image, frame.timestamp)
        poses.append((frame.timestamp, pose))
        seen += pose is not None
        tick(len(poses), seen)
    return poses


def from_landmarks(path: Path) -> Demo:
    """A demonstration replayed from landmarks saved by `reptrack pose --out` (.npz)."""
    from reptrack.pose.dump import load_landmarks, replay

    try:
        run = load_landmarks(path)
    except (OSError, KeyError, ValueError) as exc:
        raise ReptrackError(f"cannot read landmarks from {path}: {exc}") from None
    return Demo(list(replay(run)), path.name)
