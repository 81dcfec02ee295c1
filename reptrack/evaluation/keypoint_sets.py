"""Form and zones on other pose systems' keypoints: Pose Trainer's OpenPose clips, labelled
good or bad, and ML Kit's labelled up/down frames of push-ups and squats.

Both test the exercise definitions on people and pose systems reptrack was not tuned on:
- a Pose Trainer clip (OpenPose COCO-18, pixels) goes through the OpenPose backend's keypoint
  mapping and the counter; its reps' flags should fire on bad clips and not on good ones;
- an ML Kit frame (BlazePose's 33 landmarks, pixels) is one still position: an `_up` frame
  should lie in the exercise's start zone, a `_down` frame past its turning threshold.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reptrack.errors import ReptrackError
from reptrack.evaluation.evaluate import count
from reptrack.exercise import spec as specs
from reptrack.exercise.events import Rep
from reptrack.exercise.measure import sample, value_of
from reptrack.exercise.rep_counter import RepCounter
from reptrack.exercise.spec import ExerciseSpec
from reptrack.pose.openpose import COCO, to_pose
from reptrack.pose.types import NUM_LANDMARKS, Pose

# Pose Trainer's folders and the exercise each holds; its clips carry no frame rate, and
# were filmed on phones: 30 frames a second.
POSE_TRAINER = {"bicep": "curl", "shoulderpress": "shoulder_press"}
POSE_TRAINER_FPS = 30.0
MLKIT_CLASSES = {"pushups": "pushup", "squats": "squat"}


@dataclass(frozen=True)
class ClipResult:
    name: str
    exercise: str
    good: bool  # the clip's label: good or bad form
    reps: tuple[Rep, ...]

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(sorted({f for r in self.reps for f in r.flags}))

    def to_json(self) -> dict:
        return {
            "clip": self.name,
            "exercise": self.exercise,
            "label": "good" if self.good else "bad",
            "reps": len(self.reps),
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class ZoneResult:
    label: str  # pushups_up, squats_down, …
    exercise: str
    frames: int
    in_zone: int  # frames whose counted angle lies in the zone the label names
    unmeasured: int  # frames where the counted angle could not be measured

    @property
    def share(self) -> float:
        return self.in_zone / self.frames if self.frames else math.nan

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "exercise": self.exercise,
            "frames": self.frames,
            "in_zone": self.in_zone,
            "unmeasured": self.unmeasured,
        }


# -- Pose Trainer ------------------------------------------------------------------------------
def _clip_poses(keypoints: np.ndarray, fps: float) -> Iterator[tuple[float, Pose | None]]:
    """(frames, 18, 3) pixel keypoints → timestamped poses, as the OpenPose backend builds them
    (a confidence of 0 means the part was not found)."""
    xy = keypoints[:, :, :2]
    size = max(1.0, float(np.nanmax(xy)) * 1.01)  # one scale for x and y: angles unchanged
    for i, frame in enumerate(keypoints):
        peaks = np.column_stack([frame[:, :2] / size, frame[:, 2]])
        peaks[frame[:, 2] <= 0, :2] = np.nan
        if np.isnan(peaks[:, 0]).all():
            yield i / fps, None
            continue
        yield i / fps, to_pose(peaks, COCO, round(size), round(size))


def _load_npy(path: Path) -> np.ndarray:
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise ReptrackError(f"cannot read keypoint file {path}: {exc}") from None
    if data.ndim != 3 or data.shape[1:] != (18, 3):
        raise ReptrackError(f"{path}: expected (frames, 18, 3) COCO keypoints, found {data.shape}")
    return data.astype(np.float64)


def count_clip(spec: ExerciseSpec, keypoints: np.ndarray, fps: float) -> tuple[Rep, ...]:
    counter = RepCounter(spec)
    count(_clip_poses(keypoints, fps), counter)
    return tuple(counter.reps)


def pose_trainer(folder: Path, fps: float = POSE_TRAINER_FPS) -> list[ClipResult]:
    """Every clip under `folder`/bicep and `folder`/shoulderpress, counted and flagged."""
    results = []
    for sub, exercise in POSE_TRAINER.items():
        spec = specs.load(exercise)
        for path in sorted((folder / sub).glob("*.npy")):
            good = "good" in path.stem
            reps = count_clip(spec, _load_npy(path), fps)
            results.append(ClipResult(path.stem, exercise, good, reps))
    return results


def pose_trainer_summary(results: list[ClipResult]) -> dict[str, dict]:
    """Per exercise: bad clips flagged, good clips clean, and each rule's hits on both."""
    out: dict[str, dict] = {}
    for exercise in dict.fromkeys(r.exercise for r in results):
        clips = [r for r in results if r.exercise == exercise]
        bad = [r for r in clips if not r.good]
        good = [r for r in clips if r.good]
        rules = {rule.name for rule in specs.load(exercise).rules}
        out[exercise] = {
            "bad": len(bad),
            "bad_flagged": sum(bool(r.flags) for r in bad),
            "good": len(good),
            "good_clean": sum(not r.flags for r in good),
            "no_rep": sum(not r.reps for r in clips),
            "rules": {
                name: {
                    "bad": sum(name in r.flags for r in bad),
                    "good": sum(name in r.flags for r in good),
                }
                for name in sorted(rules)
            },
        }
    return out


# -- ML Kit --------------------------------------------------------------------------------------
def _frame_pose(values: list[str]) -> Pose:
    """33 BlazePose landmarks as x, y, z in pixels → a pose with the image landmarks.

    The set's z is on a depth scale several times its x and y (a nose 4 shoulder-widths in
    front of the hips), so only x and y are used: the counted angles are image angles here.
    """
    xyz = np.asarray(values, dtype=np.float64).reshape(NUM_LANDMARKS, 3)
    size = max(1.0, float(np.abs(xyz[:, :2]).max()) * 1.01)
    image = np.zeros((NUM_LANDMARKS, 4), np.float32)
    image[:, :2] = xyz[:, :2] / size
    image[:, 3] = 1.0  # the set has no visibility: every landmark was reported
    return Pose(image, None, 1.0, round(size), round(size))


def _in_zone(spec: ExerciseSpec, pose: Pose, down: bool) -> bool | None:
    """Is the counted angle (the mean of both sides) past the turn (`down`) or at the start?"""
    s = sample(pose, spec)
    c = spec.counting
    values = [v for side in ("left", "right") if not math.isnan(v := value_of(s, c.angle, side))]
    if not values:
        return None
    v = sum(values) / len(values)
    return c.past_turn(v) if down else c.at_start(v)


def mlkit_zones(path: Path) -> list[ZoneResult]:
    """For each label of ML Kit's samples, how many frames lie in the zone it names."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as exc:
        raise ReptrackError(f"cannot read {path}: {exc}") from None
    tallies: dict[str, list[int]] = {}
    loaded: dict[str, ExerciseSpec] = {}
    for i, row in enumerate(rows, 1):
        if len(row) != 2 + 3 * NUM_LANDMARKS:
            raise ReptrackError(f"{path} line {i}: expected {2 + 3 * NUM_LANDMARKS} fields")
        label = row[1]
        kind, _, position = label.rpartition("_")
        if kind not in MLKIT_CLASSES or position not in ("up", "down"):
            continue
        exercise = MLKIT_CLASSES[kind]
        if exercise not in loaded:
            loaded[exercise] = specs.load(exercise)
        spec = loaded[exercise]
        try:
            pose = _frame_pose(row[2:])
        except ValueError:
            raise ReptrackError(f"{path} line {i}: a landmark is not a number") from None
        verdict = _in_zone(spec, pose, position == "down")
        tally = tallies.setdefault(label, [0, 0, 0])
        tally[0] += 1
        tally[1] += verdict is True
        tally[2] += verdict is None
    return [
        ZoneResult(label, MLKIT_CLASSES[label.rpartition("_")[0]], *tally)
        for label, tally in sorted(tallies.items())
    ]
