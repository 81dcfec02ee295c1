"""Logs another program can follow as a session happens: a CSV line per rep (`--log-csv`),
and every event as a JSON line (`--log-jsonl`), each flushed as it is written."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from reptrack.errors import ReptrackError
from reptrack.exercise.events import HoldEnded, RepCompleted
from reptrack.session.sets import RepUndone, SetStarted

if TYPE_CHECKING:
    from reptrack.session.results import FrameResult


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
