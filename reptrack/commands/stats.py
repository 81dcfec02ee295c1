"""`reptrack history --stats`: progress per exercise and per week (or day), as tables or JSON."""

from __future__ import annotations

import argparse
import json

from reptrack.clock import held_text
from reptrack.commands.common import esc, out
from reptrack.store.export import number
from reptrack.store.trends import BEST_NAMES


def run_stats(store, args: argparse.Namespace) -> int:  # store: reptrack.store.Store
    from rich.table import Table

    from reptrack.store.trends import trends

    found = trends(store, args.by, args.exercise, args.since)
    if args.json:
        print(json.dumps([t.to_json() for t in found], indent=2))
        return 0
    if not found:
        out.print("no sessions yet: `reptrack squat` records one")
        return 0
    for trend in found:
        if trend.is_hold:
            _print_holds(trend, args.by)
            continue
        table = Table(
            args.by, "sessions", "reps", "clean", "best set", "range °", "depth °", "rep s",
            title=f"[bold]{esc(trend.exercise)}[/] by {args.by}", title_justify="left",
        )  # fmt: skip
        for p in trend.periods:
            share = p.clean_share
            table.add_row(
                p.start,
                str(p.sessions),
                str(p.reps),
                "—" if share is None else f"{100 * share:.0f} %",
                str(p.best_set),
                number(p.range_of_motion, 0),
                number(p.depth, 0),
                number(p.rep_seconds, 1),
            )
        out.print(table)
        _print_bests(trend)
    return 0


def _print_bests(trend) -> None:  # trend: reptrack.store.trends.Trend
    for name, best in trend.bests.items():
        value = f"{best.value:g}"
        out.print(f"  best {BEST_NAMES.get(name, name)}: [bold]{value}[/] "
                  f"[dim](session {best.session_id}, {best.day})[/]")  # fmt: skip


def _print_holds(trend, by: str) -> None:  # trend: reptrack.store.trends.Trend
    from rich.table import Table

    title = f"[bold]{esc(trend.exercise)}[/] by {by}"
    table = Table(by, "sessions", "held", "longest hold", title=title, title_justify="left")
    for p in trend.periods:
        table.add_row(p.start, str(p.sessions), held_text(p.held_seconds), held_text(p.best_hold))
    out.print(table)
    _print_bests(trend)
