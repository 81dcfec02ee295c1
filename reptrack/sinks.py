"""Where a session goes: every listener is a sink that receives each step's `FrameResult`
(a frame's picture, pose, sample and events, or events with no frame of their own), in
stream order, on the session loop's thread, from the engine (`Workout`), which knows none of
them: the store, the CSV and JSON-lines logs here; the printer, the voice, the bell and the
preview (`presenting`); the TUI's bridge (`tui.loop`); the recogniser that watches a plan.

Adding an output is one class (here or beside what it writes to) and one line where the
session is assembled (`plan.open_outputs`).
"""

from __future__ import annotations

import csv
import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from reptrack.errors import ReptrackError, StoreError
from reptrack.exercise.events import (
    Event,
    FormWarning,
    Hold,
    HoldEnded,
    HoldStarted,
    HoldTick,
    RepCompleted,
)
from reptrack.exercise.measure import Sample
from reptrack.exercise.spec import ExerciseSpec
from reptrack.results import FrameResult
from reptrack.sets import RepUndone, SetStarted
from reptrack.store import LOCK_TIMEOUT, Store
from reptrack.unsaved import Op, apply, hold_op, import_saved, rep_op, save

SAMPLE_FLUSH_SECONDS = 0.5
IN_SESSION_LOCK_WAIT = 0.2  # seconds a write waits for a lock while the camera loop runs
LOCKED_RETRY_SECONDS = 1.0
FINAL_LOCK_WAIT = 15.0  # at the end of a session, before the writes go to a side file


@dataclass(frozen=True)
class SinkNotice(Event):
    """Something an output wants the person to know (the log is busy, and free again)."""

    message: str


class Sink(Protocol):
    def frame(self, result: FrameResult) -> None:
        """One step of the session: a frame, or (`result.frame` None) events without one."""
        ...

    def close(self, status: str, reason: str | None) -> None:
        """The session ended (`status`: completed or interrupted; `reason`: why, if early)."""
        ...

    def notices(self) -> list[str]:
        """What the person should be told (once each) since the last call."""
        ...


class StoreSink:
    """The session in the SQLite store: each rep committed as it is counted, the angle stream
    in batches, warnings, set starts and undone reps; a crash loses at most the rep in
    progress. A timed hold is written as it starts, again every ten seconds it lasts, and
    when it ends.

    Another program holding the database (a backup, a sync tool) does not stop the set: the
    writes wait in memory and go in when the lock goes, retried every second without making
    the camera loop wait; the person is told once. Still locked at the end of the session,
    they go to a side file that the next start plays back (`unsaved`).
    """

    @classmethod
    def start(
        cls,
        store: Store,
        spec: ExerciseSpec,
        source: str,
        *,
        backend: str,
        model: str,
        target_reps: int | None = None,
        planned_sets: int | None = None,
        side: str | None = None,
        target_seconds: float | None = None,
        block: tuple[int, int] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> StoreSink:
        """A new session in `store`, once what earlier sessions left is in: the writes a lock
        kept out (`imported` says which) and sessions whose process died (interrupted)."""
        imported = import_saved(store)
        store.recover_interrupted()
        session_id = store.start_session(spec.name, spec.text, source, backend, model,
                                         target_reps=target_reps, planned_sets=planned_sets,
                                         side=side, target_seconds=target_seconds,
                                         hold=spec.is_hold, block=block)  # fmt: skip
        sink = cls(store, session_id, clock=clock)
        sink.imported = imported
        return sink

    def __init__(
        self, store: Store, session_id: int, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """`clock` says when to flush the angles and retry a locked database (tests give
        one that follows the stream's time)."""
        self.store, self.session_id, self.clock = store, session_id, clock
        self.imported: list[str] = []
        self.set_number = 1
        self._samples: list[tuple[float, Sample]] = []
        self._last_flush = clock()
        self._backlog: list[Op] = [{"op": "start_set", "number": 1, "t": 0.0}]
        self._hold: HoldStarted | None = None  # the hold in progress
        self._busy = False  # another program holds the database
        self._last_try = -math.inf
        self._notices: list[str] = []
        store.lock_wait(IN_SESSION_LOCK_WAIT)
        self._drain()

    def frame(self, result: FrameResult) -> None:
        if result.sample is not None:
            self._samples.append((result.t, result.sample))
        for e in result.events:
            if isinstance(e, SetStarted):
                self._flush_samples()  # a replay resets the counter at the set's first sample
                self.set_number = e.number
                self._backlog.append({"op": "start_set", "number": e.number, "t": e.t})
            elif isinstance(e, RepCompleted):
                self._flush_samples()
                self._backlog.append(rep_op(e.rep, self.set_number))
            elif isinstance(e, HoldStarted | HoldTick | HoldEnded):
                self._holding(e)
            elif isinstance(e, RepUndone):
                self._backlog.append({"op": "remove_last_rep"})
            elif isinstance(e, FormWarning):
                self._backlog.append({"op": "add_warning", "warning": asdict(e)})
        if self.clock() - self._last_flush >= SAMPLE_FLUSH_SECONDS:
            self._flush_samples()
        self._drain()

    def _holding(self, e: HoldStarted | HoldTick | HoldEnded) -> None:
        """A hold as far as it went: saved as it starts, every tick, and when it ends."""
        if isinstance(e, HoldEnded):
            self._hold = None
            self._flush_samples()
            self._backlog.append(hold_op(e.hold, self.set_number))
            return
        if isinstance(e, HoldStarted):
            self._hold = e
        if self._hold is not None:
            so_far = Hold(self._hold.number, self._hold.start, max(e.t, self._hold.start))
            self._backlog.append(hold_op(so_far, self.set_number))

    def _flush_samples(self) -> None:
        if self._samples:
            self._backlog.append({"op": "add_samples", "samples": self._samples})
        self._samples = []
        self._last_flush = self.clock()

    def _drain(self, *, now: bool = False) -> None:
        """Write what is waiting, in order; while the database is locked, try once a second."""
        if not self._backlog:
            return
        waited = self.clock() - self._last_try
        if self._busy and not now and waited < LOCKED_RETRY_SECONDS:
            return
        self._last_try = self.clock()
        try:
            while self._backlog:
                apply(self.store, self.session_id, self._backlog[0])
                self._backlog.pop(0)
        except StoreError as exc:
            if not exc.locked:
                raise
            if not self._busy:
                self._busy = True
                self._notices.append("the session log is busy (another program has the "
                                     "database): your reps are kept and counted, and saved "
                                     "when it is free")  # fmt: skip
            return
        if self._busy:
            self._busy = False
            self._notices.append("the session log is free again: every rep is saved")

    def notices(self) -> list[str]:
        out, self._notices = self._notices, []
        return out

    def close(self, status: str, reason: str | None) -> None:
        self._flush_samples()
        self._backlog.append({"op": "finish", "status": status, "reason": reason})
        deadline = self.clock() + FINAL_LOCK_WAIT
        while True:  # at least one try, each waiting in SQLite for what is left of the wait
            self.store.lock_wait(max(0.0, min(LOCK_TIMEOUT, deadline - self.clock())))
            self._drain(now=True)
            if not self._backlog or self.clock() >= deadline:
                break
        if self._backlog:
            reps = sum(op["op"] == "add_rep" for op in self._backlog)
            holds = len({op["hold"]["number"] for op in self._backlog if op["op"] == "save_hold"})
            what = f"{holds} holds" if holds and not reps else f"{reps} reps"
            kept = save(self.store, self.session_id, self._backlog)
            self._backlog = []
            self._notices.append(f"the session log stayed busy: {what} are kept in {kept} "
                                 "and go into the database at the next start")  # fmt: skip


CSV_COLUMNS = ("t", "event", "set", "rep", "side", "duration", "range_of_motion", "counted_by",
               "flags")  # fmt: skip


class CsvRepLog:
    """`--log-csv FILE`: a line per rep as it is counted (and per rep undone; a timed hold: a
    line per hold as it ends, its duration the seconds in position), flushed at once, so
    another program can follow the set as it happens (`tail -f`)."""

    def __init__(self, path: Path) -> None:
        try:
            self.file = path.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise ReptrackError(f"cannot write the rep log {path}: {exc.strerror or exc}") from None
        self.path = path
        self.set_number = 1
        self.writer = csv.writer(self.file)
        self._write(CSV_COLUMNS)

    def _write(self, row: tuple | list) -> None:
        try:
            if self.file.closed:  # an undo after the session ended (the TUI allows it)
                self.file = self.path.open("a", encoding="utf-8", newline="")
                self.writer = csv.writer(self.file)
            self.writer.writerow(row)
            self.file.flush()
        except (OSError, ValueError) as exc:
            raise ReptrackError(f"cannot write the rep log {self.path}: {exc}") from None

    def frame(self, result: FrameResult) -> None:
        for e in result.events:
            if isinstance(e, SetStarted):
                self.set_number = e.number
            elif isinstance(e, RepCompleted | RepUndone):
                r = e.rep
                rom = r.range_of_motion
                self._write([
                    f"{e.t:.3f}", "rep" if isinstance(e, RepCompleted) else "undone",
                    self.set_number, r.number, r.side, f"{r.duration:.2f}",
                    f"{rom:.1f}" if math.isfinite(rom) else "", r.counted_by, ";".join(r.flags),
                ])  # fmt: skip
            elif isinstance(e, HoldEnded):  # a hold: its seconds in position, its faults
                h = e.hold
                faults = ";".join(f"{rule}:{s:.1f}s" for rule, s in h.faults.items())
                self._write([f"{e.t:.3f}", "hold", self.set_number, h.number, "",
                             f"{h.seconds:.2f}", "", "", faults])  # fmt: skip

    def close(self, status: str, reason: str | None) -> None:
        self.file.close()

    def notices(self) -> list[str]:
        return []


def _plain(value: object) -> object:
    """A value as JSON holds it: a number that is not finite (a range never measured) is null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class JsonlEventLog:
    """`--log-jsonl FILE`: every event of the session as one JSON object a line, as it happens
    (`{"event": "RepCompleted", "t": 4.2, "rep": {...}}`), flushed at once, so that another
    program can follow everything the session says, not only its reps."""

    def __init__(self, path: Path) -> None:
        try:
            self.file = path.open("w", encoding="utf-8")
        except OSError as exc:
            raise ReptrackError(
                f"cannot write the event log {path}: {exc.strerror or exc}"
            ) from None
        self.path = path

    def _write(self, record: dict) -> None:
        try:
            if self.file.closed:  # an undo after the session ended (the TUI allows it)
                self.file = self.path.open("a", encoding="utf-8")
            self.file.write(json.dumps(_plain(record), ensure_ascii=False) + "\n")
            self.file.flush()
        except (OSError, ValueError) as exc:
            raise ReptrackError(f"cannot write the event log {self.path}: {exc}") from None

    def frame(self, result: FrameResult) -> None:
        for e in result.events:
            self._write({"event": type(e).__name__, **asdict(e)})

    def close(self, status: str, reason: str | None) -> None:
        self._write({"event": "SessionClosed", "status": status, "reason": reason})
        self.file.close()

    def notices(self) -> list[str]:
        return []


class Guarded:
    """A sink whose failure (a disk that fills under a log, a pipe closed) is said once and
    ends only that sink: the session and the other sinks go on."""

    def __init__(self, sink: Sink, name: str) -> None:
        self.sink, self.name = sink, name
        self.failed = False
        self._notices: list[str] = []

    def _failed(self, exc: Exception) -> None:
        if not self.failed:
            self.failed = True
            message = exc.message if isinstance(exc, ReptrackError) else f"{exc}"
            self._notices.append(f"{self.name} stopped: {message}; the session goes on")

    def frame(self, result: FrameResult) -> None:
        if self.failed:
            return
        try:
            self.sink.frame(result)
        except Exception as exc:  # one output's fault is not the session's
            self._failed(exc)

    def close(self, status: str, reason: str | None) -> None:
        """Closed even after it failed (a recording's file is let go); said once."""
        try:
            self.sink.close(status, reason)
        except Exception as exc:
            self._failed(exc)

    def notices(self) -> list[str]:
        told = [] if self.failed else self.sink.notices()
        out, self._notices = [*told, *self._notices], []
        return out


class Calls:
    """A sink that hands each step to a function (a test's probe, a recogniser watching a
    plan's block); `frames_only`: only the steps with a frame."""

    def __init__(self, each: Callable[[FrameResult], None], *, frames_only: bool = False) -> None:
        self.each, self.frames_only = each, frames_only

    def frame(self, result: FrameResult) -> None:
        if result.frame is not None or not self.frames_only:
            self.each(result)

    def close(self, status: str, reason: str | None) -> None:
        pass

    def notices(self) -> list[str]:
        return []
