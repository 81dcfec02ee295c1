"""`reptrack exercises`: list, show or check exercise definitions."""

from __future__ import annotations

import argparse

from reptrack.commands.common import esc, out
from reptrack.errors import ReptrackError

HELP = "list, show or check exercise definitions (TOML)"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        choices=("list", "show", "check"),
        help="list: all known; show NAME: print the definition; check FILE: validate",
    )
    p.add_argument("target", nargs="?", metavar="NAME|FILE")


def run(args: argparse.Namespace) -> int:
    from reptrack.exercise import spec as specs

    if args.action == "list":
        for name, path in specs.available().items():
            try:
                s = specs.load_file(path)
                out.print(f"[bold]{esc(name):16s}[/] {esc(s.description)}  [dim]({esc(path)})[/]")
            except ReptrackError as exc:
                first = exc.message.splitlines()[0]
                out.print(f"[bold]{esc(name):16s}[/] [red]invalid[/]: {esc(first)}")
        return 0
    if not args.target:
        raise ReptrackError(f"`reptrack exercises {args.action}` needs a NAME or FILE")
    if args.action == "show":
        s = specs.load(args.target)
        out.print(f"# {s.source}\n", markup=False)
        out.print(s.text, markup=False)
        return 0
    s = specs.load_file(args.target)
    out.print(
        f"{args.target}: ok — {s.title}, counts {s.counter.angle} "
        f"({s.side} side), {len(s.rules)} form rule(s)",
        markup=False,
    )
    return 0
