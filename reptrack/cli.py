"""The `reptrack` command line: builds the parser from the command modules and turns user
errors into one clear message and a non-zero exit code."""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
from collections.abc import Callable, Sequence

from reptrack import __version__
from reptrack.commands import (
    auto,
    evaluation,
    exercises,
    history,
    model_files,
    plans,
    pose,
    session,
    teach,
)
from reptrack.commands.common import err, esc
from reptrack.errors import ReptrackError

Handler = Callable[[argparse.Namespace], int]

# name → (help, add the command's arguments, run it)
SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {
    "models": (model_files.HELP, model_files.configure, model_files.run),
    "pose": (pose.HELP, pose.configure, pose.run),
    "exercises": (exercises.HELP, exercises.configure, exercises.run),
    "calibrate": (teach.CALIBRATE_HELP, teach.configure_calibrate, teach.run_calibrate),
    "workout": (plans.HELP, plans.configure, plans.run),
    "auto": (auto.HELP, auto.configure, auto.run),
    "eval": (evaluation.HELP, evaluation.configure, evaluation.run),
    "history": (history.HISTORY_HELP, history.configure_history, history.run_history),
    "export": (history.EXPORT_HELP, history.configure_export, history.run_export),
    "rescore": (history.RESCORE_HELP, history.configure_rescore, history.run_rescore),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reptrack",
        usage="reptrack EXERCISE [--source S] [options] | reptrack COMMAND ...",
        description="Count exercise repetitions from a webcam, a video file or a phone's "
        "camera stream, and flag bad form. `reptrack squat` counts squats from camera 0; "
        "`reptrack squat --help` lists its options.",
        epilog="Run `reptrack COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"reptrack {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", prog="reptrack")
    for name, (help_text, configure, handler) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:])
        configure(p)
        p.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import sys

    from reptrack.logfile import send_logging_to_file

    send_logging_to_file()
    # FFmpeg (inside OpenCV) writes its own lines on the terminal ("[tcp @ 0x…] Connection
    # … failed") beside reptrack's message; reptrack says what went wrong itself.
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8, shown as \udcNN
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if argv and not argv[0].startswith("-") and argv[0] not in SUBCOMMANDS:
        args = session.build_parser().parse_args(argv)
        args.handler = session.run_workout
    elif argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        # `reptrack --db X --source clip.mp4`: the home screen, with these options filled in
        args = session.build_parser().parse_args(["squat", *argv])
        args.handler = session.run_home
    else:
        args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        args = session.build_parser().parse_args(["squat"])
        args.handler = session.run_home
    if args.handler is session.run_home and not session.interactive():
        if argv:
            err.print("reptrack: the home screen needs a terminal; to count without one, "
                      "run `reptrack EXERCISE --no-tui …`")  # fmt: skip
            return 2
        parser.print_help()
        return 0
    try:
        return args.handler(args)
    except ReptrackError as exc:
        return _refused(exc)
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except BrokenPipeError:
        return _closed_pipe()
    except sqlite3.DatabaseError as exc:
        # A page damaged under a query that opened the file fine (a disk error, a copy cut
        # short), where the store did not say it itself.
        from reptrack.paths import shown
        from reptrack.store import default_path
        from reptrack.store.queries import damaged

        return _refused(damaged(shown(getattr(args, "db", None) or default_path()), exc))
    except OSError as exc:
        # A path the system refuses where no check was made first (too long, a loop of
        # links): one message, not a traceback.
        if exc.filename is None and exc.errno is None:
            raise
        from reptrack.paths import shown

        where = f" {shown(exc.filename)[:100]}" if exc.filename else ""
        err.print(f"[bold red]reptrack:[/] {esc(exc.strerror or str(exc))}:{esc(where)}")
        return 1


def _refused(exc: ReptrackError) -> int:
    """An error the user can fix: one message, its hint, and the error's exit code."""
    err.print(f"[bold red]reptrack:[/] {esc(exc.message)}")
    if exc.hint:
        err.print(f"  → {esc(exc.hint)}")
    return exc.exit_code


def _closed_pipe() -> int:
    """The reader of our output went away (`reptrack history --json | head -1`): end quietly,
    as `git log | head` does. Python would report the pipe again when it flushes stdout at
    exit, so stdout is pointed at nothing first."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 141  # 128 + SIGPIPE, as a shell reports a command a closed pipe stopped
