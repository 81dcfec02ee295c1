"""`reptrack auto`: recognise the exercise and count it, a set of each exercise the person
does, in the TUI or as text, logged as one workout."""

from __future__ import annotations

import argparse
import json

from reptrack.commands.common import err
from reptrack.commands.plans import Narration, add_run_options, asked_for, exit_code, report
from reptrack.commands.terminal import interactive


def configure(p: argparse.ArgumentParser) -> None:
    add_run_options(p)


def run(args: argparse.Namespace) -> int:
    from reptrack.session.auto_run import ANY_EXERCISE, open_auto_run

    asked = asked_for(args, ANY_EXERCISE)
    run = open_auto_run(asked)
    if args.no_tui or args.json or not interactive():
        return _headless(args, run)
    return _tui(args, asked, run)


def _headless(args: argparse.Namespace, run) -> int:  # run: reptrack.session.auto_run.AutoRun
    told = Narration(args, run, f"watching {run.source.description} for an exercise")

    def on_set(workout) -> None:
        told.begin(f"set {len(run.summaries) + 1}: {workout.spec.title}", workout.spec.title)

    summaries = told.follow(run, on_set)
    if args.json:
        print(json.dumps(run.to_json(), indent=2))
        return exit_code(summaries)
    return _report(summaries, run.workout_id)


def _tui(args: argparse.Namespace, asked, run) -> int:  # asked: Request, run: AutoRun
    from reptrack.commands.session import run_app
    from reptrack.tui.app import ReptrackApp
    from reptrack.tui.live_options import LiveOptions

    app = ReptrackApp(asked, auto_run=run, live=LiveOptions(voice=args.voice))
    return _report(run_app(app), None)


def _report(summaries: list, workout_id: int | None) -> int:
    if not summaries:
        err.print("[yellow]no exercise recognised: nothing repeated, or no one was in view[/]")
    return report(summaries, "set", workout_id)
