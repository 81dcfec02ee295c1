"""The session log: one SQLite file (through sqlite-utils) with sessions, reps, form events and
the per-frame angle stream. WAL mode; each rep is committed as it completes, the angle
stream in small batches, so a crash loses at most the rep in progress.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from reptrack import paths
from reptrack.errors import StoreError
from reptrack.exercise.events import FormWarning, Hold, Rep
from reptrack.store import opening, schema
from reptrack.store.queries import Queries

LOCK_TIMEOUT = opening.LOCK_TIMEOUT


def default_path() -> Path:
    return Path(os.environ.get("REPTRACK_DB") or paths.data_dir() / "reptrack.db")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


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


class Store(Queries):
    """Open (creating and migrating as needed) the session database at `path`.

    Only an empty file or one of reptrack's is ever written to; `readonly` opens an existing
    one for reading (`history` on a read-only disk) and writes nothing at all.
    """

    def __init__(
        self, path: str | Path | None = None, *, memory: bool = False, readonly: bool = False
    ) -> None:
        self.path = paths.checked(path, "database") if path else default_path()
        self.readonly = readonly
        self.damage: list[str] = []  # rows read back that were not as reptrack wrote them
        try:
            if memory:
                conn = sqlite3.connect(":memory:", check_same_thread=False)
            else:
                opening.check_location(self.path, readonly)
                conn = opening.connect(self.path, readonly)
            self.db = sqlite_utils.Database(conn)
            version = schema.version_to_migrate(conn, self.path)  # reads only
            if missing := schema.missing_tables(conn, version):
                what = f"{self.path} has lost its {', '.join(missing)} table(s)"
                if not readonly:  # writing would recreate them with guessed columns
                    error = StoreError(
                        f"{what}: another tool changed it, so reptrack will not write to it",
                        hint="point --db at another file; history and export can still read it",
                    )
                    error.read_only = True
                    raise error
                self.damage.append(f"{what}: what they held is not shown")
            if readonly:
                if version < schema.SCHEMA_VERSION:
                    raise StoreError(
                        f"{self.path} was written by an older reptrack and cannot be "
                        "updated while it is read-only",
                        hint="open it once where it can be written, to update it",
                    )
                return
            if not memory:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            if version < schema.SCHEMA_VERSION or not self._marked():
                self._write(self._migrate)
        except sqlite3.DatabaseError as exc:
            raise opening.explain(self.path, exc) from None

    @classmethod
    def for_reading(cls, path: str | Path | None = None) -> Store:
        """The database opened for writing where it can be, else read-only (reading needs
        no write access)."""
        try:
            return cls(path)
        except StoreError as exc:
            if not exc.read_only:
                raise
        return cls(path, readonly=True)

    def _migrate(self) -> None:
        """Bring the file to this version's schema, the write lock held. The version is read
        again under the lock: another process opening the same new file at the same moment
        may have created the schema while this one waited for it."""
        schema.migrate(self.db, schema.version_to_migrate(self.db.conn, self.path))

    def _marked(self) -> bool:
        return self.db.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """A write transaction that takes the write lock at once (BEGIN IMMEDIATE).

        A deferred transaction that reads before it writes (as sqlite-utils' inserts do)
        cannot wait for another writer in WAL mode: SQLite fails it at once, busy timeout or
        not. Taking the lock first makes it wait up to LOCK_TIMEOUT like any other.
        """
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def lock_wait(self, seconds: float) -> None:
        """How long a write waits for another program's lock before it gives up."""
        if not self.readonly:
            self.db.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")

    def _write(self, fn: Any, *args: Any) -> Any:
        if self.readonly:
            raise StoreError(f"{self.path} is open read-only: nothing can be saved to it")
        started = time.monotonic()
        try:
            with self._transaction():
                return fn(*args)
        except sqlite3.DatabaseError as exc:
            raise opening.explain(self.path, exc, time.monotonic() - started) from None

    # -- sessions ----------------------------------------------------------------------------
    def recover_interrupted(self) -> int:
        """Mark sessions left running by a process that no longer exists as interrupted."""
        host = socket.gethostname()
        stale = [
            row["id"]
            for row in self.db.table("sessions").rows_where("status = 'running'")
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
        target_seconds: float | None = None,
        hold: bool = False,
        block: tuple[int, int] | None = None,
    ) -> int:
        """A new session; `block` = (workout id, block number) for one block of a workout."""
        row = {
            "workout_id": block[0] if block else None,
            "block": block[1] if block else None,
            "kind": "hold" if hold else "reps",
            "exercise": exercise,
            "definition": definition,
            # text, as any tool reading the file expects: a name's bytes that are not UTF-8
            # (a file from an old camera) as \xNN
            "source": paths.shown(source),
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
            "target_seconds": target_seconds,
        }
        return int(self._write(lambda: self.db.table("sessions").insert(row).last_pk))

    def start_workout(self, plan: str, title: str) -> int:
        """A new workout: the sessions of its blocks name it."""
        row = {"plan": plan, "title": title, "started_at": now()}
        return int(self._write(lambda: self.db.table("workouts").insert(row).last_pk))

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
            "counted_by": rep.counted_by,
        }
        self.db.table("reps").insert(row)
        self.db.execute(
            "UPDATE sessions SET reps = reps + 1, good_reps = good_reps + ? WHERE id = ?",
            [int(rep.clean), session_id],
        )

    def save_hold(self, session_id: int, hold: Hold, set_number: int = 1) -> None:
        """Write a hold (again, as it grows: the one in progress is saved every few seconds,
        so a crash loses at most those), and the session's total time held."""
        self._write(self._upsert_hold, session_id, hold, set_number)

    def _upsert_hold(self, session_id: int, hold: Hold, set_number: int) -> None:
        row = {
            "session_id": session_id,
            "n": hold.number,
            "set_number": set_number,
            "start": hold.start,
            "end": hold.end,
            "seconds": hold.seconds,
            "faults": json.dumps(hold.faults),
        }
        self.db.table("holds").upsert(row, pk=("session_id", "n"))
        self.db.execute(
            "UPDATE sessions SET held_seconds = "
            "(SELECT COALESCE(SUM(seconds), 0) FROM holds WHERE session_id = ?) WHERE id = ?",
            [session_id, session_id],
        )

    def start_set(self, session_id: int, number: int, t: float) -> None:
        """Set `number` of the session begins at stream time `t` (set 1 begins at 0)."""
        row = {"session_id": session_id, "number": number, "t": t}
        self._write(lambda: self.db.table("sets").upsert(row, pk=("session_id", "number")))

    def remove_last_rep(self, session_id: int) -> None:
        def write() -> None:
            last = self.db.execute(
                "SELECT id, flags FROM reps WHERE session_id = ? ORDER BY n DESC LIMIT 1",
                [session_id],
            ).fetchone()
            if last:
                self.db.execute("DELETE FROM reps WHERE id = ?", [last[0]])
                clean = int(self._json(last[1], list, f"reps row {last[0]}: flags") == [])
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
        self._write(lambda: self.db.table("form_events").insert(row))

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
            self._write(lambda: self.db.table("samples").insert_all(rows, batch_size=500))

    def _close_session(
        self, session_id: int, status: str, reason: str | None, seconds: float | None = None
    ) -> None:
        row: dict[str, Any] = {"status": status, "ended_at": now(), "end_reason": reason}
        if seconds is not None:
            row["seconds"] = seconds
        self.db.table("sessions").update(session_id, row)

    def finish(
        self,
        session_id: int,
        status: str = "completed",
        reason: str | None = None,
        seconds: float | None = None,
    ) -> None:
        """The session ends; `seconds` is how long it lasted in the stream's time."""
        self._write(self._close_session, session_id, status, reason, seconds)

    def delete_session(self, session_id: int) -> None:
        def write() -> None:
            for table in ("reps", "form_events", "samples", "sets", "holds"):
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

    def replace_holds(self, session_id: int, holds: list[Hold]) -> None:
        """Store re-scored holds in place of the old ones (one transaction)."""
        starts = self.set_starts(session_id)

        def write() -> None:
            self.db.execute("DELETE FROM holds WHERE session_id = ?", [session_id])
            self.db.execute("UPDATE sessions SET held_seconds = 0 WHERE id = ?", [session_id])
            for hold in holds:
                number = max([n for n, t in starts if t <= hold.start], default=1)
                self._upsert_hold(session_id, hold, number)

        self._write(write)

    def close(self) -> None:
        self.db.conn.close()
