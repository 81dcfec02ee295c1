"""The `reptrack` command line: builds the parser from the command modules and turns user
errors into one clear message and a non-zero exit code."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reptrack import __version__
from reptrack.errors import ReptrackError

Handler = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class Command:
    """A subcommand: its help line, and where its arguments and its run are (a module of
    `reptrack.commands` and two of its functions), imported only when it is the one run, so
    that `--version`, `--help` and a light command never load what another one needs."""

    help: str
    module: str
    configure: str = "configure"
    run: str = "run"

    def load(self) -> tuple[Callable[[argparse.ArgumentParser], None], Handler]:
        module = importlib.import_module(f"reptrack.commands.{self.module}")
        return getattr(module, self.configure), getattr(module, self.run)


COMMANDS: dict[str, Command] = {
    "models": Command("list, fetch, import or locate the pose model files", "model_files"),
    "pose": Command("run the pose model over a video, dump landmarks and print its speed", "pose"),
    "exercises": Command("list, show, check or learn exercise definitions (TOML)", "exercises"),
    "calibrate": Command(
        "fit a shipped exercise's thresholds to your own range of motion",
        "teach",
        "configure_calibrate",
        "run_calibrate",
    ),
    "workout": Command(
        "run a workout plan: its exercises one after another, sets, reps and rest", "plans"
    ),
    "auto": Command(
        "recognise the exercise you do and count it: a set of each, as you go from one to the next",
        "auto",
    ),
    "eval": Command("count every labelled video and compare with the hand counts", "evaluation"),
    "bench": Command(
        "time start-up, the whole pose process and each stage of a frame on a video", "bench"
    ),
    "history": Command(
        "list past sessions, or show one", "history", "configure_history", "run_history"
    ),
    "export": Command(
        "export all sessions and reps as CSV or JSON", "history", "configure_export", "run_export"
    ),
    "rescore": Command(
        "replay a stored session through the current or an edited definition",
        "history",
        "configure_rescore",
        "run_rescore",
    ),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; only `command`'s own arguments are configured (all of them
    when it is None), the others are listed with their help line."""
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
    for name, cmd in COMMANDS.items():
        p = sub.add_parser(name, help=cmd.help, description=cmd.help[0].upper() + cmd.help[1:])
        if command in (None, name):
            configure, handler = cmd.load()
            configure(p)
            p.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import sys

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--version"]:  # nothing else to load
        print(f"reptrack {__version__}")
        return 0
    import sqlite3

    from reptrack.commands import session, terminal
    from reptrack.commands.common import err
    from reptrack.logfile import send_logging_to_file

    send_logging_to_file()
    # FFmpeg (inside OpenCV) writes its own lines on the terminal ("[tcp @ 0x…] Connection
    # … failed") beside reptrack's message; reptrack says what went wrong itself.
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8, shown as \udcNN
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    command = argv[0] if argv and argv[0] in COMMANDS else None
    parser = build_parser(command or "")  # `reptrack --help`: every command's help line only
    if argv and not argv[0].startswith("-") and command is None:
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
    if args.handler is session.run_home and not terminal.interactive():
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
        from reptrack.commands.common import esc

        err.print(f"[bold red]reptrack:[/] {esc(exc.strerror or str(exc))}:{esc(where)}")
        return 1


def _refused(exc: ReptrackError) -> int:
    """An error the user can fix: one message, its hint, and the error's exit code."""
    from reptrack.commands.common import err, esc

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
