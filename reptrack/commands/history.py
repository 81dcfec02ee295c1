"""`reptrack history`, `export` and `rescore`: read, export and re-score logged sessions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from reptrack.commands.common import add_db_option, err, esc, out
from reptrack.errors import ReptrackError

HISTORY_HELP = "list past sessions, or show one"
EXPORT_HELP = "export all sessions and reps as CSV or JSON"
RESCORE_HELP = "replay a stored session through the current or an edited definition"


def configure_history(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    p.add_argument("id", nargs="?", type=int, help="session id (for show)")
    p.add_argument("--exercise", help="only this exercise")
    p.add_argument(
        "--since", metavar="DATE", help="only sessions started on or after DATE (YYYY-MM-DD)"
    )
    p.add_argument("--json", action="store_true")
    add_db_option(p)


def configure_export(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("csv", "json"), default="json")
    p.add_argument("--out", metavar="PATH", help="write to a file instead of stdout")
    add_db_option(p)


def configure_rescore(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", type=int, help="session id")
    p.add_argument("--exercise-file", metavar="FILE", help="an edited exercise TOML")
    p.add_argument("--save", action="store_true", help="replace the stored reps with the new ones")
    add_db_option(p)


def _session_json(row: dict) -> dict:
    keys = ("id", "exercise", "started_at", "ended_at", "status", "reps", "good_reps", "source")
    return {k: row.get(k) for k in keys}


def run_history(args: argparse.Namespace) -> int:
    from rich.table import Table

    from reptrack.store import Store

    store = Store(args.db)
    store.recover_interrupted()
    if args.action == "show":
        if args.id is None:
            raise ReptrackError("`reptrack history show` needs a session ID")
        row = store.session(args.id)
        reps = store.reps(args.id)
        if args.json:
            print(json.dumps({**_session_json(row), "rep_details": reps}, indent=2))
            return 0
        out.print(
            f"[bold]session {row['id']}[/] {esc(row['exercise'])} {esc(row['started_at'])} "
            f"{esc(row['status'])}: {row['reps']} reps, {row['good_reps']} clean"
        )
        table = Table("n", "side", "duration s", "down s", "up s", "range °", "flags")
        for r in reps:
            table.add_row(
                str(r["n"]),
                esc(r["side"]),
                f"{r['duration']:.1f}",
                f"{r['time_down']:.1f}",
                f"{r['time_up']:.1f}",
                f"{r['range_of_motion']:.0f}",
                esc(", ".join(r["flags"])),
            )
        out.print(table)
        return 0
    rows = store.sessions(args.exercise, args.since)
    if args.json:
        print(json.dumps([_session_json(r) for r in rows], indent=2))
        return 0
    table = Table("id", "started", "exercise", "reps", "clean", "status")
    for r in rows:
        table.add_row(
            str(r["id"]),
            esc(r["started_at"][:19]),
            esc(r["exercise"]),
            str(r["reps"]),
            str(r["good_reps"]),
            esc(r["status"]),
        )
    out.print(table)
    return 0


def run_export(args: argparse.Namespace) -> int:
    from reptrack.export import export
    from reptrack.store import Store

    text = export(Store(args.db), args.format)
    if args.out:
        Path(args.out).write_text(text)
        err.print(f"wrote {args.out}", markup=False)
    else:
        sys.stdout.write(text)
    return 0


def run_rescore(args: argparse.Namespace) -> int:
    from reptrack.rescore import rescore
    from reptrack.store import Store

    store = Store(args.db)
    result = rescore(store, args.id, args.exercise_file)
    out.print(
        f"session {args.id}: stored {len(result.old)} reps ({result.old_clean} clean) "
        f"→ re-scored {len(result.new)} reps ({result.new_clean} clean)"
    )
    for rep in result.new:
        out.print(
            f"  rep {rep.number} ({rep.side}): {', '.join(rep.flags) or 'clean'}", markup=False
        )
    if args.save:
        store.replace_reps(args.id, result.new)
        out.print("saved")
    return 0
