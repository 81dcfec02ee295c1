"""A session's writes as plain data: applied to the store as they happen, kept in memory while
another program holds the database, and — if it still holds it when the session ends —
written to a side file that the next start plays back, so nothing counted is lost.

An operation is a JSON-able dict: {"op": "add_rep", "rep": {...}, "set": 1}, "add_warning",
"start_set", "remove_last_rep", "add_samples", "save_hold", "finish".
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from reptrack import paths
from reptrack.errors import ReptrackError
from reptrack.exercise.events import FormWarning, Hold, Rep
from reptrack.store import Store

Op = dict[str, Any]


def rep_op(rep: Rep, set_number: int) -> Op:
    return {"op": "add_rep", "rep": asdict(rep), "set": set_number}


def hold_op(hold: Hold, set_number: int) -> Op:
    return {"op": "save_hold", "hold": asdict(hold), "set": set_number}


def apply(store: Store, session_id: int, op: Op) -> None:
    """Carry out one operation; raises StoreError (locked, full, …) as the store does."""
    kind = op["op"]
    if kind == "add_rep":
        data = dict(op["rep"])
        data["flags"], data["messages"] = tuple(data["flags"]), tuple(data["messages"])
        store.add_rep(session_id, Rep(**data), op["set"])
    elif kind == "save_hold":
        store.save_hold(session_id, Hold(**op["hold"]), op["set"])
    elif kind == "add_warning":
        store.add_warning(session_id, FormWarning(**op["warning"]))
    elif kind == "start_set":
        store.start_set(session_id, op["number"], op["t"])
    elif kind == "remove_last_rep":
        store.remove_last_rep(session_id)
    elif kind == "add_samples":
        store.add_samples(session_id, [(t, s) for t, s in op["samples"]])
    elif kind == "finish":
        store.finish(session_id, op["status"], op["reason"], op.get("seconds"))
    else:
        raise ValueError(f"unknown operation {kind!r}")


def folder() -> Path:
    return paths.data_dir() / "unsaved"


def save(store: Store, session_id: int, ops: list[Op]) -> Path:
    """Write what the database would not take to a side file; returns its path."""
    target = folder() / f"session-{session_id}-{int(time.time())}-{os.getpid()}.json"
    data = {"db": str(store.path.resolve()), "session_id": session_id, "ops": ops}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.part")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(target)
    except OSError as exc:
        raise ReptrackError(
            f"the database was locked and {target} could not be written either: "
            f"{exc.strerror or exc}; the reps of this session are lost"
        ) from None
    return target


def import_saved(store: Store) -> list[str]:
    """Play back the side files left for this database by sessions that ended while it was
    locked; each is deleted once its operations are in. Returns what was imported."""
    if not folder().is_dir():
        return []
    done = []
    mine = str(store.path.resolve())
    for f in sorted(folder().glob("session-*.json")):
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # damaged or half written: left for a person to look at
        if not isinstance(data, dict) or data.get("db") != mine:
            continue
        sid = int(data["session_id"])
        ops = list(data["ops"])
        for i, op in enumerate(ops):
            try:
                apply(store, sid, op)
            except ReptrackError:  # still locked, say: keep what is not in yet, no twice
                f.write_text(json.dumps({**data, "ops": ops[i:]}), encoding="utf-8")
                raise
        with contextlib.suppress(OSError):
            f.unlink()
        reps = sum(op["op"] == "add_rep" for op in data["ops"])
        done.append(f"session {sid}: {reps} reps saved from {f.name}, kept while the log was busy")
    return done
