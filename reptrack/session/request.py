"""What the user asked for (a Request: exercise, source, backend, targets, log), checked, and the
Session opened from it: exercise, pose model, source and store, or one clear error."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reptrack.errors import ReptrackError
from reptrack.exercise.measure import support_notes
from reptrack.exercise.spec import ExerciseSpec
from reptrack.files import check_output
from reptrack.pose import backends
from reptrack.pose.backends import logged_model
from reptrack.pose.types import PoseEstimator
from reptrack.session.engine import Session, SessionSettings
from reptrack.sinks import Guarded, Sink
from reptrack.sinks.logs import CsvRepLog, JsonlEventLog
from reptrack.sinks.store import StoreSink
from reptrack.store import Store
from reptrack.video.sources import FrameSource

MAX_REST_SECONDS = 3600.0
MAX_PLANNED = 1000  # reps in a set, or sets in a session
MAX_TARGET_SECONDS = 3600.0  # a hold's target time


def check_planned(what: str, value: int | None) -> int | None:
    """A planned count of reps or sets: a whole number from 1, or None for open-ended."""
    if value is not None and not 1 <= value <= MAX_PLANNED:
        raise ReptrackError(f"{what} must be 1 to {MAX_PLANNED} (or left out), not {value}")
    return value


def check_target_seconds(value: float | None) -> float | None:
    """A hold's target time: over 0 and at most an hour, or None for open-ended."""
    if value is not None and not 0 < value <= MAX_TARGET_SECONDS:  # also refuses nan
        raise ReptrackError(
            f"target seconds must be over 0 and at most {MAX_TARGET_SECONDS:g}, not {value:g}"
        )
    return value


def check_rest(value: float) -> float:
    if not 0 <= value <= MAX_REST_SECONDS:  # also refuses nan
        raise ReptrackError(f"rest must be 0 to {MAX_REST_SECONDS:g} seconds, not {value:g}")
    return value


@dataclass(frozen=True)
class Request:
    """What the user asked for: an exercise, a source, a backend, the targets, the log.

    Raises ReptrackError when a number cannot work (the CLI and the home screen both build
    one, so both are checked here)."""

    exercise: str  # a name (`squat`) or the path of an exercise TOML file
    source: str = "0"
    backend: str = "blazepose"
    pose: Mapping[str, Any] = field(default_factory=dict)  # the backend's options (registry)
    side: str | None = None
    target_reps: int | None = None
    sets: int | None = None
    rest: float = 60.0
    log_csv: str | None = None  # a line per rep, written as it is counted
    log_jsonl: str | None = None  # every event as a JSON line, as it happens
    db: str | None = None
    save: bool = True
    target_seconds: float | None = None  # a timed hold's target per set

    def __post_init__(self) -> None:
        check_planned("target reps", self.target_reps)
        check_planned("sets", self.sets)
        check_rest(self.rest)
        check_target_seconds(self.target_seconds)

    def check_targets(self, spec: ExerciseSpec) -> None:
        """A target of the kind the exercise has: seconds for a hold, reps for the others."""
        if spec.is_hold and self.target_reps is not None:
            raise ReptrackError(
                f"{spec.name} is a timed hold: it has no reps to target",
                hint="set the time to hold with --target-seconds",
            )
        if not spec.is_hold and self.target_seconds is not None:
            raise ReptrackError(
                f"{spec.name} counts reps: --target-seconds is for timed holds "
                "(plank, side_plank, wall_sit)",
                hint="set the reps per set with --target-reps",
            )


def open_outputs(
    opened: contextlib.ExitStack, request: Request
) -> tuple[Store | None, list[Sink], FrameSource]:
    """The store (unless not saving), the logs (--log-csv, --log-jsonl) and the source a
    request names, each closed by `opened` if a later step fails: one session's, or a run's.
    A log is never one of the files the session reads, nor the log before it."""
    from reptrack.video.sources import open_source

    store = None if not request.save else Store(request.db)
    if store is not None:
        opened.callback(store.close)
    sinks: list[Sink] = []
    inputs = [request.source, store.path if store else None]
    logs = (
        (request.log_csv, "--log-csv", ".csv", CsvRepLog, "the rep log"),
        (request.log_jsonl, "--log-jsonl", ".jsonl", JsonlEventLog, "the event log"),
    )
    for path, option, suffix, kind, name in logs:
        if path is None:
            continue
        log = kind(check_output(path, what=option, suffixes=(suffix,), inputs=inputs))
        opened.callback(log.close, "interrupted", None)
        sinks.append(Guarded(log, name))
        inputs.append(path)
    source = open_source(request.source)
    opened.callback(source.close)
    return store, sinks, source


def open_session(
    source: FrameSource,
    estimator: PoseEstimator,
    spec: ExerciseSpec,
    settings: SessionSettings = SessionSettings(),
    *,
    store: Store | None = None,
    backend: str = "blazepose",
    model: str = "full",
    sinks: Iterable[Sink] = (),
    engine: type[Session] = Session,
) -> Session:
    """A session of `spec` on the engine, the one way one is assembled (a single exercise, a
    plan's block, a set `reptrack auto` names): the store's session opened first when
    saving (what earlier sessions left unsaved goes in, and the notes say so), then `sinks`.
    (`engine`: a test's stand-in that reports fixed speed figures.)"""
    logged = None
    if store is not None:
        logged = StoreSink.start(store, spec, source.description, backend=backend, model=model,
                                 target_reps=settings.target_reps,
                                 planned_sets=settings.planned_sets, side=settings.side,
                                 target_seconds=settings.target_seconds,
                                 block=settings.block)  # fmt: skip
    session = engine(source, estimator, spec, settings,
                     sinks=[*([logged] if logged else []), *sinks],
                     session_id=logged.session_id if logged else None)  # fmt: skip
    if logged is not None:
        session.notes += logged.imported  # what a lock kept out of earlier sessions
    return session


def open_exercise(request: Request) -> Session:
    """Load the exercise, the pose model, the source and the store; raises ReptrackError with
    a message for the user when one of them is not right. Nothing is left open on failure."""
    from reptrack.exercise import spec as specs

    spec = specs.load(request.exercise)
    request.check_targets(spec)
    estimator = backends.make_estimator(request.backend, request.pose)
    notes = support_notes(spec, estimator.keypoints, estimator.title)
    if estimator.note:
        notes.append(estimator.note)
    settings = SessionSettings(request.side, request.target_reps, request.sets, request.rest,
                               request.target_seconds)  # fmt: skip
    model = logged_model(request.backend, request.pose)
    with contextlib.ExitStack() as opened:  # closes what was opened if a later step fails
        store, sinks, source = open_outputs(opened, request)
        session = open_session(source, estimator, spec, settings, store=store,
                               backend=request.backend, model=model, sinks=sinks)  # fmt: skip
        opened.pop_all()  # the session owns them now
    session.notes += notes
    return session
