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
CALIBRATE_HELP = "fit a shipped exercise's thresholds to your own range of motion"
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
        type=int,
        metavar="N",
        help="how many reps the demonstration holds: prefer the angle that repeats N times",
    )
    add_demo_options(p)


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

    from reptrack.exercise.demo import Demo, from_landmarks
    from reptrack.sources import FileSource, open_source

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
        total = None if live else (len(source) or None)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[seen]}"))  # fmt: skip
        started = time.monotonic()
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task(
                "recording" if live else esc(Path(source_text).name), total=total, seen=""
            )
            seen = 0
            try:
                while not stop.is_set():
                    if args.seconds is not None and time.monotonic() - started > args.seconds:
                        break
                    frame = source.read()
                    if frame is None:
                        break
                    pose = made.estimate(frame.image, frame.timestamp)
                    poses.append((frame.timestamp, pose))
                    seen += pose is not None
                    progress.update(task, advance=1, seen=f"person seen in {seen / len(poses):.0%}")
            except KeyboardInterrupt:
                if not live:
                    raise
        description = source.description
    return Demo(poses, Path(description).name if not live else description)


def _check_seen(demo) -> None:
    if len(demo.poses) < 10:
        raise ReptrackError(f"{demo.description}: only {len(demo.poses)} frame(s) recorded")
    if demo.seen < 0.2:
        raise ReptrackError(
            f"{demo.description}: a person was seen in only {demo.seen:.0%} of the frames",
            hint="the whole body should be in view, lit from the front",
        )


def _user_file(name: str) -> Path:
    from reptrack import paths

    return paths.config_dir() / "exercises" / f"{name}.toml"


# -- learn -------------------------------------------------------------------------------------
def run_learn(args: argparse.Namespace) -> int:
    from reptrack import paths
    from reptrack.exercise import authoring, learning
    from reptrack.exercise import demo as demos
    from reptrack.exercise import spec as specs
    from reptrack.outputs import write_text

    name = authoring.check_name(args.name)
    if args.reps is not None and not 2 <= args.reps <= 100:
        raise ReptrackError(f"--reps {args.reps}: a demonstration holds 2 to 100 reps")
    target = _user_file(name)
    shipped = paths.shipped("exercises") / f"{name}.toml"
    if not args.force:  # checked first: a clash must not cost a recording
        if target.exists():
            raise ReptrackError(f"you already have an exercise {name!r} ({target})",
                                hint="choose another --name, or --force to replace it")  # fmt: skip
        if shipped.exists():
            raise ReptrackError(f"{name!r} is a shipped exercise: yours would hide it",
                                hint="choose another --name, or --force to hide it")  # fmt: skip
    demo = record(args, args.source)
    _check_seen(demo)
    t, values = demos.streams(demo.poses, demos.candidate_spec())
    finding = learning.choose(demos.traces(t, values), reps=args.reps)
    th = learning.thresholds(finding.cycles, finding.decrease)
    trunk = {side: values[f"trunk_image.{side}"] for side in ("left", "right")}
    lean = learning.trunk_limit(finding, t, trunk)
    found = len(finding.traces[0].cycles)
    text = authoring.learned(name, finding, th, demo.description, found, lean)
    spec = specs.parse(text, str(target), name)  # the validator `exercises check` uses
    reps = demos.count(demo.poses, spec)
    side = finding.sides if finding.sides != "both" else "both sides'"
    out.print(
        f"found {found} reps: {side} {finding.candidate.name}, {th.rest:g}° → {th.far:g}° "
        f"({finding.mode}); counting them back with the new definition: {len(reps)}",
        markup=False,
    )
    if args.reps is not None and len(reps) != args.reps:
        err.print(f"[yellow]note:[/] you said {args.reps} reps; the definition counts {len(reps)}")
    if len(reps) < learning.MIN_CYCLES:
        raise ReptrackError(
            f"the learned definition counts {len(reps)} rep(s) in its own demonstration: "
            "not writing it",
            hint="film 3-5 slow, full reps, starting and ending at rest",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text(target, text)
    out.print(f"wrote {esc(target)}")
    out.print(f"count it with: reptrack {esc(name)}    read or edit it: that file")
    return 0


# -- calibrate ---------------------------------------------------------------------------------
def run_calibrate(args: argparse.Namespace) -> int:
    from reptrack import paths
    from reptrack.exercise import authoring, learning
    from reptrack.exercise import demo as demos
    from reptrack.exercise import spec as specs
    from reptrack.outputs import write_text

    name = args.exercise
    shipped_path = paths.shipped("exercises") / f"{name}.toml"
    if not shipped_path.is_file():
        specs.load(name)  # an unknown name says so, with the known ones
        raise ReptrackError(
            f"{name!r} is not a shipped exercise: calibrate fits the shipped definitions",
            hint=f"to fit an exercise of your own, learn it again: reptrack exercises learn "
            f"SOURCE --name {name} --force",
        )
    shipped = specs.load_file(shipped_path)
    target = _user_file(name)
    if target.exists() and not args.force:
        head = target.read_text(encoding="utf-8", errors="replace")[:200]
        if not head.startswith(authoring.CALIBRATED):
            raise ReptrackError(f"{target} is your own definition of {name}: calibrating would "
                                "replace it", hint="--force replaces it")  # fmt: skip
    demo = record(args, args.source)
    _check_seen(demo)
    angle = shipped.counter.angle
    t, values = demos.streams(demo.poses, shipped)
    decrease = shipped.counter.direction == "decrease"
    per_side = {
        side: learning.find_cycles(learning.smooth(learning.regular(t, values[key])), decrease)
        for side in ("left", "right")
        if (key := f"{angle}.{side}") in values
    }
    side, cycles = max(per_side.items(), key=lambda kv: (len(kv[1]), sum(c.depth for c in kv[1])))
    cal = learning.calibration(shipped.counter, cycles, f"{side} {angle}")
    before = len(demos.count(demo.poses, shipped))
    out.print(
        f"measured {cal.reps} reps on the {side} {angle}: {cal.rest:g}° at rest, "
        f"{cal.far:g}° at the turn (medians); the shipped {name} counts {before}",
        markup=False,
    )
    if not cal.changes:
        out.print(f"the shipped thresholds already suit you: nothing to change ({esc(target)} "
                  "not written)")  # fmt: skip
        return 0
    text = authoring.calibrated(shipped, cal.changes, cal.why)
    spec = specs.parse(text, str(target), name)
    after = len(demos.count(demo.poses, spec))
    for line in cal.why:
        out.print(f"  {line}", markup=False)
    out.print(f"with them it counts {after}; every form rule is kept as shipped", markup=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text(target, text)
    out.print(f"wrote {esc(target)} (delete it to go back to the shipped thresholds)")
    return 0
