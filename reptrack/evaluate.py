"""`reptrack eval`: count every labelled video and compare with the hand-counted reps."""

from __future__ import annotations

import time
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reptrack.errors import ReptrackError
from reptrack.exercise import spec as specs
from reptrack.exercise.counter import Rep, RepCounter
from reptrack.exercise.measure import sample
from reptrack.pose.types import Pose


@dataclass(frozen=True)
class Label:
    file: Path
    exercise: str
    reps: int
    form: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class Result:
    label: Label
    reps: list[Rep]
    frames: int
    seconds: float

    @property
    def predicted(self) -> int:
        return len(self.reps)

    def to_json(self) -> dict:
        return {
            "file": str(self.label.file.name),
            "exercise": self.label.exercise,
            "expected": self.label.reps,
            "predicted": self.predicted,
            "reps": [{"n": r.number, "side": r.side, "flags": list(r.flags)} for r in self.reps],
        }


def load_labels(path: str | Path) -> list[Label]:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text())
    except FileNotFoundError:
        raise ReptrackError(f"label file not found: {p}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ReptrackError(f"{p} is not valid TOML: {exc}") from None
    labels = []
    for i, v in enumerate(data.get("video", [])):
        missing = [k for k in ("file", "exercise", "reps") if k not in v]
        if missing:
            raise ReptrackError(f"{p}: video[{i}] lacks {', '.join(missing)}")
        labels.append(Label(p.parent / v["file"], v["exercise"], int(v["reps"]), v.get("form", {})))
    return labels


def count(poses: Iterable[tuple[float, Pose | None]], counter: RepCounter) -> int:
    """Feed (timestamp, pose) pairs through the counter; returns the number of frames."""
    frames = 0
    for t, pose in poses:
        counter.update(t, sample(pose, counter.spec))
        frames += 1
    return frames


def _video_poses(label: Label, estimator_factory: Callable) -> Iterator[tuple[float, Pose | None]]:
    from reptrack.sources import FileSource

    estimator = estimator_factory()
    with FileSource(label.file) as source:
        while (frame := source.read()) is not None:
            yield frame.timestamp, estimator.estimate(frame.image, frame.timestamp)


def evaluate(
    labels: list[Label],
    *,
    reference: Path | None = None,
    estimator_factory: Callable | None = None,
    progress: Callable[[str], None] = lambda s: None,
) -> list[Result]:
    from reptrack.pose.dump import load_landmarks, replay

    results = []
    for label in labels:
        progress(label.file.name)
        spec = specs.load(label.exercise)
        counter = RepCounter(spec)
        start = time.perf_counter()
        if reference is not None:
            npz = reference / f"{label.file.stem}.npz"
            if not npz.exists():
                raise ReptrackError(f"no landmark file {npz} for {label.file.name}")
            poses = replay(load_landmarks(npz))
        else:
            if estimator_factory is None:
                raise ReptrackError("evaluate needs --reference or a pose estimator")
            poses = _video_poses(label, estimator_factory)
        frames = count(poses, counter)
        results.append(Result(label, list(counter.reps), frames, time.perf_counter() - start))
    return results


def summary(results: list[Result]) -> dict:
    n = len(results)
    if n == 0:
        return {"videos": 0}
    exact = sum(r.predicted == r.label.reps for r in results)
    within = sum(abs(r.predicted - r.label.reps) <= 1 for r in results)
    errors = [abs(r.predicted - r.label.reps) / max(r.label.reps, 1) for r in results]
    frames = sum(r.frames for r in results)
    seconds = sum(r.seconds for r in results)
    return {
        "videos": n,
        "exact": exact,
        "exact_rate": exact / n,
        "within_one": within,
        "within_one_rate": within / n,
        "mean_abs_error_rel": sum(errors) / n,
        "frames": frames,
        "fps": frames / seconds if seconds > 0 else None,
    }
