"""`reptrack history`, `export` and `rescore`: read, export and re-score logged sessions."""

from __future__ import annotations

import argparse
import json
import sys

from reptrack.clock import faults_text, held_text, hold_cells
from reptrack.commands.common import add_db_option, err, esc, out
from reptrack.errors import ReptrackError
from reptrack.store.export import number


def session_id(text: str) -> int:
    """A session id as the user types it: a whole number SQLite can hold."""
    from reptrack.store.queries import MAX_ID

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a session id (a number)") from None
    if not 0 < value <= MAX_ID:
        raise argparse.ArgumentTypeError(f"{text} is not a session id (1 or more)")
    return value


def day(text: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-27") from None


def configure_history(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        nargs="?",
        choices=("list", "show", "workouts", "workout"),
        default="list",
        help="list the sessions, show one, list the workouts (plans run), or show one "
        "block by block",
    )
    p.add_argument("id", nargs="?", type=session_id, help="session id (show) or workout id")
    p.add_argument("--exercise", help="only this exercise")
    p.add_argument(
        "--since",
        metavar="DATE",
        type=day,
        help="only sessions started on or after DATE (YYYY-MM-DD)",
    )
    p.add_argument(
        "--stats",
        action="store_true",
        help="progress per exercise: sessions, reps, clean share, best set, range of motion, "
        "depth and rep time per week (or --by day), and personal bests",
    )
    p.add_argument("--by", choices=("week", "day"), default="week", help="with --stats")
    p.add_argument("--json", action="store_true")
    add_db_option(p)


def configure_export(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("csv", "json"), default="json")
    p.add_argument("--out", metavar="PATH", help="write to a file instead of stdout")
    add_db_option(p)


def configure_rescore(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", type=session_id, help="session id")
    p.add_argument("--exercise-file", metavar="FILE", help="an edited exercise TOML")
    p.add_argument("--save", action="store_true", help="replace the stored reps with the new ones")
    p.add_argument(
        "--force",
        action="store_true",
        help="with --save: save even when the definition is for another exercise",
    )
    add_db_option(p)


def _session_json(row: dict) -> dict:
    keys = ("id", "exercise", "started_at", "ended_at", "status", "reps", "good_reps", "source",
            "kind", "held_seconds", "workout_id", "block", "seconds")  # fmt: skip
    return {k: row.get(k) for k in keys}


def run_history(args: argparse.Namespace) -> int:
    from rich.table import Table

    from reptrack.store import Store

    store = Store.for_reading(args.db)
    _report_damage(store)
    if not store.readonly:
        store.recover_interrupted()
    if args.stats:
        from reptrack.commands.stats import run_stats

        return run_stats(store, args)
    if args.action in ("workouts", "workout"):
        return _workouts(store, args)
    if args.action == "show":
        if args.id is None:
            raise ReptrackError("`reptrack history show` needs a session ID")
        row = store.session(args.id)
        if row.get("kind") == "hold":
            return _show_holds(store, row, args.json)
        reps = store.reps(args.id)
        _report_damage(store)
        if args.json:
            print(json.dumps({**_session_json(row), "rep_details": reps}, indent=2))
            return 0
        out.print(
            f"[bold]session {row['id']}[/] {esc(row['exercise'])} {esc(row['started_at'])} "
            f"{esc(row['status'])}: {row['reps']} reps, {row['good_reps']} clean"
        )
        table = Table("n", "side", "duration s", "down s", "up s", "range °", "counted", "flags")
        for r in reps:
            table.add_row(
                str(r["n"]),
                esc(r["side"]),
                number(r["duration"], 1),
                number(r["time_down"], 1),
                number(r["time_up"], 1),
                number(r["range_of_motion"], 0),
                esc(str(r["counted_by"])),
                esc(", ".join(r["flags"])),
            )
        out.print(table)
        return 0
    rows = store.sessions(args.exercise, args.since)
    if args.json:
        print(json.dumps([_session_json(r) for r in rows], indent=2))
        return 0
    grouped = any(r.get("workout_id") for r in rows)  # a column for workouts, when there are any
    table = Table("id", "started", "exercise", "reps", "clean", "status",
                  *(["workout/block"] if grouped else []))  # fmt: skip
    for r in rows:
        hold = r.get("kind") == "hold"  # its time held where the reps go
        workout = f"{r['workout_id']}/{r.get('block')}" if r.get("workout_id") else ""
        table.add_row(
            str(r["id"]),
            esc(str(r["started_at"])[:16].replace("T", " ")),
            esc(r["exercise"]),
            held_text(r.get("held_seconds")) if hold else str(r["reps"]),
            "" if hold else str(r["good_reps"]),
            esc(r["status"]),
            *([workout] if grouped else []),
        )
    out.print(table)
    return 0


def _workouts(store, args: argparse.Namespace) -> int:  # store: reptrack.store.Store
    """`history workouts`: every plan run; `history workout ID`: one, block by block."""
    from rich.table import Table

    if args.action == "workouts":
        rows = store.workouts()
        if args.json:
            print(json.dumps(rows, indent=2))
            return 0
        table = Table("id", "started", "plan", "blocks")
        for w in rows:
            table.add_row(str(w["id"]), esc(str(w["started_at"])[:19]), esc(str(w["title"])),
                          str(w["blocks"]))  # fmt: skip
        out.print(table)
        return 0
    if args.id is None:
        raise ReptrackError("`reptrack history workout` needs a workout ID",
                            hint="`reptrack history workouts` lists them")  # fmt: skip
    row, blocks = store.workout(args.id)
    if args.json:
        print(json.dumps({**row, "blocks": [_session_json(b) for b in blocks]}, indent=2))
        return 0
    out.print(f"[bold]workout {row['id']}[/] {esc(str(row['title']))} "
              f"{esc(str(row['started_at']))}: {len(blocks)} block(s)")  # fmt: skip
    table = Table("block", "session", "exercise", "sets", "done", "status")
    for b in blocks:
        hold = b.get("kind") == "hold"
        sets = len(store.set_starts(b["id"]))
        done = held_text(b.get("held_seconds")) if hold else f"{b['reps']} reps"
        table.add_row(str(b.get("block")), str(b["id"]), esc(str(b["exercise"])), str(sets),
                      done, esc(str(b["status"])))  # fmt: skip
    out.print(table)
    return 0


def _show_holds(store, row: dict, as_json: bool) -> int:  # store: reptrack.store.Store
    from rich.table import Table

    holds = store.holds(row["id"])
    _report_damage(store)
    if as_json:
        print(json.dumps({**_session_json(row), "hold_details": holds}, indent=2))
        return 0
    best = max((h["seconds"] for h in holds if isinstance(h["seconds"], int | float)), default=0)
    out.print(
        f"[bold]session {row['id']}[/] {esc(row['exercise'])} {esc(row['started_at'])} "
        f"{esc(row['status'])}: held {held_text(row.get('held_seconds'))} in {len(holds)} "
        f"hold(s), best {held_text(best)}"
    )
    table = Table("n", "set", "from s", "to s", "held", "faults")
    for h in holds:
        table.add_row(*map(esc, hold_cells(h)))
    out.print(table)
    return 0


def _report_damage(store) -> None:  # store: reptrack.store.Store
    for problem in store.damage:
        err.print(f"[yellow]damaged:[/] {esc(problem)}")
    store.damage.clear()


def run_export(args: argparse.Namespace) -> int:
    from reptrack.files import check_output, write_text
    from reptrack.store import Store, default_path
    from reptrack.store.export import export

    target = None
    if args.out:  # checked before anything is read, so a bad path costs nothing
        db = args.db or default_path()
        target = check_output(args.out, what="--out", inputs=[db])
    store = Store.for_reading(args.db)
    text = export(store, args.format)
    _report_damage(store)
    if target is not None:
        write_text(target, text)
        err.print(f"wrote {target}", markup=False)
    else:
        sys.stdout.write(text)
    return 0


def run_rescore(args: argparse.Namespace) -> int:
    from reptrack.session.rescore import rescore
    from reptrack.store import Store

    store = Store(args.db) if args.save else Store.for_reading(args.db)
    _report_damage(store)
    result = rescore(store, args.id, args.exercise_file)
    _report_damage(store)
    if result.spec.name != result.recorded_exercise:
        err.print(
            f"[yellow]note:[/] session {args.id} is {esc(result.recorded_exercise)}; "
            f"it is re-scored as {esc(result.spec.name)}"
        )
    if result.new_holds is not None:
        out.print(
            f"session {args.id}: stored {held_text(result.old_held)} held "
            f"→ re-timed {held_text(result.new_held)} in {len(result.new_holds)} hold(s)",
            markup=False,
        )
        for hold in result.new_holds:
            out.print(
                f"  hold {hold.number}: {held_text(hold.seconds)} — {faults_text(hold.faults)}",
                markup=False,
            )
    else:
        out.print(
            f"session {args.id}: stored {len(result.old)} reps ({result.old_clean} clean) "
            f"→ re-scored {len(result.new)} reps ({result.new_clean} clean)"
        )
    for rep in result.new:
        flags = ", ".join(rep.flags) or "clean"
        out.print(f"  rep {rep.number} ({rep.side}): {flags}", markup=False)
    if args.save:
        if result.spec.name != result.recorded_exercise and not args.force:
            raise ReptrackError(
                f"not saved: session {args.id} was {result.recorded_exercise}, "
                f"the definition is {result.spec.name}",
                hint="add --force to replace its reps all the same",
            )
        if result.new_holds is not None:
            store.replace_holds(args.id, result.new_holds)
        else:
            store.replace_reps(args.id, result.new)
        out.print("saved")
    return 0
