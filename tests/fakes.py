"""Stand-ins for the camera and the pose model, so workouts and the TUI run in tests without a
webcam or model files: a blank video source, a stick figure that squats on a known schedule,
a replay of recorded landmarks (MediaPipe's own, from ../shared/data/reference), and small
video files written on the spot."""

from __future__ import annotations

import math
import time
from pathlib import Path

import cv2
import numpy as np

from reptrack.exercise import spec as specs
from reptrack.exercise.events import RepCompleted
from reptrack.exercise.rep_counter import RepCounter
from reptrack.pose.dump import load_landmarks
from reptrack.pose.types import ALL_KEYPOINTS, INDEX, NUM_LANDMARKS, Pose
from reptrack.video.sources import Frame


def write_video(path: Path, frames: list[np.ndarray], fps: float = 10.0) -> Path:
    """An MJPG video file of `frames` (all the size of the first) at `fps`."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (w, h))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


class BlankSource:
    """`frames` black frames at `fps`, timestamped like a video file; `live` sources pace them."""

    def __init__(
        self, frames: int, fps: float = 30.0, size: int = 240, *, live: bool = False
    ) -> None:
        self.frames, self.fps, self.live = frames, fps, live
        self.width = self.height = size
        self.description = "blank test video"
        self.end_reason: str | None = None
        self.closed = False
        self._index = 0
        self._image = np.zeros((size, size, 3), np.uint8)
        self._t0 = time.monotonic()

    def __len__(self) -> int:
        return self.frames

    def read(self) -> Frame | None:
        if self._index >= self.frames:
            return None
        if self.live:
            time.sleep(max(0.0, self._t0 + self._index / self.fps - time.monotonic()))
        frame = Frame(self._image, self._index / self.fps, self._index, time.monotonic())
        self._index += 1
        return frame

    def close(self) -> None:
        self.closed = True


def stick_figure(knee_angle: float, visibility: float = 0.99) -> Pose:
    """A person seen from their left side, trunk upright, knees bent to `knee_angle` degrees."""
    image = np.full((NUM_LANDMARKS, 4), np.nan)
    image[:, 3] = 0.0
    lean = math.radians((180.0 - knee_angle) / 2)  # shin forward, thigh back by this much
    ankle = np.array([0.5, 0.85])
    knee = ankle + 0.2 * np.array([math.sin(lean), -math.cos(lean)])
    hip = knee + 0.2 * np.array([-math.sin(lean), -math.cos(lean)])
    shoulder = hip + np.array([0.0, -0.25])

    def offset(point: np.ndarray, dx: float, dy: float) -> np.ndarray:
        return point + np.array([dx, dy])

    points = {
        "shoulder": shoulder,
        "elbow": offset(shoulder, 0.0, 0.12),
        "wrist": offset(shoulder, 0.02, 0.24),
        "hip": hip,
        "knee": knee,
        "ankle": ankle,
        "heel": offset(ankle, -0.03, 0.02),
        "foot_index": offset(ankle, 0.08, 0.02),
    }
    world = np.zeros((NUM_LANDMARKS, 4))
    for side, vis, depth in (("left", visibility, 0.15), ("right", 0.3, -0.15)):
        for part, xy in points.items():
            i = INDEX[f"{side}_{part}"]
            image[i] = (*xy, 0.0, vis)
            world[i] = ((xy[0] - 0.5) * 2, (xy[1] - hip[1]) * 2, depth, vis)
    image[INDEX["nose"]] = (*offset(shoulder, 0.03, -0.08), 0.0, visibility)
    return Pose(image.astype(np.float32), world.astype(np.float32), width=240, height=240)


class Squatter:
    """A pose estimator that ignores the image: a stick figure squatting every `period` s,
    standing (knee 170°) at t=0 and at the bottom (80°) half-way through each rep."""

    name = "fake"
    title = "a fake pose model"
    note: str | None = None
    keypoints = ALL_KEYPOINTS

    def __init__(self, period: float = 2.0, reps: int | None = None) -> None:
        self.period, self.reps = period, reps
        self.closed = False

    def knee_angle(self, t: float) -> float:
        if self.reps is not None and t >= self.reps * self.period:
            return 170.0
        return 125.0 + 45.0 * math.cos(2 * math.pi * t / self.period)

    def estimate(self, frame: np.ndarray, timestamp: float) -> Pose:
        return stick_figure(self.knee_angle(timestamp))

    def close(self) -> None:
        self.closed = True


class RecordedPoses:
    """A pose estimator that returns the landmarks recorded for each frame of a video."""

    name = "recorded"
    title = "MediaPipe's recorded landmarks"
    note = None
    keypoints = ALL_KEYPOINTS

    def __init__(self, npz: Path) -> None:
        self.run = load_landmarks(npz)
        self._i = 0

    def estimate(self, frame: np.ndarray, timestamp: float) -> Pose | None:
        i, self._i = self._i, self._i + 1
        if i >= len(self.run.present) or not self.run.present[i]:
            return None
        h, w = frame.shape[:2]
        world = self.run.world[i] if np.isfinite(self.run.world[i, 0, 0]) else None
        return Pose(image=self.run.image[i], world=world, width=w, height=h)

    def close(self) -> None:
        pass


def session(source, estimator, spec, *, store=None, sinks=(), engine=None, **settings):
    """A session assembled as the commands assemble one (`session.request.open_session`):
    `store` gets it, `settings` are `SessionSettings`'s fields (targets, sets, rest, side,
    block)."""
    from reptrack.session.engine import Session, SessionSettings
    from reptrack.session.request import open_session

    return open_session(source, estimator, spec, SessionSettings(**settings), store=store,
                        sinks=sinks, engine=engine or Session)  # fmt: skip


def run_seeing(workout, each, **kw):
    """Run `workout` to its end with `each` called on every frame it processes (a sink)."""
    from reptrack.sinks import Calls

    workout.sinks.append(Calls(each, frames_only=True))
    return workout.run(**kw)


def told_at_the_end(workout) -> list:
    """The events the sinks are told without a frame of their own (what ending the stream,
    or catching up, caused), filled in as the session runs."""
    from reptrack.sinks import Calls

    told: list = []
    workout.sinks.append(Calls(lambda r: told.extend(r.events) if r.frame is None else None))
    return told


def recorded_session(shared: Path, video: str, exercise: str, **kw):
    """A session of a shared video counted with MediaPipe's recorded landmarks (no model);
    `kw` goes to `session` (a store, targets, …)."""
    from reptrack.video.sources import FileSource

    return session(
        FileSource(shared / "videos" / f"{video}.mp4"),
        RecordedPoses(shared / "reference" / f"{video}.npz"),
        specs.load(exercise),
        **kw,
    )


# -- angle streams -------------------------------------------------------------------------------
RATE = 30.0  # samples a second


def cycles(
    reps: int,
    rest: float,
    far: float,
    period: float = 2.0,
    pause: float = 1.0,
    noise: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """An angle at `rest` for `pause` s, `reps` smooth trips to `far` and back, `rest` again."""
    t = np.arange(0, 2 * pause + reps * period, 1 / RATE)
    moving = (t >= pause) & (t < pause + reps * period)
    depth = np.where(moving, (1 - np.cos(2 * np.pi * (t - pause) / period)) / 2, 0.0)
    rng = np.random.default_rng(seed)
    return rest + (far - rest) * depth + rng.normal(0, noise, len(t))


LYING = {"trunk": 85.0}  # a sit-up or push-up body, horizontal in 3-D
STANDING = {"trunk": 8.0}


def feed(
    exercise: str,
    angle: np.ndarray,
    *,
    extra: dict[str, float] | None = None,
    counter: RepCounter | None = None,
) -> tuple[RepCounter, list[RepCompleted]]:
    """Both sides of the exercise's counted angle follow `angle`; `extra` sets other angles."""
    spec = specs.load(exercise)
    counter = counter or RepCounter(spec)
    assert spec.counter is not None, f"{exercise} counts reps"
    key = spec.counter.angle
    done: list[RepCompleted] = []
    t = 0.0
    for i, a in enumerate(angle):
        t = i / RATE
        s = {f"{key}.left": float(a), f"{key}.right": float(a), "vis.left": 0.9,
             "vis.right": 0.9, "view": 80.0}  # fmt: skip
        for name, v in (extra or {}).items():
            s[f"{name}.left"] = s[f"{name}.right"] = v
        done += [e for e in counter.update(t, s) if isinstance(e, RepCompleted)]
    done += [e for e in counter.finish(t) if isinstance(e, RepCompleted)]
    return counter, done
