"""The session runner: source → pose → angles → counter → set program, with every frame's
sample and events fanned out to the sinks (the store, a rep log, …; see `sinks`).

`Workout.step()` processes one frame and returns what happened (`results.FrameResult`);
`run()` loops until the source ends or `stop` is set, and returns the `results.Summary`.
The set program (`sets.SetProgram`) turns counted reps into sets, rest and the next set;
its events travel with the counter's, so the TUI and the headless mode, which both drive
this runner, see the same session.

Other threads (the TUI) never call into a running workout: they `request()` an undo or the
next set, and the loop's own thread carries it out between frames, so each sink has one
writer.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Literal

from reptrack.exercise.counting import make
from reptrack.exercise.events import (
    Event,
    FormWarning,
    Rep,
    RepCompleted,
)
from reptrack.exercise.holding import HoldTimer
from reptrack.exercise.measure import Sample, sample, value_of
from reptrack.exercise.spec import ExerciseSpec
from reptrack.pose.types import Pose, PoseEstimator
from reptrack.results import FrameResult, Summary
from reptrack.sets import RepUndone, SetProgram
from reptrack.sinks import Sink, SinkNotice, StoreSink
from reptrack.sources import FrameSource
from reptrack.store import Store

PAUSE_POLL_SECONDS = 0.05

Command = Literal["undo", "next_set", "next_block"]


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
        rest: float = 60.0,
        sinks: Iterable[Sink] = (),
        target_seconds: float | None = None,
        block: tuple[int, int] | None = None,
    ) -> None:
        """`store`, when given, gets the session (a `StoreSink`, first of the sinks).
        A timed hold's sets end at `target_seconds` in position, as reps' at `target_reps`.
        `block` = (workout id or 0, block number): one block of a workout plan, which runs
        until its planned sets are done (or `next_block`) and leaves the source open for
        the next (`plan_runner`)."""
        self.source = source
        self.estimator = estimator
        self.spec = spec
        self.counter = make(spec, side)
        self.program = SetProgram(
            target_reps, planned_sets, rest, hold=spec.is_hold, target_seconds=target_seconds
        )
        self.sinks: list[Sink] = []
        self.notes: list[str] = []  # what the user should know before starting
        self.store = store
        self.session_id: int | None = None
        if store is not None:
            logged = StoreSink.start(
                store,
                spec,
                source.description,
                backend=backend,
                model=model,
                target_reps=target_reps,
                planned_sets=planned_sets,
                side=side,
                target_seconds=target_seconds,
                block=block,
            )
            self.session_id = logged.session_id
            self.notes += logged.imported  # what a lock kept out of earlier sessions
            self.sinks.append(logged)
        self.sinks += sinks
        self._last_t = 0.0
        self._commands: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self._queued: list[Event] = []  # what requests caused, out with the next frame
        self._caught: list[Event] = []  # what catching up counted, reported with the next frame
        self._caught_frames = 0  # frames counted by catching up, not by the loop
        self.frames = 0
        self.warnings: list[FormWarning] = []
        self._ticks: deque[float] = deque(maxlen=30)
        self._start = time.monotonic()
        self._first_frame: float | None = None  # when the loop began its first frame
        self._last_frame = 0.0  # when it finished its latest
        self.finished: Summary | None = None
        self.final_events: list[Event] = []  # what ending the stream itself caused
        self.person_seen = False
        self.block = block
        self.source_ended = False  # the source gave its last frame
        self.moved_on = False  # a block left before its sets were done (`next_block`)
        # Who else watches each frame, on the loop's thread (`reptrack auto`'s recognizer,
        # which may ask for `next_block`), whatever drives the loop: the TUI or the text.
        self.followers: list[Callable[[FrameResult], None]] = []

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
        t = frame.timestamp
        s, events, held = self._count(t, pose)
        events, self._caught = [*self._caught, *events], []
        now = self._last_frame = time.monotonic()
        self._ticks.append(now)
        fps = (len(self._ticks) - 1) / (now - self._ticks[0]) if len(self._ticks) > 1 else 0.0
        angle = (
            self.counter.value(self.spec.shown_angle)
            if isinstance(self.counter, HoldTimer)
            else value_of(s, self.spec.shown_angle, self.counter.active)
        )
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
            self.program.rest_left(t),
            held,
        )

    def _count(self, t: float, pose: Pose | None) -> tuple[Sample, list[Event], float | None]:
        """One frame's pose through the counter and the set program, out to the sinks: its
        sample, its events and, for a hold, the set's seconds in position."""
        self._last_t = t
        events, self._queued = [*self._queued, *self.program.frame(t)], []
        self.person_seen |= pose is not None
        s = sample(pose, self.spec)
        events += self._into_sets(t, self.counter.update(t, s))
        held = None
        if isinstance(self.counter, HoldTimer):
            held = self.counter.set_held(t)
            events += self.program.held(t, held)
        if ticked := self.program.tick(t):  # the rest is over: the next set
            self.counter.reset()
            events += ticked
        self.frames += 1
        self._emit(t, s, events)
        return s, events, held

    def catch_up(self, poses: Iterable[tuple[float, Pose | None]]) -> None:
        """Count poses seen before the session began (`reptrack auto` watched them while
        it decided what the exercise is) as its first frames: their reps are the set's,
        saved at once and reported with the next frame."""
        for t, pose in poses:
            self._caught += self._count(t, pose)[1]
            self._caught_frames += 1

    def _into_sets(self, t: float, events: list[Event]) -> list[Event]:
        """The counter's events, each counted rep followed by what it did to the set."""
        out: list[Event] = []
        for e in events:
            out.append(e)
            if isinstance(e, RepCompleted):
                out += self.program.counted(t, e.rep)
        return out

    def _emit(self, t: float, s: Sample | None, events: list[Event]) -> None:
        self.warnings += [e for e in events if isinstance(e, FormWarning)]
        for sink in self.sinks:
            sink.frame(t, s, events)
            self._queued += [SinkNotice(t, m) for m in sink.notices()]

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
        """What a request caused: with the next frame, or at once once the stream ended."""
        if self.finished is None:
            self._queued += events
        else:
            self.final_events += events
            self._emit(self._last_t, None, events)

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
                    self.source_ended = True
                    break
                on_frame(result)
                for follower in self.followers:
                    follower(result)
                if self.block is not None and (self.program.done or self.moved_on):
                    break  # the block is done: the plan's next one takes the source
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
        told: list[str] = []  # what the outputs say as the session ends
        try:
            self.apply_requests()
            # The lifter may be back at the start on the last frames: that rep counts.
            t = self._last_t
            final = self._queued + self._into_sets(t, self.counter.finish(t))
            if isinstance(self.counter, HoldTimer):
                final += self.program.held(t, self.counter.set_held(t))
            self.final_events = final + self.program.finish(t)
            self._queued = []
            self._emit(t, None, self.final_events)
            # caught up and ended before a frame reported it (saved already: told, not sent)
            self.final_events, self._caught = self._caught + self.final_events, []
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
            time.monotonic() - self._start,
            status,
            self.session_id,
            reason,
            self.warnings,
            self.program.set_number,
            self._loop_fps(),
            self.person_seen,
            self.program.to_json(),
            told,
            list(self.counter.holds) if isinstance(self.counter, HoldTimer) else None,
        )
        return self.finished

    def _loop_fps(self) -> float:
        if self._first_frame is None or self._last_frame <= self._first_frame:
            return 0.0
        return (self.frames - self._caught_frames) / (self._last_frame - self._first_frame)
