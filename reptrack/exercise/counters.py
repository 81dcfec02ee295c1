"""Any exercise's counter: the rep counter for reps, the hold timer for a timed hold, and
the one way a recorded stream is run through either (a replay, a labelled video, a
demonstration)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from reptrack.exercise.events import Event, Hold, Rep
from reptrack.exercise.hold_timer import HoldTimer
from reptrack.exercise.measure import Sample
from reptrack.exercise.rep_counter import FIT_EVERY, RepCounter
from reptrack.exercise.spec import ExerciseSpec


class Counting(Protocol):
    """What the session runner, the recognizer and the replays drive: a counter of reps and
    a hold's timer alike, so that none of them asks which one it has."""

    spec: ExerciseSpec
    reps: list[Rep]

    @property
    def count(self) -> int: ...

    @property
    def active(self) -> str: ...

    @property
    def present(self) -> bool: ...

    def phase(self) -> str | None: ...

    def update(self, t: float, sample: Sample) -> list[Event]: ...

    def finish(self, t: float) -> list[Event]: ...

    def reset(self) -> None: ...

    def undo(self) -> Rep | None: ...

    def amount(self) -> float:
        """How much was done: reps counted, or a hold's seconds in position."""
        ...

    def set_held(self, t: float) -> float | None:
        """A hold's seconds in position in the current set; None for a counter of reps."""
        ...

    def timed_holds(self) -> list[Hold] | None:
        """The holds timed; None for a counter of reps."""
        ...

    def shown_value(self, sample: Sample, angle: str) -> float:
        """`angle` as the live screen shows it."""
        ...


def make(
    spec: ExerciseSpec, side: str | None = None, *, fit_every: float = FIT_EVERY
) -> RepCounter | HoldTimer:
    """The counter `spec` needs: a hold timer for a timed hold, else a rep counter (which
    fits its thresholds to the person at most every `fit_every` seconds)."""
    return HoldTimer(spec, side) if spec.is_hold else RepCounter(spec, side, fit_every=fit_every)


def replay(
    spec: ExerciseSpec,
    samples: Iterable[tuple[float, Sample]],
    *,
    side: str | None = None,
    set_starts: Iterable[float] = (),
) -> RepCounter | HoldTimer:
    """Run a recorded angle stream through a fresh counter, starting sets where it did live."""
    counter = make(spec, side)
    run(counter, samples, set_starts=set_starts)
    return counter


def run(
    counter: Counting,
    samples: Iterable[tuple[float, Sample]],
    *,
    set_starts: Iterable[float] = (),
) -> list[Event]:
    """Feed a stream through `counter` and end it, as a live session does: the one way a
    recorded session, a labelled video or a demonstration is counted. Returns the events."""
    boundaries = sorted(t for t in set_starts if t > 0)
    events: list[Event] = []
    t = 0.0
    for t, s in samples:
        while boundaries and t >= boundaries[0]:
            boundaries.pop(0)
            counter.reset()
        events += counter.update(t, s)
    events += counter.finish(t)  # as the live session did when it ended
    return events
