"""What a reptrack database is: its tables, the migrations between schema versions, and how
to tell a reptrack file from another program's SQLite file (which reptrack must never touch).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from reptrack.errors import StoreError

SCHEMA_VERSION = 6
# PRAGMA application_id of every file reptrack writes ("RPTR"): a file without it is only
# taken over when it is empty or has reptrack's tables from before files were marked.
APPLICATION_ID = 0x52505452
REPTRACK_TABLES = frozenset({"sessions", "reps", "form_events", "samples"})
SESSION_COLUMNS = frozenset({"exercise", "definition", "started_at", "status"})


def _migrate_1(db: sqlite_utils.Database) -> None:
    db.table("sessions").create(
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
    db.table("reps").create(
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
    db.table("form_events").create(
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
    db.table("samples").create(
        {"session_id": int, "t": float, "data": str},
        foreign_keys=[("session_id", "sessions")],
    )
    db.table("reps").create_index(["session_id"])
    db.table("form_events").create_index(["session_id"])
    db.table("samples").create_index(["session_id", "t"])


def _migrate_2(db: sqlite_utils.Database) -> None:
    """Sets: the plan a session was started with, when each set began, each rep's set.

    Sessions from version 1 had one set: their reps get set 1.
    """
    db.table("sessions").add_column("target_reps", int)
    db.table("sessions").add_column("planned_sets", int)
    db.table("sessions").add_column("side", str)
    db.table("reps").add_column("set_number", int, not_null_default=1)
    db.table("sets").create(
        {"session_id": int, "number": int, "t": float},
        pk=("session_id", "number"),
        foreign_keys=[("session_id", "sessions")],
    )


def _migrate_3(db: sqlite_utils.Database) -> None:
    """How each rep was counted: at the definition's thresholds, at thresholds fitted to
    the person, or recovered when the set was counted again after the fit.

    Every rep before version 3 was counted at the definition's thresholds.
    """
    db.table("reps").add_column("counted_by", str, not_null_default="shipped")


def _migrate_4(db: sqlite_utils.Database) -> None:
    """Timed holds: each stretch in position (with the seconds each form fault lasted), the
    session's total, and the target time per set.

    Sessions before version 4 were all of reps: they held nothing.
    """
    db.table("holds").create(
        {
            "session_id": int,
            "n": int,
            "set_number": int,
            "start": float,
            "end": float,
            "seconds": float,
            "faults": str,
        },
        pk=("session_id", "n"),
        foreign_keys=[("session_id", "sessions")],
    )
    db.table("sessions").add_column("kind", str, not_null_default="reps")  # or "hold"
    db.table("sessions").add_column("held_seconds", float, not_null_default=0.0)
    db.table("sessions").add_column("target_seconds", float)


def _migrate_5(db: sqlite_utils.Database) -> None:
    """Workouts: a plan run block by block, each block a session of its exercise.

    Sessions before version 5 were each on their own."""
    db.table("workouts").create(
        {"id": int, "plan": str, "title": str, "started_at": str},
        pk="id",
        not_null={"plan", "started_at"},
    )
    db.table("sessions").add_column("workout_id", int)
    db.table("sessions").add_column("block", int)


def _migrate_6(db: sqlite_utils.Database) -> None:
    """A session's length in the stream's time (a video counted faster than it plays lasted
    as long as the video). Sessions before version 6 have none: their length is the wall
    clock's, from started_at to ended_at."""
    db.table("sessions").add_column("seconds", float)


MIGRATIONS = {
    1: _migrate_1, 2: _migrate_2, 3: _migrate_3, 4: _migrate_4, 5: _migrate_5, 6: _migrate_6,
}  # fmt: skip


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return sorted(r[0] for r in rows)


def _looks_like_reptrack(conn: sqlite3.Connection, tables: list[str]) -> bool:
    if not set(tables) >= REPTRACK_TABLES:
        return False
    columns = {r[1] for r in conn.execute("PRAGMA table_info(sessions)").fetchall()}
    return columns >= SESSION_COLUMNS


def version_to_migrate(conn: sqlite3.Connection, path: Path | str) -> int:
    """The schema version of a reptrack file (0 for an empty one); reads only.

    Raises StoreError for a file reptrack must not touch: another program's database, or a
    reptrack database written by a newer version.
    """
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    hint = "point --db (or REPTRACK_DB) at another file; this one was not touched"
    if app_id not in (0, APPLICATION_ID):
        raise StoreError(
            f"{path} is another program's SQLite database (application id {app_id:#x}), "
            "not reptrack's",
            hint=hint,
        )
    tables = _tables(conn)
    ours = app_id == APPLICATION_ID or (
        version in MIGRATIONS and _looks_like_reptrack(conn, tables)
    )
    if ours:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{path} was written by a newer reptrack (schema {version}, this one "
                f"knows {SCHEMA_VERSION})",
                hint="upgrade reptrack; the file was left untouched",
            )
        return version
    if not tables and version == 0:
        return 0  # a new, empty file
    shown = ", ".join(tables[:6]) + (", …" if len(tables) > 6 else "")
    what = f"tables: {shown}" if tables else f"no tables, user_version {version}"
    raise StoreError(
        f"{path} is an SQLite database of another program ({what}), not reptrack's",
        hint=hint,
    )


def missing_tables(conn: sqlite3.Connection, version: int) -> list[str]:
    """The tables a reptrack file of `version` should have and does not (another tool
    dropped them)."""
    if version == 0:
        return []
    expected = set(REPTRACK_TABLES) | ({"sets"} if version >= 2 else set())
    expected |= {"holds"} if version >= 4 else set()
    expected |= {"workouts"} if version >= 5 else set()
    return sorted(expected - set(_tables(conn)))


def migrate(db: sqlite_utils.Database, version: int) -> None:
    """Bring a reptrack file from `version` to SCHEMA_VERSION and mark it as reptrack's.

    The caller holds the write transaction."""
    for target in range(version + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[target](db)
        db.execute(f"PRAGMA user_version={target}")
    if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        db.execute(f"PRAGMA application_id={APPLICATION_ID}")
