"""Export the session log as JSON (sessions with their reps, or a timed hold's stretches in
position) or CSV (one row per rep or hold: a hold's `duration` is its seconds in position and
its `flags` the form faults, each with its seconds)."""

from __future__ import annotations

import csv
import io
import json

from reptrack.store import Store

CSV_FIELDS = (
    "session_id",
    "exercise",
    "started_at",
    "status",
    "n",
    "side",
    "start",
    "end",
    "duration",
    "time_down",
    "time_up",
    "extreme",
    "range_of_motion",
    "flags",
    "counted_by",
)


def number(value: object, digits: int) -> str:
    """A stored measurement for people: '?' where a hand edit left something not a number."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        return f"{value:.{digits}f}"
    return "?"


def _as_text(value: object) -> str:
    """A value JSON cannot hold (a blob another tool wrote into a column), as text."""
    return value.hex() if isinstance(value, bytes) else str(value)


def export(store: Store, fmt: str = "json") -> str:
    sessions = list(reversed(store.sessions()))
    if fmt == "json":
        data = []
        for s in sessions:
            row = {k: v for k, v in s.items() if k not in ("pid", "host")}
            row["rep_details"] = store.reps(s["id"])
            if s.get("kind") == "hold":
                row["hold_details"] = store.holds(s["id"])
            row["form_events"] = store.form_events(s["id"])
            data.append(row)
        return json.dumps(data, indent=2, default=_as_text) + "\n"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for s in sessions:
        for r in store.reps(s["id"]):
            writer.writerow(
                {
                    "session_id": s["id"],
                    "exercise": s["exercise"],
                    "started_at": s["started_at"],
                    "status": s["status"],
                    **{k: r[k] for k in CSV_FIELDS[4:13]},
                    "flags": ";".join(r["flags"]),
                    "counted_by": r["counted_by"],
                }
            )
        for h in store.holds(s["id"]) if s.get("kind") == "hold" else []:
            writer.writerow(
                {
                    "session_id": s["id"],
                    "exercise": s["exercise"],
                    "started_at": s["started_at"],
                    "status": s["status"],
                    "n": h["n"],
                    "start": h["start"],
                    "end": h["end"],
                    "duration": h["seconds"],
                    "flags": ";".join(f"{k}:{v:.1f}s" for k, v in h["faults"].items()),
                }
            )
    return buf.getvalue()
