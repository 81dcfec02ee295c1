"""`reptrack workout PLAN`: run a workout plan block by block, in the TUI or as text, and log
it as one workout; `reptrack workout list` shows the plans."""

from __future__ import annotations

import argparse
import json

from reptrack.commands.common import add_db_option, add_pose_options, err, esc, out, pose_options
from reptrack.commands.session import headless_sinks, print_summary, start_voice
from reptrack.commands.terminal import interactive


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "plan",
        help="a plan's name (see `reptrack workout list`) or the path of a plan TOML file; "
        "`list` shows the plans",
    )
    p.add_argument(
        "--recognize",
        action="store_true",
        help="watch for the next block's exercise: start it early and the plan moves on, "
        "counting it from its first rep (costs a few percent of the frame rate)",
    )
    add_run_options(p)


def add_run_options(p: argparse.ArgumentParser) -> None:
    """The options of a run of several exercises over one source (a plan's, `auto`'s)."""
    p.add_argument(
        "--source",
        default="0",
        help="camera index (default 0), video file, or stream URL",
    )
    p.add_argument(
        "--side",
        choices=("left", "right", "both", "auto"),
        help="body side to count (default: each exercise's)",
    )
    p.add_argument(
        "--log-csv",
        metavar="FILE.csv",
        help="write a line per rep and per hold to FILE.csv as it is counted",
    )
    p.add_argument(
        "--log-jsonl",
        metavar="FILE.jsonl",
        help="write every event of the session (reps, phases, warnings, sets, rest, holds) to "
        "FILE.jsonl as it happens, one JSON object a line",
    )
    p.add_argument(
        "--voice",
        action="store_true",
        help="speak each rep, each hold's time, new form warnings, 'set done' and each exercise "
        "as it begins",
    )
    p.add_argument(
        "--no-tui",
        action="store_true",
        help="print the workout as text instead of the TUI (the default when not in a terminal)",
    )
    p.add_argument("--json", action="store_true", help="with --no-tui: print a JSON summary only")
    p.add_argument("--no-save", action="store_true", help="do not log the workout")
    add_db_option(p)
    add_pose_options(p)


def run(args: argparse.Namespace) -> int:
    from reptrack.session import plans
    from reptrack.session.plan_run import open_plan_run

    if args.plan == "list":
        return _list()
    plan = plans.load(args.plan)
    asked = asked_for(args, plan.blocks[0].exercise)
    opened = open_plan_run(plan, asked, recognize=args.recognize)
    if args.no_tui or args.json or not interactive():
        return _headless(args, opened)
    return _tui(args, asked, opened)


def asked_for(args: argparse.Namespace, exercise: str):  # -> reptrack.session.request.Request
    """What a run of several exercises was asked for (the exercise, the targets: each set's;
    the rest, these options)."""
    from reptrack.session.request import Request

    return Request(
        exercise,
        source=args.source,
        backend=args.backend,
        pose=pose_options(args),
        side=args.side,
        log_csv=args.log_csv,
        log_jsonl=args.log_jsonl,
        db=args.db,
        save=not args.no_save,
    )


def _list() -> int:
    from reptrack.errors import ReptrackError
    from reptrack.session import plans

    for name, path in plans.available().items():
        try:
            p = plans.load(str(path))
            out.print(f"[bold]{esc(name):12s}[/] {esc(p.title)}: {esc(p.outline)}")
        except ReptrackError as exc:
            first = exc.message.splitlines()[0]
            out.print(f"[bold]{esc(name):12s}[/] [red]invalid[/]: {esc(first)}")
    return 0


class Narration:
    """What a headless run of several exercises (a plan's blocks, `auto`'s sets) prints and
    says as it goes: its notes and first line, each exercise as it begins, and through its
    sinks (`session.headless_sinks`, given to every block's session) each step's events."""

    def __init__(self, args: argparse.Namespace, run, first: str) -> None:
        self.quiet = args.json
        self.voice = start_voice() if args.voice else None
        for note in run.notes:
            err.print(f"[yellow]note:[/] {esc(note)}")
        if not self.quiet:
            out.print(f"{first} — Ctrl-C to finish and save", markup=False)
        run.sinks += headless_sinks(args, self.voice, in_block=True)

    def begin(self, line: str, spoken: str) -> None:
        if not self.quiet:
            out.print(f"[bold]{esc(line)}[/]")
        if self.voice is not None:
            self.voice.say(spoken)

    def follow(self, run, on_start) -> list:  # run: PlanRun | AutoRun -> its summaries
        """Run `run` to its end; Ctrl-C (or a stop signal) finishes and saves. `on_start`
        hears of each block or set as it begins."""
        import threading

        from reptrack.session.stopping import stop_signals_call

        stop = threading.Event()
        try:
            with stop_signals_call(stop.set):
                return run.run(stop, on_start)
        finally:
            if self.voice is not None:
                self.voice.close(timeout=10)


def report(summaries: list, unit: str, workout_id: int | None) -> int:
    """Each block's or set's summary, where the workout was saved; the exit code."""
    for n, summary in enumerate(summaries, 1):
        out.print(f"{unit} {n}: ", end="")
        print_summary(summary)
    if summaries and workout_id is not None:
        out.print(f"workout {workout_id} saved: `reptrack history workout {workout_id}` "
                  "shows it")  # fmt: skip
    return exit_code(summaries)


def exit_code(summaries: list) -> int:
    """1 when a block or set ended for a reason other than the person's (the source lost)."""
    return 1 if any(s.end_reason for s in summaries) else 0


def _headless(args: argparse.Namespace, run) -> int:  # run: reptrack.session.plan_run.PlanRun
    told = Narration(args, run, f"{run.plan.title} from {run.source.description}")

    def on_block(shown, workout) -> None:
        told.begin(str(shown), shown.spoken)

    summaries = told.follow(run, on_block)
    if args.json:
        print(json.dumps(run.to_json(), indent=2))
        return exit_code(summaries)
    left = len(run.plan.blocks) - len(summaries)
    if left:
        err.print(f"[yellow]{left} block(s) not begun: the source ended first[/]")
    return report(summaries, "block", run.workout_id)


def _tui(args: argparse.Namespace, asked, run) -> int:  # asked: Request, run: PlanRun
    from reptrack.commands.session import run_app
    from reptrack.tui.app import ReptrackApp
    from reptrack.tui.live_options import LiveOptions

    app = ReptrackApp(asked, plan_run=run, live=LiveOptions(voice=args.voice))
    return report(run_app(app), "block", None)
