"""The session engine: source → pose → angles → counter → set program, and every step's
`FrameResult` out to the sinks — the one way anything leaves it (`sinks`).

`Session.step()` processes one frame; `run()` loops until the source ends or `stop` is set,
and returns the `results.Summary`. The set program (`sets.SetProgram`) turns counted reps
into sets, rest and the next set; its events travel with the counter's, so every sink (the
store, the logs, the TUI, the printer, the voice, the preview) sees the same session.

Other threads (the TUI) never call into a running session: they `request()` an undo or the
next set, and the loop's own thread carries it out between frames, so each sink has one
writer. The engine owns every rep: the counter numbers them, the sinks are told.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from reptrack.exercise.counters import make
from reptrack.exercise.events import Event, FormWarning, Rep, RepCompleted
from reptrack.exercise.measure import Sample, sample
from reptrack.exercise.spec import ExerciseSpec
from reptrack.pose.types import Pose, PoseEstimator
from reptrack.session.results import FrameResult, Summary
from reptrack.session.sets import RepUndone, SetProgram
from reptrack.sinks import Sink, SinkNotice
from reptrack.video.sources import Frame, FrameSource

PAUSE_POLL_SECONDS = 0.05

Command = Literal["undo", "next_set", "next_block"]


@dataclass(frozen=True)
class SessionSettings:
    """What one session of one exercise is asked to do."""

    side: str | None = None  # which side counts (None: the exercise's)
    target_reps: int | None = None  # reps per set: rest starts when reached
    planned_sets: int | None = None
    rest: float = 60.0  # seconds between sets
    target_seconds: float | None = None  # a timed hold's time in position per set
    # (workout id or 0, block number): one block of a run of several sessions (a plan's, or
    # `reptrack auto`'s), which ends when its sets are done (or `next_block`) and leaves the
    # source open for the next
    block: tuple[int, int] | None = None
    rest_after: float = 0.0  # a plan's block: seconds of rest after its last set


class Session:
    """One session of one exercise, from `source` through `estimator`, told to `sinks`."""

    def __init__(
        self,
        source: FrameSource,
        estimator: PoseEstimator,
        spec: ExerciseSpec,
        settings: SessionSettings = SessionSettings(),
        *,
        sinks: Iterable[Sink] = (),
        session_id: int | None = None,
    ) -> None:
        """`session_id`: where the store keeps it (`request.open_session` opens it)."""
        self.source, self.estimator, self.spec, self.settings = source, estimator, spec, settings
        self.counter = make(spec, settings.side)
        self.program = SetProgram(
            settings.target_reps,
            settings.planned_sets,
            settings.rest,
            hold=spec.is_hold,
            target_seconds=settings.target_seconds,
            rest_after=settings.rest_after,
        )
        self.sinks: list[Sink] = list(sinks)
        self.session_id = session_id
        self.notes: list[str] = []  # what the user should know before starting
        self._last_t = 0.0
        self._first_t: float | None = None  # the stream's time of the session's first pose
        self._commands: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self._queued: list[Event] = []  # what requests caused, out with the next frame
        self._caught: list[FrameResult] = []  # poses counted before the session began
        self._caught_frames = 0  # frames counted by catching up, not by the loop
        self.frames = 0
        self.warnings: list[FormWarning] = []
        self._ticks: deque[float] = deque(maxlen=30)
        self._first_frame: float | None = None  # when the loop began its first frame
        self._last_frame = 0.0  # when it finished its latest
        self.finished: Summary | None = None
        self.person_seen = False
        self.source_ended = False  # the source gave its last frame
        self.moved_on = False  # a block left before its sets were done (`next_block`)

    @property
    def block(self) -> tuple[int, int] | None:
        return self.settings.block

    @property
    def set_number(self) -> int:
        return self.program.set_number + self.program.starting

    @property
    def set_reps(self) -> int:
        return 0 if self.program.starting else self.program.set_reps

    def step(self) -> FrameResult | None:
        self.apply_requests()
        if self._first_frame is None:
            self._first_frame = time.monotonic()
        frame = self.source.read()
        if frame is None:
            return None
        t0 = time.perf_counter()
        pose = self.estimator.estimate(frame.image, frame.timestamp)
        pose_ms = (time.perf_counter() - t0) * 1000
        self._tell_caught()
        result = self._count(frame.timestamp, pose, frame, pose_ms)
        self._emit(result)
        return result

    def _count(
        self, t: float, pose: Pose | None, frame: Frame | None = None, pose_ms: float = 0.0
    ) -> FrameResult:
        """One pose through the counter and the set program."""
        self._last_t = t
        if self._first_t is None:
            self._first_t = t
        events, self._queued = [*self._queued, *self.program.frame(t)], []
        self.person_seen |= pose is not None
        s = sample(pose, self.spec)
        events += self._into_sets(t, self.counter.update(t, s))
        held = self.counter.set_held(t)
        if held is not None:
            events += self.program.held(t, held)
        if ticked := self.program.tick(t):  # the rest is over: the next set
            self.counter.reset()
            events += ticked
        self.frames += 1
        result = self._result(t, events, held, frame=frame, pose=pose, s=s)
        if frame is not None:
            now = self._last_frame = time.monotonic()
            self._ticks.append(now)
            span = now - self._ticks[0]
            result.fps = (len(self._ticks) - 1) / span if span > 0 else 0.0
            result.pose_ms = pose_ms
            result.latency_ms = (now - frame.captured) * 1000 if frame.captured else pose_ms
        return result

    def _result(
        self,
        t: float,
        events: list[Event],
        held: float | None,
        *,
        frame: Frame | None = None,
        pose: Pose | None = None,
        s: Sample | None = None,
    ) -> FrameResult:
        """The step at `t` as the sinks are told it (`held`: a hold's seconds in this set)."""
        return FrameResult(
            t,
            frame,
            pose,
            s,
            events,
            self.counter.count,
            self.counter.phase(),
            self.counter.shown_value(s or {}, self.spec.shown_angle),
            0.0,
            0.0,
            0.0,
            self.set_number,
            self.set_reps,
            self.program.rest_left(t),
            held,
        )

    def catch_up(self, poses: Iterable[tuple[float, Pose | None]]) -> None:
        """Count poses seen before the session began (`reptrack auto` watched them while
        it decided what the exercise is) as its first frames: the sinks are told them before
        the first frame of its own (or as it ends, if it has none)."""
        for t, pose in poses:
            self._caught.append(self._count(t, pose))
            self._caught_frames += 1

    def _tell_caught(self) -> None:
        caught, self._caught = self._caught, []
        for result in caught:
            self._emit(result)

    def _into_sets(self, t: float, events: list[Event]) -> list[Event]:
        """The counter's events, each counted rep followed by what it did to the set."""
        out: list[Event] = []
        for e in events:
            out.append(e)
            if isinstance(e, RepCompleted):
                out += self.program.counted(t, e.rep)
        return out

    def _emit(self, result: FrameResult) -> None:
        """Tell every sink; what a sink wants the person to know goes out with the next."""
        self.warnings += [e for e in result.events if isinstance(e, FormWarning)]
        for sink in self.sinks:
            sink.frame(result)
            self._queued += [SinkNotice(result.t, m) for m in sink.notices()]

    def request(self, command: Command) -> None:
        """Ask the loop's thread to undo the last rep or start the next set (thread-safe)."""
        self._commands.put(command)

    def apply_requests(self) -> None:
        """Carry out pending requests; the thread that runs the loop calls this (and, once
        the session has ended, whoever asks)."""
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            if command == "undo":
                self.undo()
            elif command == "next_block":
                self.moved_on = True
            elif command == "next_set":
                self.next_set()

    def undo(self) -> Rep | None:
        """Remove the last rep of the current set (the user says it did not count)."""
        if self.set_reps <= 0 or self.program.undo() is None:
            return None
        rep = self.counter.undo()
        if rep is not None:
            if self.finished is not None:  # undone once the session ended: its summary too
                self.finished.reps = list(self.counter.reps)
            self._out([RepUndone(self._last_t, rep)])
        return rep

    def next_set(self) -> int:
        """Close the current set (a rep in progress is dropped); the next one starts at the
        next frame."""
        if not self.program.starting:
            self.counter.reset()
            self._out(self.program.next_set(self._last_t))
            last = self.program.planned_sets
            if self.block is not None and last is not None and self.program.set_number >= last:
                self.moved_on = True  # past a block's last set: on to the plan's next block
        return self.set_number

    def _out(self, events: list[Event]) -> None:
        """What a request caused, told at once (between frames, or while paused, or once the
        stream has ended): the screen shows an undo without waiting for a frame."""
        t = self._last_t
        self._emit(self._result(t, events, self.counter.set_held(t)))

    def run(
        self, stop: threading.Event | None = None, pause: threading.Event | None = None
    ) -> Summary:
        """Process frames until the source ends or `stop` is set; idle while `pause` is set."""
        status = "completed"
        try:
            while stop is None or not stop.is_set():
                if pause is not None and pause.is_set():
                    self.apply_requests()
                    time.sleep(PAUSE_POLL_SECONDS)
                    continue
                if self.step() is None:
                    self.source_ended = True
                    break
                if self.block is not None and (self.program.done or self.moved_on):
                    break  # the block is done: the plan's next one takes the source
        except KeyboardInterrupt:
            status = "completed"  # Ctrl-C is how a user ends a set: keep what was done
        except BaseException:
            self.finish("interrupted")  # keep every rep recorded so far, then report the bug
            raise
        return self.finish(status)

    def finish(self, status: str = "completed") -> Summary:
        """Tell the sinks what ending the stream caused, close them and the source; safe to
        call more than once."""
        if self.finished is not None:
            return self.finished
        reason = getattr(self.source, "end_reason", None)
        told: list[str] = []  # what the outputs say as the session ends
        try:
            self.apply_requests()
            self._tell_caught()  # caught up, and ended before a frame of its own
            # The lifter may be back at the start on the last frames: that rep counts.
            t = self._last_t
            final = self._queued + self._into_sets(t, self.counter.finish(t))
            held = self.counter.set_held(t)
            if held is not None:
                final += self.program.held(t, held)
            self._queued = []
            self._emit(self._result(t, final + self.program.finish(t), held))
            told += [e.message for e in self._queued if isinstance(e, SinkNotice)]
            self._queued = []
            for sink in self.sinks:
                sink.close(status, reason)
                told += sink.notices()
        finally:
            if self.block is None or self.source_ended:  # a block's source goes on
                self.source.close()
        self.finished = Summary(
            self.spec.name,
            list(self.counter.reps),
            self.frames,
            self.stream_seconds(),
            status,
            self.session_id,
            reason,
            self.warnings,
            self.program.set_number,
            self._loop_fps(),
            self.person_seen,
            self.program.to_json(),
            told,
            self.counter.timed_holds(),
        )
        return self.finished

    def stream_seconds(self) -> float:
        """How long the session lasted in the stream's time: a video read faster than it
        plays still says how long the set took, not how long it took to read."""
        return 0.0 if self._first_t is None else max(0.0, self._last_t - self._first_t)

    def _loop_fps(self) -> float:
        if self._first_frame is None or self._last_frame <= self._first_frame:
            return 0.0
        return (self.frames - self._caught_frames) / (self._last_frame - self._first_frame)
