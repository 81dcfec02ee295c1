"""`reptrack exercises`: list, show, check or learn exercise definitions."""

from __future__ import annotations

import argparse
from pathlib import Path

from reptrack.commands import teach
from reptrack.commands.common import esc, out
from reptrack.errors import ReptrackError


def configure(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    sub.add_parser("list", help="every known exercise, and the file it comes from")
    show = sub.add_parser("show", help="print the definition in force, and what yours changes")
    show.add_argument("name", metavar="NAME")
    check = sub.add_parser("check", help="validate an exercise file, listing every problem")
    check.add_argument("file", metavar="FILE")
    learn = sub.add_parser(
        "learn",
        help=teach.LEARN_HELP,
        description="Learn an exercise from a demonstration: reptrack finds the angle that "
        "repeats, sets the counting thresholds from your reps, counts the demonstration back "
        "and writes a commented NAME.toml to your exercise folder.",
    )
    teach.configure_learn(learn)


def run(args: argparse.Namespace) -> int:
    from reptrack.exercise import spec as specs

    if args.action == "learn":
        return teach.run_learn(args)
    if args.action == "list":
        for name, path in specs.available().items():
            try:
                s = specs.load_file(path)
                out.print(f"[bold]{esc(name):16s}[/] {esc(s.description)}  [dim]({esc(path)})[/]")
            except ReptrackError as exc:
                first = exc.message.splitlines()[0]
                out.print(f"[bold]{esc(name):16s}[/] [red]invalid[/]: {esc(first)}")
        return 0
    if args.action == "show":
        return _show(args.name)
    s = specs.load_file(args.file)
    out.print(
        f"{args.file}: ok — {s.title}, "
        + (f"a timed hold shown on {s.shown_angle}" if s.is_hold else f"counts {s.shown_angle}")
        + f" ({s.side} side), {len(s.rules)} form rule(s)",
        markup=False,
    )
    return 0


def _show(name: str) -> int:
    from reptrack import paths
    from reptrack.exercise import spec as specs
    from reptrack.teach.user_files import differences

    s = specs.load(name)
    out.print(f"# in force: {s.source}", markup=False)
    shipped = paths.shipped("exercises") / f"{s.name}.toml"
    if shipped.is_file() and shipped.resolve() != Path(s.source).resolve():
        changes = differences(specs.load_file(shipped), s)
        out.print(f"# it overrides the shipped {shipped}", markup=False)
        out.print("# changes: " + ("; ".join(changes) if changes else "none"), markup=False)
    elif shipped.is_file():
        out.print("# the shipped definition (no file of yours overrides it)", markup=False)
    else:
        out.print("# your own exercise (nothing shipped has its name)", markup=False)
    out.print()
    out.print(s.text, markup=False)
    return 0
