"""Where a session's events go: each output is a sink that receives every frame's sample and
events, in stream order, from the session runner (`Workout`), which knows none of them.

Adding an output is one class here (or beside what it writes to) and one line where the
session is assembled (`plan.open_workout`). The TUI, the voice and the preview receive the
same events through the runner's `on_frame` callback, on their own threads.
"""

from __future__ import annotations

import csv
import math
import time
from pathlib import Path
from typing import Protocol

from reptrack.errors import ReptrackError
from reptrack.exercise.events import Event, FormWarning, RepCompleted
from reptrack.exercise.measure import Sample
from reptrack.sets import RepUndone, SetStarted
from reptrack.store import Store

SAMPLE_FLUSH_SECONDS = 0.5


class Sink(Protocol):
    def frame(self, t: float, sample: Sample | None, events: list[Event]) -> None:
        """One frame's sample (None for what the end of the stream causes) and events."""
        ...

    def close(self, status: str, reason: str | None) -> None:
        """The session ended (`status`: completed or interrupted; `reason`: why, if early)."""
        ...


class StoreSink:
    """The session in the SQLite store: each rep committed as it is counted, the angle stream
    in batches, warnings, set starts and undone reps; a crash loses at most the rep in
    progress."""

    def __init__(self, store: Store, session_id: int) -> None:
        self.store, self.session_id = store, session_id
        self.set_number = 1
        self._pending: list[tuple[float, Sample]] = []
        self._last_flush = time.monotonic()
        store.start_set(session_id, 1, 0.0)

    def frame(self, t: float, sample: Sample | None, events: list[Event]) -> None:
        if sample is not None:
            self._pending.append((t, sample))
        for e in events:
            if isinstance(e, SetStarted):
                self.flush()  # a replay resets the counter at the set's first sample
                self.set_number = e.number
                self.store.start_set(self.session_id, e.number, e.t)
            elif isinstance(e, RepCompleted):
                self.flush()
                self.store.add_rep(self.session_id, e.rep, self.set_number)
            elif isinstance(e, RepUndone):
                self.store.remove_last_rep(self.session_id)
            elif isinstance(e, FormWarning):
                self.store.add_warning(self.session_id, e)
        if time.monotonic() - self._last_flush >= SAMPLE_FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self.store.add_samples(self.session_id, self._pending)
        self._pending = []
        self._last_flush = time.monotonic()

    def close(self, status: str, reason: str | None) -> None:
        self.flush()
        self.store.finish(self.session_id, status, reason)


CSV_COLUMNS = ("t", "event", "set", "rep", "side", "duration", "range_of_motion", "counted_by",
               "flags")  # fmt: skip


class CsvRepLog:
    """`--log-csv FILE`: a line per rep as it is counted (and per rep undone), flushed at once,
    so another program can follow the set as it happens (`tail -f`)."""

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

    def frame(self, t: float, sample: Sample | None, events: list[Event]) -> None:
        for e in events:
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

    def close(self, status: str, reason: str | None) -> None:
        self.file.close()
