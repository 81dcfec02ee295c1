"""`reptrack exercises learn` and `reptrack calibrate`: record a demonstration (a video, the
camera, a stream or saved landmarks), learn a definition from it or fit a shipped one to the
person, and write the result to the user's exercise folder."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from reptrack.commands.common import add_pose_options, err, esc, estimator, out
from reptrack.errors import ReptrackError

LEARN_HELP = "learn a new exercise from a video (or the camera) of a few reps"
SOURCE_HELP = (
    "a video file, a camera index (0), a stream URL, or landmarks saved by "
    "`reptrack pose --out` (.npz)"
)


def add_demo_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--seconds",
        type=float,
        metavar="S",
        help="from a camera or stream: record this long (default: until you press Enter)",
    )
    p.add_argument(
        "--force", action="store_true", help="replace a file of yours that is in the way"
    )
    add_pose_options(p)


def configure_learn(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="SOURCE", help=SOURCE_HELP)
    p.add_argument("--name", required=True, help="the new exercise's name (e.g. calf_raise)")
    p.add_argument(
        "--reps",
        type=_reps,
        metavar="N",
        help="how many reps the demonstration holds: prefer the angle that repeats N times",
    )
    add_demo_options(p)


def _reps(text: str) -> int:
    try:
        reps = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 2 <= reps <= 100:
        raise argparse.ArgumentTypeError(f"{reps}: a demonstration holds 2 to 100 reps")
    return reps


def configure_calibrate(p: argparse.ArgumentParser) -> None:
    p.add_argument("exercise", help="a shipped exercise (see `reptrack exercises list`)")
    p.add_argument("--source", default="0", help=f"{SOURCE_HELP} (default: camera 0)")
    add_demo_options(p)


# -- recording ---------------------------------------------------------------------------------
def _wait_for_enter(stop: threading.Event) -> None:
    try:
        sys.stdin.readline()
    except (OSError, ValueError):
        return
    stop.set()


def record(args: argparse.Namespace, source_text: str):  # -> Demo
    """The demonstration's poses, with a progress bar for a file and a live line for a camera."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from reptrack.teach import demonstration as demos
    from reptrack.teach.demonstration import Demo, from_landmarks
    from reptrack.video.sources import FileSource, open_source

    if source_text.endswith(".npz"):
        return from_landmarks(Path(source_text))
    if args.seconds is not None and not 0 < args.seconds <= 600:
        raise ReptrackError(f"--seconds {args.seconds:g}: give 1 to 600 seconds")
    made = estimator(args)
    poses: list = []
    with open_source(source_text) as source:
        live = not isinstance(source, FileSource)
        stop = threading.Event()
        if live:
            if args.seconds is None and not sys.stdin.isatty():
                raise ReptrackError(
                    "recording from a camera or stream needs a terminal to press Enter in",
                    hint="or give --seconds S to record for S seconds",
                )
            if args.seconds is None:
                threading.Thread(target=_wait_for_enter, args=(stop,), daemon=True).start()
            until = "" if args.seconds is None else f" ({args.seconds:g} s)"
            err.print(
                f"Recording from {esc(source.description)}{until}: stand where the camera sees "
                "your whole body, do 3-5 slow, full reps"
                + (", then press Enter." if args.seconds is None else ".")
            )
        total = len(source) or None if isinstance(source, FileSource) else None
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[seen]}"))  # fmt: skip
        started = time.monotonic()

        def done() -> bool:
            late = args.seconds is not None and time.monotonic() - started > args.seconds
            return late or stop.is_set()

        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task(
                "recording" if live else esc(Path(source_text).name), total=total, seen=""
            )

            def tick(frames: int, seen: int) -> None:
                progress.update(task, completed=frames, seen=f"person seen in {seen / frames:.0%}")

            try:
                demos.record(source, made, done=done, tick=tick, poses=poses)
            except KeyboardInterrupt:  # Ctrl-C ends a camera recording; what it holds is kept
                if not live:
                    raise
        description = source.description
    return Demo(poses, Path(description).name if not live else description)


# -- learn -------------------------------------------------------------------------------------
def run_learn(args: argparse.Namespace) -> int:
    from reptrack.teach import lesson as teaching

    target = teaching.learn_target(args.name, args.force)  # before a recording is wasted
    lesson = teaching.learn(record(args, args.source), args.name, target, reps=args.reps)
    _tell(lesson)
    lesson.save()
    out.print(f"wrote {esc(target)}")
    out.print(f"count it with: reptrack {esc(args.name)}    read or edit it: that file")
    return 0


def run_calibrate(args: argparse.Namespace) -> int:
    from reptrack.teach import lesson as teaching

    shipped, target = teaching.calibrate_target(args.exercise, args.force)
    lesson = teaching.calibrate(record(args, args.source), shipped, target)
    _tell(lesson)
    if lesson.text is not None:
        lesson.save()
        out.print(f"wrote {esc(target)} (delete it to go back to the shipped thresholds)")
    return 0


def _tell(lesson) -> None:
    for line in lesson.lines:
        out.print(line, markup=False)
    for note in lesson.notes:
        err.print(f"[yellow]note:[/] {esc(note)}")
