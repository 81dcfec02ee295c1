"""What every command shares: the two consoles, the pose-backend and database options."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from reptrack.pose import backends
from reptrack.pose.backends import BACKENDS, all_options

if TYPE_CHECKING:
    from reptrack.pose.types import PoseEstimator


def _console(**options: Any) -> Console:
    """A console that prints even where the terminal says it has no size (0 columns: rich
    would print nothing at all)."""
    console = Console(highlight=False, soft_wrap=True, **options)
    if console.width < 20:
        console.width = 80
    return console


err = _console(stderr=True)
out = _console()


def esc(value: object) -> str:
    """User text (a path, a title, a message quoting a file) as rich prints it literally."""
    return escape(str(value))


def add_pose_options(p: argparse.ArgumentParser) -> None:
    """--backend and every backend's own options, as the registry declares them."""
    p.add_argument("--backend", choices=tuple(BACKENDS), default="blazepose",
                   help="pose backend (default: blazepose)")  # fmt: skip
    for option in all_options():
        p.add_argument(
            option.flag,
            dest=option.name,
            choices=option.choices,
            type=_argument(option.parse) if option.parse else str,
            default=option.default,
            metavar=option.metavar,
            help=option.help,
        )


def _argument(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    def checked(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return checked


def pose_options(args: argparse.Namespace) -> dict[str, Any]:
    """The backend options given on the command line (every backend's, at their defaults
    where not given)."""
    return {o.name: getattr(args, o.name, o.default) for o in all_options()}


def estimator(args: argparse.Namespace, announce: bool = True) -> PoseEstimator:
    made = backends.make_estimator(args.backend, pose_options(args))
    if announce and made.note:
        err.print(f"[yellow]note:[/] {esc(made.note)}")
    return made


def add_db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        metavar="PATH",
        help="session database (default: REPTRACK_DB or the user data directory)",
    )
