"""The pose loop as the TUI runs it: a Session on a worker thread that talks to the UI only by
posting messages, and drives the preview window, the recording and the camera view's pictures
from that same thread.

`post_message` does not wait for the UI; `FrameProcessed` replaces a pending one of its kind,
so a slow terminal drops stale frame updates instead of slowing the camera loop, and it is
sent at most `UI_UPDATES_PER_SECOND` times a second: every update costs the UI thread CPU
and the GIL that the pose loop needs. Reps, warnings and camera states are separate
messages that are never dropped. The camera view gets `FramePictured`, also replacing a
pending one, at most `VIEW_UPDATES_PER_SECOND` times a second, shrunk to the view's size and
annotated on this thread: drawing a picture in the terminal costs the UI thread, and the
terminal, far more than numbers do.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PIL import Image as PILImage
from textual.message import Message

from reptrack.errors import ReptrackError
from reptrack.exercise.events import (
    FormWarning,
    HoldEnded,
    HoldStarted,
    HoldTick,
    PoseFound,
    PoseLost,
    Rep,
    RepCompleted,
    RuleUnjudged,
)
from reptrack.session.engine import Session
from reptrack.session.results import FrameResult, Summary
from reptrack.session.sets import RepUndone, RestOver, RestStarted, SetDone, SetStarted, WorkoutDone
from reptrack.sinks import SinkNotice
from reptrack.sinks.presenting import presenting
from reptrack.sinks.voice import Voice
from reptrack.video.preview import AnnotatedOutput

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

UI_UPDATES_PER_SECOND = 10.0
VIEW_UPDATES_PER_SECOND = 3.0


class FrameProcessed(Message):
    """The newest frame's numbers; a pending one is replaced by the next."""

    def __init__(self, result: FrameResult) -> None:
        super().__init__()
        self.result = result

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FrameProcessed)


class FramePictured(Message):
    """The newest annotated picture for the camera view; a pending one is replaced."""

    def __init__(self, picture: PILImage.Image) -> None:
        super().__init__()
        self.picture = picture

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FramePictured)


class RepCounted(Message):
    """A rep counted; `reps` are the session's reps as the engine has them after it."""

    def __init__(self, rep: Rep, count: int, set_reps: int, reps: tuple[Rep, ...]) -> None:
        super().__init__()
        self.rep, self.count, self.set_reps, self.reps = rep, count, set_reps, reps


class RepTakenBack(RepCounted):
    """A rep undone (`u`): the engine took it back; `reps` are what is left."""


class FormWarned(Message):
    def __init__(self, warning: FormWarning) -> None:
        super().__init__()
        self.warning = warning


class SetMoved(Message):
    """The set program moved: a set done, a rest started or over, the workout done."""

    def __init__(self, event: SetStarted | SetDone | RestStarted | RestOver | WorkoutDone) -> None:
        super().__init__()
        self.event = event


class HoldMoved(Message):
    """A timed hold began, reached another ten seconds, or ended."""

    def __init__(self, event: HoldStarted | HoldTick | HoldEnded) -> None:
        super().__init__()
        self.event = event


class RuleNotChecked(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class PersonSeen(Message):
    def __init__(self, seen: bool) -> None:
        super().__init__()
        self.seen = seen


class BellRung(Message):
    """`--bell`: ring the terminal's bell (the UI does, on its thread)."""


class PreviewUnavailable(Message):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class SessionEnded(Message):
    """The loop has stopped and the session is saved; `error` says why if it failed."""

    def __init__(self, summary: Summary | None, error: ReptrackError | None = None) -> None:
        super().__init__()
        self.summary, self.error = summary, error


@dataclass
class LoopControls:
    """What the UI may change while the loop runs: thread-safe events, and the camera view's
    picture size in pixels (None: no view), which the UI replaces whole."""

    stop: threading.Event
    pause: threading.Event
    preview: threading.Event
    view_size: tuple[int, int] | None = None

    @classmethod
    def create(cls, preview: bool = False) -> LoopControls:
        controls = cls(threading.Event(), threading.Event(), threading.Event())
        if preview:
            controls.preview.set()
        return controls


class PoseLoop:
    """Runs `workout` on the calling thread until it ends or `controls.stop` is set, as the
    session's sink for the screen: each step's events become messages, a frame's numbers and
    picture are sent as often as the UI can use them; the voice, the bell and the preview are
    the session's sinks too, wired as for the headless run (`presenting`)."""

    def __init__(
        self,
        workout: Session,
        target: MessagePump,
        controls: LoopControls,
        *,
        record: str | None = None,
        voice: Voice | None = None,
        in_block: bool = False,
        bell: bool = False,
    ) -> None:
        """`voice` hears each step's events, and `bell` rings for them, as in the headless
        runs (`in_block`: the session is a block of a workout plan)."""
        self.workout, self.target, self.controls = workout, target, controls
        self.output = AnnotatedOutput(workout.spec, workout.source.fps, record)
        self._told_no_preview = False
        self._next_update = self._next_picture = 0.0
        self._last: FrameResult | None = None
        self._last_pictured = False
        self._last_posted = False
        shown = presenting(
            voice=voice,
            in_block=in_block,
            ring=self._ring if bell else None,
            output=self.output,
            window=controls.preview.is_set,
            lost=self._no_preview,
        )
        workout.sinks += [self, *shown]

    def run(self) -> None:
        summary, error = None, None
        try:
            summary = self.workout.run(self.controls.stop, self.controls.pause)
        except ReptrackError as exc:
            error = exc
            summary = self.workout.finished
        finally:
            self.output.close()
        self.target.post_message(SessionEnded(summary, error))

    # -- the session's sink -------------------------------------------------------------
    def frame(self, r: FrameResult) -> None:
        self._tell(r)
        if r.frame is None:
            return
        self._picture(r)
        now = time.monotonic()
        self._last_posted = now >= self._next_update or bool(r.events)
        if self._last_posted:
            self._next_update = now + 1.0 / UI_UPDATES_PER_SECOND
            self.target.post_message(FrameProcessed(r))

    def close(self, status: str, reason: str | None) -> None:
        """The screen ends on the last frame, its numbers and its picture."""
        if self._last is not None and not self._last_posted:
            self.target.post_message(FrameProcessed(self._last))
        if self._last is not None and not self._last_pictured:
            self._picture(self._last, now=True)

    def notices(self) -> list[str]:
        return []

    def _tell(self, r: FrameResult) -> None:
        """Post what the screen shows or says of a step's events."""
        post = self.target.post_message
        # the session's reps after this step (a step caught up on is told after the counter
        # has counted further)
        reps = tuple(self.workout.counter.reps[: r.count])
        for e in r.events:
            if isinstance(e, RepCompleted):
                post(RepCounted(e.rep, r.count, r.set_reps, reps))
            elif isinstance(e, RepUndone):
                post(RepTakenBack(e.rep, r.count, r.set_reps, reps))
            elif isinstance(e, FormWarning):
                post(FormWarned(e))
            elif isinstance(e, RuleUnjudged | SinkNotice):
                post(RuleNotChecked(e.message))
            elif isinstance(e, SetStarted | SetDone | RestStarted | RestOver | WorkoutDone):
                post(SetMoved(e))
            elif isinstance(e, PoseLost | PoseFound):
                post(PersonSeen(isinstance(e, PoseFound)))
            elif isinstance(e, HoldStarted | HoldTick | HoldEnded):
                post(HoldMoved(e))

    def _ring(self) -> None:
        self.target.post_message(BellRung())  # the UI rings, on its thread

    def _no_preview(self, problem: str | None) -> None:
        self.controls.preview.clear()
        if problem and not self._told_no_preview:
            self._told_no_preview = True
            self.target.post_message(PreviewUnavailable(problem))

    def _picture(self, r: FrameResult, *, now: bool = False) -> None:
        self._last, self._last_pictured = r, False
        size = self.controls.view_size
        clock = time.monotonic()
        if size is None or (clock < self._next_picture and not now):
            return
        self._next_picture = clock + 1.0 / VIEW_UPDATES_PER_SECOND
        self._last_pictured = True
        assert r.frame is not None
        small = cv2.resize(r.frame.image, size, interpolation=cv2.INTER_AREA)
        # 16 levels a channel: neighbouring cells of a wall or a floor come out the same, so
        # the terminal is sent runs of one colour instead of a colour a cell.
        rgb = np.bitwise_and(
            cv2.cvtColor(self.output.overlay.draw(r, small), cv2.COLOR_BGR2RGB), 0xF0
        )
        self.target.post_message(FramePictured(PILImage.fromarray(rgb)))
