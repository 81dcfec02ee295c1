"""The session log: one SQLite file (through sqlite-utils) with sessions, reps, form events and
the per-frame angle stream. WAL mode; each rep is committed as it completes, the angle
stream in small batches, so a crash loses at most the rep in progress.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from reptrack import paths
from reptrack.errors import StoreError
from reptrack.exercise.counter import FormWarning, Rep

SCHEMA_VERSION = 2
LOCK_TIMEOUT = 5.0  # seconds to wait for another process's write lock


def default_path() -> Path:
    return Path(os.environ.get("REPTRACK_DB") or paths.data_dir() / "reptrack.db")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _migrate_1(db: sqlite_utils.Database) -> None:
    db["sessions"].create(
        {
            "id": int,
            "exercise": str,
            "definition": str,
            "source": str,
            "backend": str,
            "model": str,
            "started_at": str,
            "ended_at": str,
            "status": str,
            "reps": int,
            "good_reps": int,
            "pid": int,
            "host": str,
            "end_reason": str,
        },
        pk="id",
        not_null={"exercise", "started_at", "status"},
    )
    db["reps"].create(
        {
            "id": int,
            "session_id": int,
            "n": int,
            "side": str,
            "start": float,
            "end": float,
            "duration": float,
            "time_down": float,
            "time_up": float,
            "extreme": float,
            "start_angle": float,
            "range_of_motion": float,
            "flags": str,
            "measures": str,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions")],
    )
    db["form_events"].create(
        {
            "id": int,
            "session_id": int,
            "t": float,
            "side": str,
            "rule": str,
            "message": str,
            "severity": str,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions")],
    )
    db["samples"].create(
        {"session_id": int, "t": float, "data": str},
        foreign_keys=[("session_id", "sessions")],
    )
    db["reps"].create_index(["session_id"])
    db["form_events"].create_index(["session_id"])
    db["samples"].create_index(["session_id", "t"])


def _migrate_2(db: sqlite_utils.Database) -> None:
    """Sets: the plan a session was started with, when each set began, each rep's set.

    Sessions from version 1 had one set: their reps get set 1.
    """
    db["sessions"].add_column("target_reps", int)
    db["sessions"].add_column("planned_sets", int)
    db["sessions"].add_column("side", str)
    db["reps"].add_column("set_number", int, not_null_default=1)
    db["sets"].create(
        {"session_id": int, "number": int, "t": float},
        pk=("session_id", "number"),
        foreign_keys=[("session_id", "sessions")],
    )


MIGRATIONS = {1: _migrate_1, 2: _migrate_2}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _nan_to_none(value: float) -> float | None:
    return None if value != value else value


class Store:
    """Open (creating and migrating as needed) the session database at `path`."""

    def __init__(self, path: str | Path | None = None, *, memory: bool = False) -> None:
        self.path = Path(path) if path else default_path()
        try:
            if memory:
                conn = sqlite3.connect(":memory:", check_same_thread=False)
            else:
                self._check_location()
                conn = sqlite3.connect(
                    str(self.path), timeout=LOCK_TIMEOUT, check_same_thread=False
                )
            self.db = sqlite_utils.Database(conn)
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                self._migrate(version)  # refuses before anything is written
            if not memory:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate(version)
        except sqlite3.DatabaseError as exc:
            raise self._explain(exc) from None

    def _check_location(self) -> None:
        if self.path.exists() and not self.path.is_file():
            raise StoreError(f"{self.path} is not a file")
        if self.path.exists():
            with self.path.open("rb") as fh:
                head = fh.read(16)
            if head and head != b"SQLite format 3\x00":
                raise StoreError(
                    f"{self.path} is not a reptrack database (not an SQLite file)",
                    hint="point --db (or REPTRACK_DB) at another path; the file was not touched",
                )
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create {self.path.parent}: {exc.strerror}",
                hint="choose a writable place with --db PATH",
            ) from None

    def _explain(self, exc: sqlite3.DatabaseError) -> StoreError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return StoreError(
                f"the database {self.path} is locked by another program",
                hint=f"waited {LOCK_TIMEOUT:g} s; close the other reptrack or tool using it",
            )
        if "readonly" in text or "unable to open" in text:
            return StoreError(
                f"cannot write the database {self.path}: {text}",
                hint="check the permissions, or choose another file with --db PATH",
            )
        if "disk is full" in text or "full" in text:
            return StoreError(
                f"the disk holding {self.path} is full",
                hint="free some space; sessions recorded so far are kept",
            )
        if "not a database" in text or "malformed" in text:
            return StoreError(
                f"{self.path} is damaged or not a reptrack database ({text})",
                hint="point --db at another path; reptrack does not modify this file",
            )
        return StoreError(f"database error in {self.path}: {text}")

    def _migrate(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer reptrack (schema {version}, this one "
                f"knows {SCHEMA_VERSION})",
                hint="upgrade reptrack; the file was left untouched",
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.db.atomic():
                MIGRATIONS[target](self.db)
                self.db.execute(f"PRAGMA user_version={target}")

    def _write(self, fn: Any, *args: Any) -> Any:
        try:
            with self.db.atomic():
                return fn(*args)
        except sqlite3.DatabaseError as exc:
            raise self._explain(exc) from None

    # -- sessions ----------------------------------------------------------------------------
    def recover_interrupted(self) -> int:
        """Mark sessions left running by a process that no longer exists as interrupted."""
        host = socket.gethostname()
        stale = [
            row["id"]
            for row in self.db["sessions"].rows_where("status = 'running'")
            if row["host"] != host or not _pid_alive(row["pid"] or 0)
        ]
        for sid in stale:
            self._write(self._close_session, sid, "interrupted", "the process ended unexpectedly")
        return len(stale)

    def start_session(
        self,
        exercise: str,
        definition: str,
        source: str,
        backend: str,
        model: str,
        *,
        target_reps: int | None = None,
        planned_sets: int | None = None,
        side: str | None = None,
    ) -> int:
        row = {
            "exercise": exercise,
            "definition": definition,
            "source": source,
            "backend": backend,
            "model": model,
            "started_at": now(),
            "status": "running",
            "reps": 0,
            "good_reps": 0,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "target_reps": target_reps,
            "planned_sets": planned_sets,
            "side": side,
        }
        return int(self._write(lambda: self.db["sessions"].insert(row).last_pk))

    def add_rep(self, session_id: int, rep: Rep, set_number: int = 1) -> None:
        self._write(self._insert_rep, session_id, rep, set_number)

    def _insert_rep(self, session_id: int, rep: Rep, set_number: int) -> None:
        row = {
            "session_id": session_id,
            "n": rep.number,
            "set_number": set_number,
            "side": rep.side,
            "start": rep.start,
            "end": rep.end,
            "duration": rep.duration,
            "time_down": rep.time_down,
            "time_up": rep.time_up,
            "extreme": rep.extreme,
            "start_angle": rep.start_angle,
            "range_of_motion": rep.range_of_motion,
            "flags": json.dumps(list(rep.flags)),
            "measures": json.dumps({k: _nan_to_none(v) for k, v in rep.measures.items()}),
        }
        self.db["reps"].insert(row)
        self.db.execute(
            "UPDATE sessions SET reps = reps + 1, good_reps = good_reps + ? WHERE id = ?",
            [int(rep.clean), session_id],
        )

    def start_set(self, session_id: int, number: int, t: float) -> None:
        """Set `number` of the session begins at stream time `t` (set 1 begins at 0)."""
        row = {"session_id": session_id, "number": number, "t": t}
        self._write(lambda: self.db["sets"].upsert(row, pk=("session_id", "number")))

    def set_starts(self, session_id: int) -> list[tuple[int, float]]:
        """(number, start time) of each set recorded for the session, in order."""
        return [
            (r["number"], r["t"])
            for r in self.db["sets"].rows_where("session_id = ?", [session_id], order_by="number")
        ]

    def remove_last_rep(self, session_id: int) -> None:
        def write() -> None:
            last = self.db.execute(
                "SELECT id, flags FROM reps WHERE session_id = ? ORDER BY n DESC LIMIT 1",
                [session_id],
            ).fetchone()
            if last:
                self.db.execute("DELETE FROM reps WHERE id = ?", [last[0]])
                clean = int(json.loads(last[1]) == [])
                self.db.execute(
                    "UPDATE sessions SET reps = reps - 1, good_reps = good_reps - ? WHERE id = ?",
                    [clean, session_id],
                )

        self._write(write)

    def add_warning(self, session_id: int, w: FormWarning) -> None:
        row = {
            "session_id": session_id,
            "t": w.t,
            "side": w.side,
            "rule": w.rule,
            "message": w.message,
            "severity": w.severity,
        }
        self._write(lambda: self.db["form_events"].insert(row))

    def add_samples(self, session_id: int, samples: Iterable[tuple[float, dict]]) -> None:
        rows = [
            {
                "session_id": session_id,
                "t": t,
                "data": json.dumps({k: _nan_to_none(v) for k, v in s.items()}),
            }
            for t, s in samples
        ]
        if rows:
            self._write(lambda: self.db["samples"].insert_all(rows, batch_size=500))

    def _close_session(self, session_id: int, status: str, reason: str | None) -> None:
        self.db["sessions"].update(
            session_id, {"status": status, "ended_at": now(), "end_reason": reason}
        )

    def finish(self, session_id: int, status: str = "completed", reason: str | None = None) -> None:
        self._write(self._close_session, session_id, status, reason)

    # -- queries -----------------------------------------------------------------------------
    def sessions(self, exercise: str | None = None, since: str | None = None) -> list[dict]:
        where, args = [], []
        if exercise:
            where.append("exercise = ?")
            args.append(exercise)
        if since:
            where.append("started_at >= ?")
            args.append(since)
        rows = self.db["sessions"].rows_where(
            " AND ".join(where) or None, args, order_by="started_at DESC, id DESC"
        )
        return [dict(r) for r in rows]

    def session(self, session_id: int) -> dict:
        try:
            return dict(self.db["sessions"].get(session_id))
        except sqlite_utils.db.NotFoundError:
            raise StoreError(
                f"no session with id {session_id}", hint="`reptrack history` lists the sessions"
            ) from None

    def reps(self, session_id: int) -> list[dict]:
        rows = self.db["reps"].rows_where("session_id = ?", [session_id], order_by="n")
        return [
            {**r, "flags": json.loads(r["flags"]), "measures": json.loads(r["measures"])}
            for r in rows
        ]

    def form_events(self, session_id: int) -> list[dict]:
        return list(self.db["form_events"].rows_where("session_id = ?", [session_id], order_by="t"))

    def samples(self, session_id: int) -> list[tuple[float, dict]]:
        rows = self.db.execute(
            "SELECT t, data FROM samples WHERE session_id = ? ORDER BY t", [session_id]
        ).fetchall()
        return [
            (t, {k: float("nan") if v is None else v for k, v in json.loads(d).items()})
            for t, d in rows
        ]

    def delete_session(self, session_id: int) -> None:
        def write() -> None:
            for table in ("reps", "form_events", "samples", "sets"):
                self.db.execute(f"DELETE FROM {table} WHERE session_id = ?", [session_id])
            self.db.execute("DELETE FROM sessions WHERE id = ?", [session_id])

        self._write(write)

    def replace_reps(self, session_id: int, reps: list[Rep]) -> None:
        """Store re-scored reps in place of the old ones."""

        starts = self.set_starts(session_id)

        def set_of(rep: Rep) -> int:
            return max([n for n, t in starts if t <= rep.start], default=1)

        def write() -> None:
            self.db.execute("DELETE FROM reps WHERE session_id = ?", [session_id])
            self.db.execute(
                "UPDATE sessions SET reps = 0, good_reps = 0 WHERE id = ?", [session_id]
            )
            for rep in reps:
                self._insert_rep(session_id, rep, set_of(rep))

        self._write(write)  # one transaction: a crash half-way keeps the old reps

    def close(self) -> None:
        self.db.conn.close()
