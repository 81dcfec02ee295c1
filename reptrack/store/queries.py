"""Reading the session log back. What another tool edited by hand (a flag list that is not
JSON, a number that is text, a dropped table) is read as empty where it can be, noted in
`damage` with its table, row and session, and refused with a clear error where it cannot."""

from __future__ import annotations

import functools
import json
import math
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from reptrack.errors import StoreError

T = TypeVar("T")
MAX_ID = 2**63 - 1  # SQLite's largest integer key


def session_filter(
    exercise: str | None, since: str | None, table: str = ""
) -> tuple[str | None, list[str]]:
    """The SQL condition (None: all) and its arguments for sessions of `exercise` started on or
    after `since`; `table` qualifies the columns ("s" for `s.exercise`)."""
    prefix = f"{table}." if table else ""
    where, args = [], []
    if exercise:
        where.append(f"{prefix}exercise = ?")
        args.append(exercise)
    if since:
        where.append(f"{prefix}started_at >= ?")
        args.append(since)
    return " AND ".join(where) or None, args


def damaged(path: Path | str, exc: sqlite3.DatabaseError) -> StoreError:
    """The one message for a session database with a page SQLite cannot read."""
    return StoreError(
        f"the session database {path} is damaged ({exc})",
        hint=f"restore it from a backup; `sqlite3 {path} .recover | sqlite3 NEW.db` "
        "saves what can still be read, and --db NEW.db uses it",
    )


def _reading(method: Callable[..., T]) -> Callable[..., T]:
    """A query whose file turns out damaged under it (a page SQLite cannot read) raises a
    StoreError that names the file and the way out, not sqlite3's own error."""

    @functools.wraps(method)
    def read(self: Queries, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            if "malformed" not in str(exc) and "not a database" not in str(exc):
                raise
            raise damaged(self.path, exc) from None

    return read


class Queries:
    """The read side of the Store (which provides `db`, `path` and `damage`)."""

    db: sqlite_utils.Database
    path: Path
    damage: list[str]

    @_reading
    def sessions(self, exercise: str | None = None, since: str | None = None) -> list[dict]:
        where, args = session_filter(exercise, since)
        rows = self.db.table("sessions").rows_where(
            where, args, order_by="started_at DESC, id DESC"
        )
        return [dict(r) for r in rows]

    @_reading
    def session(self, session_id: int) -> dict:
        missing = StoreError(
            f"no session with id {session_id}", hint="`reptrack history` lists the sessions"
        )
        if not 0 < session_id <= MAX_ID:
            raise missing
        try:
            return dict(self.db.table("sessions").get(session_id))
        except sqlite_utils.db.NotFoundError:
            raise missing from None

    def _json(self, value: Any, kind: type, where: str) -> Any:
        """A JSON column read back; what a hand edit damaged is noted and read as empty."""
        try:
            parsed = json.loads(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if not isinstance(parsed, kind):
            self.damage.append(f"{where} is not a JSON {kind.__name__}: {value!r}; read as empty")
            return kind()
        return parsed

    @_reading
    def reps(self, session_id: int) -> list[dict]:
        """The session's reps; a damaged value is read as empty and noted in `damage`."""
        rows = self.db.table("reps").rows_where("session_id = ?", [session_id], order_by="n")
        out = []
        for r in rows:
            where = f"reps row {r['id']} (session {session_id}, rep {r['n']})"
            flags = self._json(r["flags"], list, f"{where}: flags")
            if not all(isinstance(f, str) for f in flags):
                self.damage.append(f"{where}: flags holds something other than names")
                flags = [str(f) for f in flags]
            measures = self._json(r["measures"], dict, f"{where}: measures")
            out.append({**r, "flags": flags, "measures": measures})
        return out

    @_reading
    def workouts(self) -> list[dict]:
        """Every workout, newest first, with how many blocks it ran."""
        rows = self.db.execute(
            "SELECT w.*, COUNT(s.id) AS blocks FROM workouts w "
            "LEFT JOIN sessions s ON s.workout_id = w.id GROUP BY w.id "
            "ORDER BY w.started_at DESC, w.id DESC"
        )
        names = [d[0] for d in rows.description]
        return [dict(zip(names, r, strict=True)) for r in rows.fetchall()]

    @_reading
    def workout(self, workout_id: int) -> tuple[dict, list[dict]]:
        """A workout and its blocks' sessions, in the order they ran."""
        missing = StoreError(
            f"no workout with id {workout_id}", hint="`reptrack history workouts` lists them"
        )
        if not 0 < workout_id <= MAX_ID:
            raise missing
        try:
            row = dict(self.db.table("workouts").get(workout_id))
        except sqlite_utils.db.NotFoundError:
            raise missing from None
        blocks = self.db.table("sessions").rows_where(
            "workout_id = ?", [workout_id], order_by="block, id"
        )
        return row, [dict(b) for b in blocks]

    @_reading
    def holds(self, session_id: int) -> list[dict]:
        """A timed hold's stretches in position; damaged faults are read as none, noted."""
        rows = self.db.table("holds").rows_where("session_id = ?", [session_id], order_by="n")
        out = []
        for r in rows:
            where = f"holds row (session {session_id}, hold {r['n']})"
            faults = self._json(r["faults"], dict, f"{where}: faults")
            if not all(isinstance(v, int | float) for v in faults.values()):
                self.damage.append(f"{where}: faults holds something other than seconds")
                faults = {k: v for k, v in faults.items() if isinstance(v, int | float)}
            out.append({**r, "faults": faults})
        return out

    @_reading
    def form_events(self, session_id: int) -> list[dict]:
        return list(
            self.db.table("form_events").rows_where("session_id = ?", [session_id], order_by="t")
        )

    @_reading
    def samples(self, session_id: int) -> list[tuple[float, dict]]:
        """The session's angle stream; rows damaged by hand are skipped and noted."""
        try:
            rows = self.db.execute(
                "SELECT rowid, t, data FROM samples WHERE session_id = ? ORDER BY t", [session_id]
            ).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(
                f"{self.path}: cannot read the angle stream ({exc})",
                hint="the samples table was changed by another tool; sessions without their "
                "angle stream cannot be re-scored",
            ) from None
        out = []
        for rowid, t, data in rows:
            values = self._json(data, dict, f"samples row {rowid} (session {session_id})")
            if not isinstance(t, int | float) or not all(
                isinstance(v, int | float) or v is None for v in values.values()
            ):
                self.damage.append(f"samples row {rowid} (session {session_id}) is not numbers")
                continue
            out.append(
                (float(t), {k: math.nan if v is None else float(v) for k, v in values.items()})
            )
        return out

    @_reading
    def set_starts(self, session_id: int) -> list[tuple[int, float]]:
        """(number, start time) of each set recorded for the session, in order."""
        return [
            (r["number"], r["t"])
            for r in self.db.table("sets").rows_where(
                "session_id = ?", [session_id], order_by="number"
            )
        ]
