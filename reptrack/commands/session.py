"""`reptrack EXERCISE`: count a workout live, in the TUI or as text, and log it."""

from __future__ import annotations

import argparse

from reptrack.clock import faults_text, held_text
from reptrack.commands.common import (
    add_db_option,
    add_pose_options,
    err,
    esc,
    out,
    pose_options,
)
from reptrack.commands.terminal import interactive
from reptrack.errors import ReptrackError


def build_parser() -> argparse.ArgumentParser:
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
        help="body side to count (default: the exercise's; auto = both sides, a rep of both "
        "arms together once, alternating arms each; both = every side's rep on its own)",
    )
    p.add_argument(
        "--target-reps",
        type=_number(int, "a whole number", "check_planned", "--target-reps"),
        metavar="N",
        help="reps per set; rest starts when reached",
    )
    p.add_argument(
        "--target-seconds",
        type=_number(float, "a number of seconds", "check_target_seconds"),
        metavar="SECONDS",
        help="a timed hold's (plank, side_plank, wall_sit) time in position per set; rest "
        "starts when reached",
    )
    p.add_argument(
        "--sets",
        type=_number(int, "a whole number", "check_planned", "--sets"),
        metavar="N",
        help="number of sets planned",
    )
    p.add_argument(
        "--rest",
        type=_number(float, "a number of seconds", "check_rest"),
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
    p.add_argument(
        "--view",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="the camera picture with the skeleton inside the TUI (default: shown when the "
        "terminal is at least 100×30; v toggles it)",
    )
    p.add_argument(
        "--log-csv",
        metavar="FILE.csv",
        help="write a line per rep to FILE.csv as it is counted (set, rep, side, duration, "
        "range, how it was counted, flags), for another program to follow",
    )
    p.add_argument(
        "--log-jsonl",
        metavar="FILE.jsonl",
        help="write every event of the session (reps, phases, warnings, sets, rest, holds) to "
        "FILE.jsonl as it happens, one JSON object a line",
    )
    p.add_argument(
        "--bell", action="store_true", help="ring the terminal bell on every rep and after a rest"
    )
    p.add_argument(
        "--voice",
        action="store_true",
        help="speak each rep number, new form warnings, and 'set done' / 'rest over' "
        "(m mutes); needs a speech engine: espeak-ng on Linux, the system's on macOS/Windows",
    )
    p.add_argument(
        "--no-tui",
        action="store_true",
        help="print reps as text instead of the TUI (the default when not in a terminal)",
    )
    p.add_argument("--json", action="store_true", help="with --no-tui: print a JSON summary only")
    p.add_argument("--no-save", action="store_true", help="do not log the session")
    add_db_option(p)
    add_pose_options(p)
    return p


def _number(kind: type, what: str, check: str, *before: str):
    """An argparse type: the text as `kind`, checked by `reptrack.session.request`'s function
    `check` (given `before` first), imported when an option is given: --help stays quick."""

    def parse(text: str):
        from reptrack.session import request as plan

        try:
            value = getattr(plan, check)(*before, kind(text))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        except ReptrackError as exc:
            raise argparse.ArgumentTypeError(exc.message) from None
        return value

    return parse


def plan(args: argparse.Namespace):  # -> reptrack.session.request.Request (imported lazily)
    from reptrack.session.request import Request

    return Request(
        exercise=getattr(args, "exercise", None) or "squat",
        source=getattr(args, "source", "0"),
        backend=args.backend,
        pose=pose_options(args),
        side=getattr(args, "side", None),
        target_reps=getattr(args, "target_reps", None),
        target_seconds=getattr(args, "target_seconds", None),
        sets=getattr(args, "sets", None),
        rest=getattr(args, "rest", 60.0),
        log_csv=getattr(args, "log_csv", None),
        log_jsonl=getattr(args, "log_jsonl", None),
        db=args.db,
        save=not getattr(args, "no_save", False),
    )


def reps_text(n: int) -> str:
    return f"{n} rep" if n == 1 else f"{n} reps"


def print_summary(summary) -> None:  # summary: reptrack.session.results.Summary
    from reptrack.exercise.events import longest_hold

    sets = f" in {summary.sets} sets" if summary.sets > 1 else ""
    rate = summary.loop_fps
    if summary.holds is not None:
        best = longest_hold(summary.holds)
        n = len(summary.holds)
        what = (
            f"[bold]held {held_text(summary.held_seconds or 0.0)}[/]{sets} "
            f"({n} hold{'s' if n != 1 else ''}, best {held_text(best)})"
        )
    else:
        good = sum(r.clean for r in summary.reps)
        what = f"[bold]{reps_text(len(summary.reps))}[/]{sets} ({good} clean)"
    # A set `reptrack auto` named as the stream ended was counted from the frames watched
    # while deciding: its loop ran no frame, so it has no time or rate of its own to tell.
    took = f" in {summary.seconds:.0f} s" if rate else ""
    saved = f", session {summary.session_id} saved" if summary.session_id else ""
    speed = f", {rate:.1f} frames/s" if rate else ""
    out.print(f"{what}{took}{saved} [dim]({summary.frames} frames{speed})[/]")
    if len(summary.set_details) > 1:
        for s in summary.set_details:
            took = f" in {s['seconds']:.0f} s" if s["seconds"] is not None else ""
            if "held_seconds" in s:
                out.print(f"  set {s['set']}: held {held_text(s['held_seconds'])}{took}")
            else:
                out.print(
                    f"  set {s['set']}: {reps_text(s['reps'])} ({s['clean_reps']} clean){took}"
                )
    for note in summary.notes:
        err.print(f"[yellow]{esc(note)}[/]")


def run_home(args: argparse.Namespace) -> int:
    from reptrack.tui.app import ReptrackApp

    for summary in run_app(ReptrackApp(plan(args))):
        print_summary(summary)
    return 0


def run_app(app, runner=None) -> list:
    """Run the TUI app (through `runner`, the terminal's by default); its summaries, or one
    error when it stopped on one."""
    from reptrack.tui.app import run, stderr_log

    (runner or run)(app)
    if app.return_code not in (0, None):
        error = getattr(app, "_exception", None)  # Textual keeps what stopped the app
        what = f": {type(error).__name__}: {error}" if error is not None else ""
        raise ReptrackError(
            f"the TUI stopped on an error{what}",
            hint=f"sessions are saved as far as they went; the details are in {stderr_log()}",
        )
    return app.summaries


def run_workout(args: argparse.Namespace) -> int:
    from reptrack.session.request import open_exercise

    if args.record is not None:  # before the session: a bad path must not leave one behind
        from reptrack.files import check_output
        from reptrack.store import default_path

        check_output(args.record, what="--record", suffixes=(".mp4", ".avi"),
                     inputs=[args.source, args.db or default_path()])  # fmt: skip
    if args.no_tui or args.json or not interactive():
        return _headless(args, open_exercise(plan(args)))
    the_plan = plan(args)
    workout = open_exercise(the_plan)  # a bad source or model is reported before the TUI
    from reptrack.tui.app import ReptrackApp
    from reptrack.tui.live_options import LiveOptions

    options = LiveOptions(
        preview=args.preview, view=args.view, record=args.record, bell=args.bell, voice=args.voice
    )
    app = ReptrackApp(the_plan, workout=workout, live=options)
    summaries = run_app(app)
    if not summaries:  # the app was closed some other way: the session is still saved
        summaries = [workout.finish()]
    for summary in summaries:
        print_summary(summary)
    return 1 if any(s.end_reason for s in summaries) else 0


def start_voice():  # -> sinks.voice.Voice, started; a missing engine is said once on stderr
    from reptrack.sinks.voice import Voice

    voice = Voice(on_problem=lambda message: err.print(f"[yellow]voice:[/] {esc(message)}"))
    voice.start()
    return voice


class Printer:
    """The headless run's sink: what each step's events mean to the person, printed as they
    happen (`say`)."""

    def __init__(self, *, in_block: bool = False) -> None:
        self.in_block = in_block

    def frame(self, result) -> None:  # result: reptrack.session.results.FrameResult
        say(result.events, in_block=self.in_block)

    def close(self, status: str, reason: str | None) -> None:
        pass

    def notices(self) -> list[str]:
        return []


def headless_sinks(
    args: argparse.Namespace, voice, *, in_block: bool = False, output=None, preview=False
):
    """What a headless run prints, says and rings as it goes, as the TUI does (`presenting`):
    the printer (not with --json), the voice, the bell, and `output`'s recording and window
    (while `preview`: a window that cannot be shown is said once, and counting goes on)."""
    from reptrack.sinks.presenting import presenting

    window = preview

    def lost(problem: str | None) -> None:
        nonlocal window
        if window and problem:
            err.print(f"[yellow]{esc(problem)}[/]")
        window = False

    printing = [] if args.json else [Printer(in_block=in_block)]
    ring = err.bell if getattr(args, "bell", False) else None  # stderr: --json stays clean
    shown = presenting(voice=voice, in_block=in_block, ring=ring, output=output,
                       window=lambda: window, lost=lost)  # fmt: skip
    return [*printing, *shown]


def _headless(args: argparse.Namespace, workout) -> int:
    import json
    import threading

    from reptrack.session.stopping import stop_signals_call
    from reptrack.video.preview import AnnotatedOutput

    spec, source = workout.spec, workout.source
    for note in workout.notes:
        err.print(f"[yellow]note:[/] {esc(note)}")
    if not args.json:
        out.print(
            f"{spec.title} from {source.description} — Ctrl-C to finish and save", markup=False
        )
    output = AnnotatedOutput(spec, source.fps, args.record)
    preview = args.preview
    if preview and output.window.problem:
        err.print(f"[yellow]{esc(output.window.problem)}[/]; counting goes on without it")
        preview = False
    voice = start_voice() if args.voice else None
    workout.sinks += headless_sinks(args, voice, output=output, preview=preview)
    stop = threading.Event()
    try:
        with stop_signals_call(stop.set):  # kill / a closed terminal end it as Ctrl-C does
            summary = workout.run(stop=stop)
    finally:
        output.close()
        if voice is not None:
            voice.close(timeout=10)  # let it finish the last number
    if args.json:
        print(json.dumps(summary.to_json(), indent=2))
    else:
        print_summary(summary)
    # What was counted is saved; a source that failed (a camera pulled out, a file cut
    # short) still makes the exit code say that something went wrong.
    return 1 if summary.end_reason else 0


def say(events, *, in_block: bool = False) -> None:
    """Print what a frame's events mean to the person, as `--no-tui` does (`in_block`: the
    session is one block of a workout plan, whose sets done end the block)."""
    from reptrack.exercise.events import (
        FormWarning,
        HoldEnded,
        HoldStarted,
        HoldTick,
        PoseFound,
        PoseLost,
        RepCompleted,
        RuleUnjudged,
    )
    from reptrack.session.sets import RestOver, RestStarted, SetDone, WorkoutDone
    from reptrack.sinks import SinkNotice

    for e in events:
        if isinstance(e, RepCompleted):
            rep = e.rep
            state = "clean" if rep.clean else "flagged: " + ", ".join(rep.messages)
            out.print(f"rep {rep.number} ({rep.side}, {rep.duration:.1f} s) — {esc(state)}")
        elif isinstance(e, FormWarning):
            out.print(f"  [yellow]{esc(e.message)}[/]")
        elif isinstance(e, RuleUnjudged):
            out.print(f"  [dim]{esc(e.message)}[/]")
        elif isinstance(e, SinkNotice):
            err.print(f"[yellow]{esc(e.message)}[/]")
        elif isinstance(e, HoldStarted):
            out.print(f"in position — hold {e.number}")
        elif isinstance(e, HoldTick):
            out.print(f"  {held_text(e.seconds)} held")
        elif isinstance(e, HoldEnded):
            hold = e.hold
            out.print(
                f"hold {hold.number}: {held_text(hold.seconds)} — {faults_text(hold.faults)}",
                markup=False,
            )
        elif isinstance(e, SetDone) and e.held is not None:
            out.print(f"[bold]set {e.number} done[/]: held {held_text(e.held)}")
        elif isinstance(e, SetDone):
            out.print(f"[bold]set {e.number} done[/]: {reps_text(e.reps)} ({e.clean} clean)")
        elif isinstance(e, RestStarted) and e.before_block:
            out.print(f"rest {e.until - e.t:g} s — then the next block")
        elif isinstance(e, RestStarted):
            out.print(f"rest {e.until - e.t:g} s — set {e.next_set} next")
        elif isinstance(e, RestOver) and e.before_block:
            out.print("[bold]rest over — the next block[/]")
        elif isinstance(e, RestOver):
            out.print(f"[bold]rest over — set {e.next_set}[/]")
        elif isinstance(e, WorkoutDone):
            done = "block done" if in_block else "workout complete"
            out.print(f"[bold]{done}[/]: {e.sets} set{'s' if e.sets != 1 else ''}")
        elif isinstance(e, PoseLost):
            out.print("  [dim]step into view[/]")
        elif isinstance(e, PoseFound):
            out.print("  [dim]tracking[/]")
