"""What every command shares: the two consoles, the pose-backend and database options."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.markup import escape

from reptrack.pose.factory import BACKENDS

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


def esc(value: object) -> str:
    """User text (a path, a title, a message quoting a file) as rich prints it literally."""
    return escape(str(value))


def add_pose_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--backend", choices=BACKENDS, default="blazepose", help="pose backend (default: blazepose)"
    )
    p.add_argument(
        "--model",
        choices=("lite", "full", "heavy"),
        default="full",
        help="BlazePose landmark model: lite is fastest, heavy most accurate (default: full)",
    )
    p.add_argument(
        "--openpose-model",
        choices=("coco", "mpi"),
        default="coco",
        help="with --backend openpose: COCO-18 or MPI-15 Caffe model (default: coco)",
    )
    p.add_argument(
        "--openpose-size",
        type=size,
        default=(368, 368),
        metavar="WxH",
        help="with --backend openpose: input blob size (default 368x368; smaller is faster)",
    )


def size(text: str) -> tuple[int, int]:
    try:
        w, _, h = text.lower().partition("x")
        width, height = int(w), int(h or w)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 368x368") from None
    if not (16 <= width <= 4096 and 16 <= height <= 4096):
        raise argparse.ArgumentTypeError(f"{text!r}: width and height must be 16 to 4096")
    return width, height


def estimator(args: argparse.Namespace, announce: bool = True):  # -> PoseEstimator
    from reptrack.pose.factory import make_estimator

    made = make_estimator(
        args.backend,
        args.model,
        openpose_model=args.openpose_model,
        openpose_size=args.openpose_size,
    )
    if announce and (note := getattr(made, "note", None)):
        err.print(f"[yellow]note:[/] {esc(note)}")
    return made


def add_db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        metavar="PATH",
        help="session database (default: REPTRACK_DB or the user data directory)",
    )
