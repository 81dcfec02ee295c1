"""The `reptrack` command line: parses arguments and turns user errors into clear messages."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console

from reptrack import __version__
from reptrack.errors import ReptrackError
from reptrack.pose.factory import BACKENDS

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)

Handler = Callable[[argparse.Namespace], int]


def _add_pose_options(p: argparse.ArgumentParser) -> None:
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
        type=_size,
        default=(368, 368),
        metavar="WxH",
        help="with --backend openpose: input blob size (default 368x368; smaller is faster)",
    )


def _size(text: str) -> tuple[int, int]:
    try:
        w, _, h = text.lower().partition("x")
        width, height = int(w), int(h or w)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 368x368") from None
    if not (16 <= width <= 4096 and 16 <= height <= 4096):
        raise argparse.ArgumentTypeError(f"{text!r}: width and height must be 16 to 4096")
    return width, height


def _estimator(args: argparse.Namespace, announce: bool = True):  # -> PoseEstimator
    from reptrack.pose.factory import make_estimator

    estimator = make_estimator(
        args.backend,
        args.model,
        openpose_model=args.openpose_model,
        openpose_size=args.openpose_size,
    )
    if announce and (note := getattr(estimator, "note", None)):
        err.print(f"[yellow]note:[/] {note}")
    return estimator


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
        from reptrack.pose import openpose

        for fmt in openpose.FORMATS.values():
            found = openpose.find_files(fmt)
            state = f"[green]ok[/] ({found[0].parent})" if found else "[yellow]not installed[/]"
            files = f"{fmt.prototxts[0]} + {fmt.caffemodel}"
            table.add_row(f"openpose-{fmt.name}", files, state, f"{fmt.title} (you supply it)")
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
        from reptrack.pose import openpose

        for name in args.names:
            path = Path(name)
            if path.suffix in (".prototxt", ".caffemodel") and path.is_file():
                out.print(f"imported {openpose.import_file(path)}")
                continue
            imported = models.import_path(path)
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
        err.print(
            "[red]the default models could not be fetched[/]: reptrack cannot run without "
            "them. Fix the cause above, or `reptrack models import PATH`."
        )
        return 1
    if failed:
        err.print("[yellow]some optional models are missing[/]; the default (full) works.")
    return 0


# -- pose ------------------------------------------------------------------------------------
def cmd_pose(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from reptrack.pose.dump import run_pose
    from reptrack.sources import FileSource

    estimator = _estimator(args)
    with FileSource(args.video) as source:
        columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err, transient=True, disable=args.quiet) as progress:
            task = progress.add_task(Path(args.video).name, total=len(source) or None)
            run = run_pose(source, estimator, lambda n: progress.advance(task, n))
    if args.out:
        run.save(args.out)
    out.print(f"{Path(args.video).name} ({args.backend} {args.model}): {run.summary()}")
    return 0


# -- exercises -------------------------------------------------------------------------------
def cmd_exercises(args: argparse.Namespace) -> int:
    from reptrack.exercise import spec as specs

    if args.action == "list":
        for name, path in specs.available().items():
            try:
                s = specs.load_file(path)
                out.print(f"[bold]{name:16s}[/] {s.description}  [dim]({path})[/]")
            except ReptrackError as exc:
                out.print(f"[bold]{name:16s}[/] [red]invalid[/]: {exc.message.splitlines()[0]}")
        return 0
    if not args.target:
        raise ReptrackError(f"`reptrack exercises {args.action}` needs a NAME or FILE")
    if args.action == "show":
        s = specs.load(args.target)
        out.print(f"# {s.source}\n")
        out.print(s.text, markup=False)
        return 0
    s = specs.load_file(args.target)
    out.print(
        f"{args.target}: ok — {s.title}, counts {s.counter.angle} "
        f"({s.side} side), {len(s.rules)} form rule(s)"
    )
    return 0


# -- eval ------------------------------------------------------------------------------------
def cmd_eval(args: argparse.Namespace) -> int:
    import json

    from reptrack.evaluate import evaluate, load_labels, summary

    labels = load_labels(args.labels)
    factory = None
    if not args.reference:
        announced = False

        def factory():  # a fresh tracker per video; its note (if any) is printed once
            nonlocal announced
            estimator = _estimator(args, announce=not announced)
            announced = True
            return estimator

    with err.status("evaluating…") as status:
        results = evaluate(
            labels,
            reference=Path(args.reference) if args.reference else None,
            estimator_factory=factory,
            progress=lambda name: status.update(f"evaluating {name}…"),
        )
    summ = summary(results)
    if args.json:
        print(json.dumps({"videos": [r.to_json() for r in results], "summary": summ}, indent=2))
        return 0
    for r in results:
        ok = "[green]✓[/]" if r.predicted == r.label.reps else "[red]✗[/]"
        flags = "; ".join(f"{x.number}:{','.join(x.flags)}" for x in r.reps if x.flags)
        out.print(
            f"{ok} {r.label.file.name:26s} expected {r.label.reps:2d}  predicted "
            f"{r.predicted:2d}  {flags}"
        )
    out.print(
        f"\nexact {summ['exact']}/{summ['videos']} ({summ['exact_rate']:.0%}), within one "
        f"{summ['within_one']}/{summ['videos']} ({summ['within_one_rate']:.0%}), "
        f"mean |error|/true {summ['mean_abs_error_rel']:.3f}, {summ['fps']:.1f} frames/s"
    )
    return 0


# -- the workout ----------------------------------------------------------------------------
def _plan(args: argparse.Namespace):  # -> reptrack.workout.Plan (imported lazily)
    from reptrack.workout import Plan

    return Plan(
        exercise=getattr(args, "exercise", None) or "squat",
        source=getattr(args, "source", "0"),
        backend=args.backend,
        model=args.model,
        openpose_model=args.openpose_model,
        openpose_size=args.openpose_size,
        side=getattr(args, "side", None),
        target_reps=getattr(args, "target_reps", None),
        sets=getattr(args, "sets", None),
        rest=getattr(args, "rest", 60.0),
        db=args.db,
        save=not getattr(args, "no_save", False),
    )


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _print_summary(summary) -> None:  # summary: reptrack.workout.Summary
    good = sum(r.clean for r in summary.reps)
    sets = f" in {summary.sets} sets" if summary.sets > 1 else ""
    rate = summary.loop_fps
    out.print(
        f"[bold]{len(summary.reps)} reps[/]{sets} ({good} clean) in {summary.seconds:.0f} s"
        + (f", session {summary.session_id} saved" if summary.session_id else "")
        + f" [dim]({summary.frames} frames, {rate:.1f} frames/s)[/]"
    )
    if summary.end_reason:
        err.print(f"[yellow]{summary.end_reason}[/]")


def cmd_home(args: argparse.Namespace) -> int:
    from reptrack.tui.app import ReptrackApp, run

    for summary in _run_app(run, ReptrackApp(_plan(args))):
        _print_summary(summary)
    return 0


def _run_app(run, app) -> list:
    run(app)
    if app.return_code not in (0, None):
        raise ReptrackError("the TUI stopped with an error (see above)")
    return app.summaries


def cmd_workout(args: argparse.Namespace) -> int:
    from reptrack.workout import open_workout

    if args.record and not args.record.lower().endswith((".mp4", ".avi")):
        raise ReptrackError(f"--record {args.record}: use a .mp4 or .avi file name")
    if args.no_tui or args.json or not _interactive():
        return _headless(args, open_workout(_plan(args)))
    from reptrack.tui.app import ReptrackApp, run
    from reptrack.tui.live import LiveOptions

    plan = _plan(args)
    workout = open_workout(plan)  # a bad source or model is reported before the TUI
    options = LiveOptions(preview=args.preview, record=args.record, bell=args.bell)
    app = ReptrackApp(plan, workout=workout, live=options)
    summaries = _run_app(run, app)
    if not summaries:  # the app was closed some other way: the session is still saved
        summaries = [workout.finish()]
    for summary in summaries:
        _print_summary(summary)
    return 0


def _headless(args: argparse.Namespace, workout) -> int:
    import json

    from reptrack.exercise.counter import FormWarning, PoseFound, PoseLost, RepCompleted

    spec, source = workout.spec, workout.source
    quiet = args.json

    def on_frame(r):
        for e in r.events:
            if quiet:
                continue
            if isinstance(e, RepCompleted):
                rep = e.rep
                state = "clean" if rep.clean else "flagged: " + ", ".join(rep.messages)
                out.print(f"rep {rep.number} ({rep.side}, {rep.duration:.1f} s) — {state}")
            elif isinstance(e, FormWarning):
                out.print(f"  [yellow]{e.message}[/]")
            elif isinstance(e, PoseLost):
                out.print("  [dim]step into view[/]")
            elif isinstance(e, PoseFound):
                out.print("  [dim]tracking[/]")

    for note in workout.notes:
        err.print(f"[yellow]note:[/] {note}")
    if not quiet:
        out.print(f"{spec.title} from {source.description} — Ctrl-C to finish and save")
    from reptrack.preview import AnnotatedOutput

    output = AnnotatedOutput(spec, source.fps, args.record)
    window = args.preview
    if window and output.window.problem:
        err.print(f"[yellow]{output.window.problem}[/]; counting goes on without it")
        window = False

    def on_frame_and_draw(r) -> None:
        nonlocal window
        on_frame(r)
        if not output.frame(r, window=window):
            if output.window.problem:
                err.print(f"[yellow]{output.window.problem}[/]")
            window = False

    try:
        summary = workout.run(on_frame_and_draw)
    finally:
        output.close()
    if args.json:
        print(json.dumps(summary.to_json(), indent=2))
    else:
        _print_summary(summary)
    return 0


# -- history / export / rescore --------------------------------------------------------------
def _session_json(row: dict) -> dict:
    keys = ("id", "exercise", "started_at", "ended_at", "status", "reps", "good_reps", "source")
    return {k: row.get(k) for k in keys}


def cmd_history(args: argparse.Namespace) -> int:
    import json

    from rich.table import Table

    from reptrack.store import Store

    store = Store(args.db)
    store.recover_interrupted()
    if args.action == "show":
        if args.id is None:
            raise ReptrackError("`reptrack history show` needs a session ID")
        row = store.session(args.id)
        reps = store.reps(args.id)
        if args.json:
            print(json.dumps({**_session_json(row), "rep_details": reps}, indent=2))
            return 0
        out.print(
            f"[bold]session {row['id']}[/] {row['exercise']} {row['started_at']} "
            f"{row['status']}: {row['reps']} reps, {row['good_reps']} clean"
        )
        table = Table("n", "side", "duration s", "down s", "up s", "range °", "flags")
        for r in reps:
            table.add_row(
                str(r["n"]),
                r["side"],
                f"{r['duration']:.1f}",
                f"{r['time_down']:.1f}",
                f"{r['time_up']:.1f}",
                f"{r['range_of_motion']:.0f}",
                ", ".join(r["flags"]),
            )
        out.print(table)
        return 0
    rows = store.sessions(args.exercise, args.since)
    if args.json:
        print(json.dumps([_session_json(r) for r in rows], indent=2))
        return 0
    table = Table("id", "started", "exercise", "reps", "clean", "status")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["started_at"][:19],
            r["exercise"],
            str(r["reps"]),
            str(r["good_reps"]),
            r["status"],
        )
    out.print(table)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from reptrack.export import export
    from reptrack.store import Store

    text = export(Store(args.db), args.format)
    if args.out:
        Path(args.out).write_text(text)
        err.print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_rescore(args: argparse.Namespace) -> int:
    from reptrack.rescore import rescore
    from reptrack.store import Store

    store = Store(args.db)
    result = rescore(store, args.id, args.exercise_file)
    out.print(
        f"session {args.id}: stored {len(result.old)} reps ({result.old_clean} clean) "
        f"→ re-scored {len(result.new)} reps ({result.new_clean} clean)"
    )
    for rep in result.new:
        out.print(f"  rep {rep.number} ({rep.side}): {', '.join(rep.flags) or 'clean'}")
    if args.save:
        store.replace_reps(args.id, result.new)
        out.print("saved")
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
    p.add_argument(
        "action",
        choices=("list", "fetch", "import", "path"),
        help="list: what is installed; fetch [NAME…]: download, verify and cache; "
        "import PATH…: take .tflite or .task files, or OpenPose .prototxt/.caffemodel files, "
        "you have; path [NAME]: where they are",
    )
    p.add_argument("names", nargs="*", metavar="NAME|PATH")
    p.add_argument("--force", action="store_true", help="fetch again even if present")


@_subcommand("pose", "run the pose model over a video, dump landmarks and print its speed")
def _pose_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("video", help="video file")
    p.add_argument(
        "--out",
        metavar="FILE.npz",
        help="write landmarks (image, world, present, fps, width, height)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_pose_options(p)


@_subcommand("exercises", "list, show or check exercise definitions (TOML)")
def _exercises_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        choices=("list", "show", "check"),
        help="list: all known; show NAME: print the definition; check FILE: validate",
    )
    p.add_argument("target", nargs="?", metavar="NAME|FILE")


@_subcommand("eval", "count every labelled video and compare with the hand counts")
def _eval_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("labels", help="labels TOML ([[video]] tables with file, exercise, reps)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument(
        "--reference",
        metavar="DIR",
        help="replay landmark files (VIDEO_STEM.npz) from DIR instead of running the pose model",
    )
    _add_pose_options(p)


def _add_db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        metavar="PATH",
        help="session database (default: REPTRACK_DB or the user data directory)",
    )


@_subcommand("history", "list past sessions, or show one")
def _history_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    p.add_argument("id", nargs="?", type=int, help="session id (for show)")
    p.add_argument("--exercise", help="only this exercise")
    p.add_argument(
        "--since", metavar="DATE", help="only sessions started on or after DATE (YYYY-MM-DD)"
    )
    p.add_argument("--json", action="store_true")
    _add_db_option(p)


@_subcommand("export", "export all sessions and reps as CSV or JSON")
def _export_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("csv", "json"), default="json")
    p.add_argument("--out", metavar="PATH", help="write to a file instead of stdout")
    _add_db_option(p)


@_subcommand("rescore", "replay a stored session through the current or an edited definition")
def _rescore_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", type=int, help="session id")
    p.add_argument("--exercise-file", metavar="FILE", help="an edited exercise TOML")
    p.add_argument("--save", action="store_true", help="replace the stored reps with the new ones")
    _add_db_option(p)


def build_workout_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="reptrack EXERCISE",
        description="Count reps of EXERCISE (squat, curl, … — see `reptrack exercises list`) "
        "live from a camera, a video file or a stream, and log the session.",
    )
    p.add_argument("exercise", help="exercise name or path to an exercise TOML file")
    p.add_argument(
        "--source",
        default="0",
        help="camera index (default 0), video file, or stream URL "
        "(http://PHONE:8080/video for MJPEG, rtsp://…)",
    )
    p.add_argument(
        "--side",
        choices=("left", "right", "both", "auto"),
        help="body side to count (default: the exercise's; both = each side on its own)",
    )
    p.add_argument(
        "--target-reps", type=int, metavar="N", help="reps per set; rest starts when reached"
    )
    p.add_argument("--sets", type=int, metavar="N", help="number of sets planned")
    p.add_argument(
        "--rest",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="rest between sets (default 60); the next set starts when it is over",
    )
    p.add_argument(
        "--preview",
        action="store_true",
        help="show the camera with the skeleton and joint angles in a window (p toggles it)",
    )
    p.add_argument(
        "--record",
        metavar="OUT.mp4",
        help="write the annotated video (skeleton, angles, count) to a file",
    )
    p.add_argument("--bell", action="store_true", help="ring the terminal bell on every rep")
    p.add_argument(
        "--no-tui",
        action="store_true",
        help="print reps as text instead of the TUI (the default when not in a terminal)",
    )
    p.add_argument("--json", action="store_true", help="with --no-tui: print a JSON summary only")
    p.add_argument("--no-save", action="store_true", help="do not log the session")
    _add_db_option(p)
    _add_pose_options(p)
    return p


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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, configure, handler) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:])
        configure(p)
        p.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if argv and not argv[0].startswith("-") and argv[0] not in SUBCOMMANDS:
        args = build_workout_parser().parse_args(argv)
        args.handler = cmd_workout
    else:
        args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        if not _interactive():
            parser.print_help()
            return 0
        args = build_workout_parser().parse_args(["squat"])
        args.handler = cmd_home
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
