"""The session in the SQLite store, written as it happens: the sink that keeps every rep, and
keeps it when another program holds the database (`unsaved`)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING

from reptrack.errors import StoreError
from reptrack.exercise.events import (
    FormWarning,
    Hold,
    HoldEnded,
    HoldStarted,
    HoldTick,
    RepCompleted,
)
from reptrack.exercise.measure import Sample
from reptrack.exercise.spec import ExerciseSpec
from reptrack.session.sets import RepUndone, SetStarted
from reptrack.sinks.unsaved import Op, apply, hold_op, import_saved, rep_op, save
from reptrack.store import LOCK_TIMEOUT, Store

if TYPE_CHECKING:
    from reptrack.session.results import FrameResult

SAMPLE_FLUSH_SECONDS = 0.5
IN_SESSION_LOCK_WAIT = 0.2  # seconds a write waits for a lock while the camera loop runs
LOCKED_RETRY_SECONDS = 1.0
FINAL_LOCK_WAIT = 15.0  # at the end of a session, before the writes go to a side file


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
        self._first_t: float | None = None  # the stream's time of the first pose
        self._last_t = 0.0  # ...and of the latest
        store.lock_wait(IN_SESSION_LOCK_WAIT)
        self._drain()

    def frame(self, result: FrameResult) -> None:
        if result.sample is not None:
            self._samples.append((result.t, result.sample))
            if self._first_t is None:
                self._first_t = result.t
            self._last_t = result.t
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
        seconds = None if self._first_t is None else round(self._last_t - self._first_t, 3)
        self._backlog.append({"op": "finish", "status": status, "reason": reason,
                              "seconds": seconds})  # fmt: skip
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
