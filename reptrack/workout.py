"""The session runner: source → pose → angles → counter, with events fanned out to sinks.

`Workout.step()` processes one frame and returns what happened; `run()` loops until the
source ends or `stop` is set. The store (when given) gets every rep as it completes and the
angle stream in batches, so a crash loses at most the rep in progress.

Other threads (the TUI) never call into a running workout: they `request()` an undo or the
next set, and the loop's own thread carries it out between frames, so the store has one
writer.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from reptrack.exercise.counter import RepCounter
from reptrack.exercise.events import Event, FormWarning, Rep, RepCompleted
from reptrack.exercise.measure import Sample, sample
from reptrack.exercise.spec import ExerciseSpec
from reptrack.pose.types import Pose, PoseEstimator
from reptrack.sources import Frame, FrameSource
from reptrack.store import Store

SAMPLE_FLUSH_SECONDS = 0.5
PAUSE_POLL_SECONDS = 0.05

Command = Literal["undo", "next_set"]


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
    latency_ms: float  # from the frame's capture to this result
    set_number: int
    set_reps: int  # reps counted in the current set


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
    sets: int = 1
    loop_fps: float = 0.0  # frames per second from the first frame to the last
    person_seen: bool = True  # was anybody found on any frame?

    @property
    def notes(self) -> list[str]:
        """What the person should know about how the session went."""
        out = [self.end_reason] if self.end_reason else []
        if self.frames and not self.person_seen:
            out.append(
                f"nobody was seen in the {self.frames} frames: is the whole body in view, "
                "and the room lit?"
            )
        return out

    def to_json(self) -> dict:
        return {
            "exercise": self.exercise,
            "session_id": self.session_id,
            "status": self.status,
            "end_reason": self.end_reason,
            "person_seen": self.person_seen,
            "reps": len(self.reps),
            "sets": self.sets,
            "good_reps": sum(r.clean for r in self.reps),
            "frames": self.frames,
            "seconds": round(self.seconds, 2),
            "frames_per_second": round(self.loop_fps, 1),
            "rep_details": [
                {
                    "n": r.number,
                    "side": r.side,
                    "duration": round(r.duration, 2),
                    "range_of_motion": round(r.range_of_motion, 1),
                    "flags": list(r.flags),
                    "counted_by": r.counted_by,
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
        target_reps: int | None = None,
        planned_sets: int | None = None,
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
                spec.name,
                spec.text,
                source.description,
                backend,
                model,
                target_reps=target_reps,
                planned_sets=planned_sets,
                side=side,
            )
            store.start_set(self.session_id, 1, 0.0)
        self.set_number = 1
        self._set_unrecorded = False  # the set began; its first frame's time is not stored yet
        self._set_first_rep = 1  # number of the first rep of the current set
        self._last_t = 0.0
        self._commands: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self.notes: list[str] = []  # what the user should know before starting
        self.frames = 0
        self.warnings: list[FormWarning] = []
        self._pending: list[tuple[float, Sample]] = []
        self._last_flush = time.monotonic()
        self._ticks: deque[float] = deque(maxlen=30)
        self._start = time.monotonic()
        self._first_frame: float | None = None  # when the loop began its first frame
        self._last_frame = 0.0  # when it finished its latest
        self.finished: Summary | None = None
        self.final_events: list[Event] = []  # what ending the stream itself caused
        self.person_seen = False

    @property
    def set_reps(self) -> int:
        return self.counter.count - self._set_first_rep + 1

    def step(self) -> FrameResult | None:
        self.apply_requests()
        if self._first_frame is None:
            self._first_frame = time.monotonic()
        frame = self.source.read()
        if frame is None:
            return None
        self._last_t = frame.timestamp
        if self._set_unrecorded:
            self._record_set_start(frame.timestamp)
        t0 = time.perf_counter()
        pose = self.estimator.estimate(frame.image, frame.timestamp)
        pose_ms = (time.perf_counter() - t0) * 1000
        self.person_seen |= pose is not None
        s = sample(pose, self.spec)
        events = self.counter.update(frame.timestamp, s)
        self.frames += 1
        self._record(frame.timestamp, s, events)
        now = self._last_frame = time.monotonic()
        self._ticks.append(now)
        fps = (len(self._ticks) - 1) / (now - self._ticks[0]) if len(self._ticks) > 1 else 0.0
        active = self.counter.active
        angle = s.get(f"{self.spec.counter.angle}.{active}", math.nan)
        return FrameResult(
            frame,
            pose,
            s,
            events,
            self.counter.count,
            self.counter.phase(),
            angle,
            fps,
            pose_ms,
            (now - frame.captured) * 1000 if frame.captured else pose_ms,
            self.set_number,
            self.set_reps,
        )

    def _record(
        self, t: float, s: Sample, events: list[Event], *, keep_sample: bool = True
    ) -> None:
        for e in events:
            if isinstance(e, FormWarning):
                self.warnings.append(e)
        if self.store is None or self.session_id is None:
            return
        if keep_sample:
            self._pending.append((t, s))
        for e in events:
            if isinstance(e, RepCompleted):
                self.flush()
                self.store.add_rep(self.session_id, e.rep, self.set_number)
            elif isinstance(e, FormWarning):
                self.store.add_warning(self.session_id, e)
        if time.monotonic() - self._last_flush >= SAMPLE_FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.store is not None and self.session_id is not None and self._pending:
            self.store.add_samples(self.session_id, self._pending)
        self._pending = []
        self._last_flush = time.monotonic()

    def request(self, command: Command) -> None:
        """Ask the loop's thread to undo the last rep or start the next set (thread-safe)."""
        self._commands.put(command)

    def apply_requests(self) -> None:
        """Carry out pending requests; the thread that runs the loop calls this."""
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            if command == "undo":
                self.undo()
            elif command == "next_set":
                self.next_set()

    def undo(self) -> Rep | None:
        """Remove the last rep of the current set (the user says it did not count)."""
        if self.set_reps <= 0:
            return None
        rep = self.counter.undo()
        if rep and self.store is not None and self.session_id is not None:
            self.store.remove_last_rep(self.session_id)
        return rep

    def next_set(self) -> int:
        """Close the current set (a rep in progress is dropped) and start the next one."""
        self.counter.reset()
        self.set_number += 1
        self._set_first_rep = self.counter.count + 1
        self._set_unrecorded = True
        return self.set_number

    def _record_set_start(self, t: float) -> None:
        """A set starts at its first frame: a replay resets the counter just before it."""
        self._set_unrecorded = False
        if self.store is not None and self.session_id is not None:
            self.flush()
            self.store.start_set(self.session_id, self.set_number, t)

    def run(
        self,
        on_frame: Callable[[FrameResult], None] = lambda r: None,
        stop: threading.Event | None = None,
        pause: threading.Event | None = None,
    ) -> Summary:
        """Process frames until the source ends or `stop` is set; idle while `pause` is set."""
        status = "completed"
        try:
            while stop is None or not stop.is_set():
                if pause is not None and pause.is_set():
                    self.apply_requests()
                    time.sleep(PAUSE_POLL_SECONDS)
                    continue
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
            self.apply_requests()
            # The lifter may be back at the start on the last frames: that rep counts.
            self.final_events = self.counter.finish(self._last_t)
            self._record(self._last_t, {}, self.final_events, keep_sample=False)
            if self._set_unrecorded:
                self._record_set_start(math.nextafter(self._last_t, math.inf))
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
            self.set_number,
            self._loop_fps(),
            self.person_seen,
        )
        return self.finished

    def _loop_fps(self) -> float:
        if self._first_frame is None or self._last_frame <= self._first_frame:
            return 0.0
        return self.frames / (self._last_frame - self._first_frame)
