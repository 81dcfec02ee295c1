"""`reptrack auto`: the exercise recognised from the pose stream, a set of each exercise the
person does, one after another, over one source and one pose model, saved as one workout.

Until an exercise is named the runner only watches (`recognition.Recognizer`). Once one is,
a session of it starts on the session engine (`Session`) and first counts the frames watched
while deciding, so no rep is lost. The recognizer goes on watching beside it, from the last
moment the set was seen going on (its last rep, or the hold named again): when it names
another exercise there, that set is closed and one of the new exercise starts, counting from
where the new movement began. (A hold goes on while the recognizer names it again.) The TUI
and the headless mode both drive it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from reptrack.exercise.events import RepCompleted
from reptrack.exercise.recognition import Recognition, Recognizer
from reptrack.exercise.spec import ExerciseSpec
from reptrack.pose.types import PoseEstimator
from reptrack.session.engine import Session, SessionSettings
from reptrack.session.request import Request
from reptrack.session.results import FrameResult, Summary
from reptrack.session.runs import SeveralSessions, open_run
from reptrack.sinks import Calls
from reptrack.video.sources import FrameSource

WORKOUT_NAME = "auto"  # the name the history gives a workout of recognised sets
ANY_EXERCISE = "(any)"  # what a Request names for its exercise to be recognised
# A set named again keeps watching the last seconds: another exercise's first rep may be
# under way (a push-up begun from a plank).
REWIND_SECONDS = 4.0


def follow(recognizer: Recognizer, workout: Session, result: FrameResult) -> Recognition | None:
    """Watch a frame of a running set for another exercise: named, it is returned (the set
    is over), else None. The recognizer watches from the set's last rep, or, for a hold,
    from when it was last named again (keeping REWIND_SECONDS); a hold is also over once
    the body moves (a rep counted)."""
    if any(isinstance(e, RepCompleted) for e in result.events):  # the set goes on
        recognizer.restart()
        return None
    named = recognizer.update(result.t, result.pose)
    if workout.spec.is_hold and recognizer.moving(-1.0):
        return named or Recognition(None, None, None)  # a hold is still: moving, it is over
    if named is not None and named.exercise == workout.spec.name:  # still at it
        recognizer.restart(keep=REWIND_SECONDS)
        return None
    return named


class AutoRun(SeveralSessions):
    """One run of recognition and counting from `source` through `estimator`, among
    `candidates`; `store` gets a workout, and a session per set."""

    def __init__(
        self,
        candidates: Iterable[ExerciseSpec],
        source: FrameSource,
        estimator: PoseEstimator,
        **shared: Any,
    ) -> None:
        """`shared`: the store, backend, model, side and sinks (`SeveralSessions`)."""
        super().__init__(source, estimator, (WORKOUT_NAME, "Recognised exercises"), **shared)
        self.specs = {s.name: s for s in candidates}
        self.recognizer = Recognizer(self.specs.values())
        self.source_ended = False
        self._next: Recognition | None = None  # named while a set ran: the next set's
        self._tail: Recognition | None = None  # named as the stream ended: the last set's

    def watch(self, stop: threading.Event | None = None) -> Recognition | None:
        """Frames, only watched, until an exercise is named; None when the source ends (or
        `stop` is set) with nothing named."""
        while stop is None or not stop.is_set():
            frame = self.source.read()
            if frame is None:
                self.source_ended = True
                return self.recognizer.finish(whole=not self.summaries)
            pose = self.estimator.estimate(frame.image, frame.timestamp)
            if named := self.recognizer.update(frame.timestamp, pose):
                return named
        return None

    @property
    def pending(self) -> bool:
        """Has a next set been named already (it starts without watching)?"""
        return self._next is not None or self._tail is not None

    def next_set(self, stop: threading.Event | None = None) -> Session | None:
        """The session of the next set: of the exercise named while the last one ran, or
        once one is named; None when the source ends or `stop` is set first. (Watching can
        take a while: the TUI calls this off its own thread.)"""
        if self._tail is not None:  # the stream ended in a set: counted from what was watched
            workout = self.start(self._tail)
            self._tail, workout.source_ended = None, True
            return workout
        if self.source_ended or (stop is not None and stop.is_set()):
            return None
        named = self._next or self.watch(stop)
        self._next = None
        if named is None or named.exercise is None:
            return None
        return self.start(named)

    def start(self, named: Recognition) -> Session:
        """A set of the exercise named, which first counts the frames watched for it."""
        assert named.exercise is not None
        settings = SessionSettings(self.side, block=(self.workout_id or 0, len(self.summaries) + 1))
        workout = self.open(self.specs[named.exercise], settings)
        workout.catch_up(self.recognizer.poses)
        self.recognizer.restart()
        workout.sinks.append(Calls(lambda result: self._follow(workout, result), frames_only=True))
        return workout

    def ended(self, workout: Session, summary: Summary) -> None:
        """A set has ended (its session saved): if the stream ended too, and on another
        exercise, that is one more set (`next_set` gives it)."""
        self.summaries.append(summary)
        if not workout.source_ended or self._tail is not None:
            return
        self.source_ended = True
        tail = self._next or self.recognizer.finish(whole=False)
        self._next = None
        if tail is not None and tail.exercise not in (None, workout.spec.name):
            self._tail = tail

    def _follow(self, workout: Session, result: FrameResult) -> None:
        """Watch a frame of a running set: another exercise named closes it."""
        if self._next is not None:  # decided: the frames until the set closes are the next's
            self.recognizer.poses.append((result.t, result.pose))
        elif named := follow(self.recognizer, workout, result):
            if named.exercise is not None:  # else a hold broken: watch again
                self._next = named
            workout.request("next_block")

    def run(
        self,
        stop: threading.Event | None = None,
        on_set: Callable[[Session], None] = lambda w: None,
    ) -> list[Summary]:
        """Watch, then count each exercise named, until the source ends or `stop` is set;
        `on_set` hears of each set as it begins. Each set's session tells `sinks`."""
        try:
            while (workout := self.next_set(stop)) is not None:
                on_set(workout)
                # the last set, once the stream is over, has no frames to run
                ended = workout.source_ended
                summary = workout.finish() if ended else workout.run(stop)
                self.ended(workout, summary)
        finally:
            self.close()
        return self.summaries

    def to_json(self) -> dict:
        return {
            "workout_id": self.workout_id,
            "sets": self.sessions_json("set"),
        }


def candidates() -> tuple[list[ExerciseSpec], list[str]]:
    """Every exercise recognition chooses among, shipped and learned, and a note for each
    file that cannot be read (it is left out, not the end of the run)."""
    from reptrack.errors import ReptrackError
    from reptrack.exercise import spec as specs

    found, notes = [], []
    for name in specs.available():
        try:
            found.append(specs.load(name))
        except ReptrackError as exc:
            notes.append(f"{name} is left out of recognition: {exc.message.splitlines()[0]}")
    return found, notes


def open_auto_run(asked: Request) -> AutoRun:
    """The run of recognition and counting from the source and pose model `asked` names
    (its exercise is left to recognition); one clear error, and nothing left open, when one
    of them is not right."""
    among, notes = candidates()
    run = open_run(asked, lambda source, estimator, **shared: AutoRun(
        among, source, estimator, **shared))  # fmt: skip
    run.notes[:0] = notes
    return run
