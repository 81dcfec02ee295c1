"""What a run of several sessions shares (a workout plan's blocks, the sets `reptrack auto`
names): one source and one pose model for all of them, the sinks every session tells, one
workout in the store, and how it is opened from a request with nothing left open on failure.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from reptrack.exercise.spec import ExerciseSpec
from reptrack.pose.types import PoseEstimator
from reptrack.session.engine import Session, SessionSettings
from reptrack.session.request import Request, open_outputs, open_session
from reptrack.session.results import Summary
from reptrack.sinks import Sink
from reptrack.store import Store
from reptrack.video.sources import FrameSource


class SeveralSessions:
    """The sessions of one run, one after another over `source` and `estimator`; `store`
    gets a workout (`workout`: its name and title) and a session each."""

    def __init__(
        self,
        source: FrameSource,
        estimator: PoseEstimator,
        workout: tuple[str, str],
        *,
        store: Store | None = None,
        backend: str = "blazepose",
        model: str = "full",
        side: str | None = None,
        sinks: Iterable[Sink] = (),
    ) -> None:
        self.source, self.estimator, self.store = source, estimator, store
        self.backend, self.model, self.side = backend, model, side
        self.sinks = list(sinks)  # every session's: the logs, and what presents the run
        self.workout_id = store.start_workout(*workout) if store else None
        self.summaries: list[Summary] = []
        self.notes: list[str] = []

    def open(self, spec: ExerciseSpec, settings: SessionSettings) -> Session:
        """The run's next session, of `spec` (its `block` numbered in this workout)."""
        return open_session(self.source, self.estimator, spec, settings, store=self.store,
                            backend=self.backend, model=self.model, sinks=self.sinks)  # fmt: skip

    def close(self) -> None:
        """The source is the run's, not a session's: closed once, at the end."""
        with contextlib.suppress(Exception):
            self.source.close()

    def sessions_json(self, unit: str) -> list[dict]:
        """Each session's summary, numbered as the person was told (`unit`: block or set)."""
        return [{unit: n, **s.to_json()} for n, s in enumerate(self.summaries, 1)]


Run = TypeVar("Run", bound=SeveralSessions)


def open_run(asked: Request, build: Callable[..., Run]) -> Run:
    """Load the pose model, the store, the logs and the source `asked` names once for the
    whole run, and `build(source, estimator, store=, backend=, model=, side=, sinks=)` it;
    one clear error, and nothing left open, when one of them is not right."""
    from reptrack.pose import backends
    from reptrack.pose.backends import logged_model

    estimator = backends.make_estimator(asked.backend, asked.pose)
    with contextlib.ExitStack() as opened:
        store, sinks, source = open_outputs(opened, asked)
        run = build(source, estimator, store=store, backend=asked.backend,
                    model=logged_model(asked.backend, asked.pose), side=asked.side,
                    sinks=sinks)  # fmt: skip
        opened.pop_all()
    if estimator.note:
        run.notes.append(estimator.note)
    return run
