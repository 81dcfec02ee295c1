"""The session runner: source → pose → angles → counter, with events fanned out to sinks.

`Workout.step()` processes one frame and returns what happened; `run()` loops until the
source ends or `stop` is set. The store (when given) gets every rep as it completes and the
angle stream in batches, so a crash loses at most the rep in progress.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from reptrack.exercise.counter import Event, FormWarning, Rep, RepCompleted, RepCounter
from reptrack.exercise.measure import Sample, sample
from reptrack.exercise.spec import ExerciseSpec
from reptrack.pose.types import Pose, PoseEstimator
from reptrack.sources import Frame, FrameSource
from reptrack.store import Store

SAMPLE_FLUSH_SECONDS = 0.5


@dataclass
class FrameResult:
    frame: Frame
    pose: Pose | None
    sample: Sample
    events: list[Event]
    count: int
    phase: str | None
    angle: float  # the driving angle on the counted side
    fps: float
    pose_ms: float


@dataclass
class Summary:
    exercise: str
    reps: list[Rep]
    frames: int
    seconds: float
    status: str
    session_id: int | None = None
    end_reason: str | None = None
    warnings: list[FormWarning] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "exercise": self.exercise,
            "session_id": self.session_id,
            "status": self.status,
            "end_reason": self.end_reason,
            "reps": len(self.reps),
            "good_reps": sum(r.clean for r in self.reps),
            "frames": self.frames,
            "seconds": round(self.seconds, 2),
            "rep_details": [
                {
                    "n": r.number,
                    "side": r.side,
                    "duration": round(r.duration, 2),
                    "range_of_motion": round(r.range_of_motion, 1),
                    "flags": list(r.flags),
                }
                for r in self.reps
            ],
        }


class Workout:
    def __init__(
        self,
        source: FrameSource,
        estimator: PoseEstimator,
        spec: ExerciseSpec,
        *,
        side: str | None = None,
        store: Store | None = None,
        backend: str = "blazepose",
        model: str = "full",
    ) -> None:
        self.source = source
        self.estimator = estimator
        self.spec = spec
        self.counter = RepCounter(spec, side)
        self.store = store
        self.session_id: int | None = None
        if store is not None:
            store.recover_interrupted()
            self.session_id = store.start_session(
                spec.name, spec.text, source.description, backend, model
            )
        self.frames = 0
        self.warnings: list[FormWarning] = []
        self._pending: list[tuple[float, Sample]] = []
        self._last_flush = time.monotonic()
        self._ticks: deque[float] = deque(maxlen=30)
        self._start = time.monotonic()
        self.finished: Summary | None = None

    def step(self) -> FrameResult | None:
        frame = self.source.read()
        if frame is None:
            return None
        t0 = time.perf_counter()
        pose = self.estimator.estimate(frame.image, frame.timestamp)
        pose_ms = (time.perf_counter() - t0) * 1000
        s = sample(pose, self.spec)
        events = self.counter.update(frame.timestamp, s)
        self.frames += 1
        self._record(frame.timestamp, s, events)
        now = time.monotonic()
        self._ticks.append(now)
        fps = (len(self._ticks) - 1) / (now - self._ticks[0]) if len(self._ticks) > 1 else 0.0
        active = self.counter.active
        angle = s.get(f"{self.spec.counter.angle}.{active}", math.nan)
        return FrameResult(
            frame, pose, s, events, self.counter.count, self.counter.phase(), angle, fps, pose_ms
        )

    def _record(self, t: float, s: Sample, events: list[Event]) -> None:
        for e in events:
            if isinstance(e, FormWarning):
                self.warnings.append(e)
        if self.store is None or self.session_id is None:
            return
        self._pending.append((t, s))
        for e in events:
            if isinstance(e, RepCompleted):
                self.flush()
                self.store.add_rep(self.session_id, e.rep)
            elif isinstance(e, FormWarning):
                self.store.add_warning(self.session_id, e)
        if time.monotonic() - self._last_flush >= SAMPLE_FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.store is not None and self.session_id is not None and self._pending:
            self.store.add_samples(self.session_id, self._pending)
        self._pending = []
        self._last_flush = time.monotonic()

    def undo(self) -> Rep | None:
        rep = self.counter.undo()
        if rep and self.store is not None and self.session_id is not None:
            self.store.remove_last_rep(self.session_id)
        return rep

    def run(
        self,
        on_frame: Callable[[FrameResult], None] = lambda r: None,
        stop: threading.Event | None = None,
    ) -> Summary:
        status = "completed"
        try:
            while stop is None or not stop.is_set():
                result = self.step()
                if result is None:
                    break
                on_frame(result)
        except KeyboardInterrupt:
            status = "completed"  # Ctrl-C is how a user ends a set: keep what was done
        except BaseException:
            self.finish("interrupted")  # keep every rep recorded so far, then report the bug
            raise
        return self.finish(status)

    def finish(self, status: str = "completed") -> Summary:
        """Save everything and close the source; safe to call more than once."""
        if self.finished is not None:
            return self.finished
        reason = getattr(self.source, "end_reason", None)
        try:
            self.flush()
            if self.store is not None and self.session_id is not None:
                self.store.finish(self.session_id, status, reason)
        finally:
            self.source.close()
        self.finished = Summary(
            self.spec.name,
            list(self.counter.reps),
            self.frames,
            time.monotonic() - self._start,
            status,
            self.session_id,
            reason,
            self.warnings,
        )
        return self.finished
