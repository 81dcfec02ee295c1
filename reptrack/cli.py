"""The `reptrack` command line: parses arguments and turns user errors into clear messages."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console

from reptrack import __version__
from reptrack.errors import ReptrackError

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)

Handler = Callable[[argparse.Namespace], int]


def _add_pose_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=("blazepose", "openpose"), default="blazepose",
                   help="pose backend (default: blazepose; openpose needs your own Caffe weights)")
    p.add_argument("--model", choices=("lite", "full", "heavy"), default="full",
                   help="BlazePose landmark model: lite is fastest, heavy most accurate "
                   "(default: full)")
    p.add_argument("--openpose-model", choices=("coco", "mpi"), default="coco",
                   help="which OpenPose Caffe model to use with --backend openpose")  # fmt: skip


# -- models ----------------------------------------------------------------------------------
def cmd_models(args: argparse.Namespace) -> int:
    from rich.table import Table

    from reptrack.pose import models

    manifest = models.load_manifest()
    if args.action == "list":
        table = Table("name", "file", "status", "description")
        for m in manifest:
            state = models.status(m)
            colour = {"ok": "green", "missing": "yellow"}.get(state, "red")
            table.add_row(m.name, m.file, f"[{colour}]{state}[/]", m.description)
        out.print(table)
        out.print(f"cache: {models.models_dir()}")
        return 0
    if args.action == "path":
        if args.names:
            for name in args.names:
                out.print(str(models.resolve(name)))
        else:
            out.print(str(models.models_dir()))
        return 0
    if args.action == "import":
        if not args.names:
            raise ReptrackError("`reptrack models import` needs a PATH to a .tflite or .task file")
        for name in args.names:
            imported = models.import_path(Path(name))
            out.print(f"imported {', '.join(imported)} from {name}")
        return 0
    # fetch
    wanted = [models.get(n, manifest) for n in args.names] if args.names else manifest
    with err.status("fetching model files…"):
        outcome = models.fetch(wanted, report=lambda s: err.print(f"  {s}"), force=args.force)
    failed = False
    for name, result in outcome.items():
        failed |= result.startswith("FAILED")
        colour = "red" if result.startswith("FAILED") else "green"
        out.print(f"{name}: [{colour}]{result}[/]")
    required = {"detector", "full"}
    if any(outcome.get(n, "").startswith("FAILED") for n in required):
        err.print("[red]the default models could not be fetched[/]: reptrack cannot run without "
                  "them. Fix the cause above, or `reptrack models import PATH`.")  # fmt: skip
        return 1
    if failed:
        err.print("[yellow]some optional models are missing[/]; the default (full) works.")
    return 0


# -- pose ------------------------------------------------------------------------------------
def cmd_pose(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from reptrack.pose.dump import run_pose
    from reptrack.pose.factory import make_estimator
    from reptrack.sources import FileSource

    estimator = make_estimator(args.backend, args.model, openpose_model=args.openpose_model)
    with FileSource(args.video) as source:
        columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err, transient=True, disable=args.quiet) as progress:
            task = progress.add_task(Path(args.video).name, total=len(source) or None)
            run = run_pose(source, estimator, lambda n: progress.advance(task, n))
    if args.out:
        run.save(args.out)
    out.print(f"{Path(args.video).name} ({args.backend} {args.model}): {run.summary()}")
    return 0


# -- parser ----------------------------------------------------------------------------------
SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {}


def _subcommand(name: str, help_text: str) -> Callable[[Callable], Callable]:
    def register(configure: Callable[[argparse.ArgumentParser], None]) -> Callable:
        handler = globals()[f"cmd_{name}"]
        SUBCOMMANDS[name] = (help_text, configure, handler)
        return configure

    return register


@_subcommand("models", "list, fetch, import or locate the pose model files")
def _models_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("list", "fetch", "import", "path"),
                   help="list: what is installed; fetch [NAME…]: download, verify and cache; "
                   "import PATH…: take .tflite or .task files you have; path [NAME]: where they are")
    p.add_argument("names", nargs="*", metavar="NAME|PATH")
    p.add_argument("--force", action="store_true", help="fetch again even if present")  # fmt: skip


@_subcommand("pose", "run the pose model over a video, dump landmarks and print its speed")
def _pose_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("video", help="video file")
    p.add_argument("--out", metavar="FILE.npz",
                   help="write landmarks (image, world, present, fps, width, height)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_pose_options(p)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reptrack",
        description="Count exercise repetitions from a webcam, a video file or a phone's "
        "camera stream, and flag bad form.",
        epilog="Run `reptrack COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"reptrack {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, configure, handler) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:])
        configure(p)
        p.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return args.handler(args)
    except ReptrackError as exc:
        err.print(f"[bold red]reptrack:[/] {exc.message}")
        if exc.hint:
            err.print(f"  → {exc.hint}")
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
