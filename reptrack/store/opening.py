"""Opening a session database safely: what is not a file or not SQLite is refused before
SQLite touches it, a read-only file is read as it is, and sqlite3's errors become messages a
person can act on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reptrack.errors import StoreError

LOCK_TIMEOUT = 5.0  # seconds to wait for another process's write lock


def connect(path: Path, readonly: bool) -> sqlite3.Connection:
    """The connection to `path`: read-only (and immutable, where SQLite cannot make its
    shared-memory file) or for writing, with the lock timeout."""
    if readonly:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=LOCK_TIMEOUT, check_same_thread=False)
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        except sqlite3.OperationalError as exc:
            if "unable to open" not in str(exc):
                raise
            # A WAL database in a folder nobody may write to (a backup disk, a read-only
            # share): SQLite cannot make its shared-memory file there, so the file is
            # read as it is on disk, which nothing can change meanwhile.
            conn.close()
            conn = sqlite3.connect(f"{uri}&immutable=1", uri=True, check_same_thread=False)
        return conn
    return sqlite3.connect(str(path), timeout=LOCK_TIMEOUT, check_same_thread=False)


def check_location(path: Path, readonly: bool) -> None:
    """Refuse what is not a file or not SQLite, before anything opens it; make the folder
    for a new file."""
    if path.exists() and not path.is_file():
        raise StoreError(f"{path} is not a file")
    if path.exists():
        try:
            with path.open("rb") as fh:
                head = fh.read(16)
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc.strerror}") from None
        if head and head != b"SQLite format 3\x00":
            raise StoreError(
                f"{path} is not a reptrack database (not an SQLite file)",
                hint="point --db (or REPTRACK_DB) at another path; the file was not touched",
            )
        return
    if readonly:
        raise StoreError(f"no session database at {path}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create {path.parent}: {exc.strerror}",
            hint="choose a writable place with --db PATH",
        ) from None


def explain(path: Path, exc: sqlite3.DatabaseError, waited: float | None = None) -> StoreError:
    """sqlite3's error as one a person can act on: locked, read-only, full, damaged."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        how_long = f"waited {waited:.1f} s" if waited is not None else "it stayed locked"
        error = StoreError(
            f"the database {path} is locked by another program",
            hint=f"{how_long}; close the other reptrack or tool using it",
        )
        error.locked = True
        return error
    if "readonly" in text or "unable to open" in text:
        error = StoreError(
            f"cannot write the database {path}: {text}",
            hint="check the permissions, or choose another file with --db PATH",
        )
        error.read_only = True
        return error
    if "disk is full" in text or "full" in text:
        return StoreError(
            f"the disk holding {path} is full",
            hint="free some space; sessions recorded so far are kept",
        )
    if "not a database" in text or "malformed" in text:
        return StoreError(
            f"{path} is damaged or not a reptrack database ({text})",
            hint="point --db at another path; reptrack does not modify this file",
        )
    return StoreError(f"database error in {path}: {text}")
