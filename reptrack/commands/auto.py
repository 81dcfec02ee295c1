"""`reptrack auto`: recognise the exercise and count it, a set of each exercise the person
does, in the TUI or as text, logged as one workout."""

from __future__ import annotations

import argparse
import json

from reptrack.commands.common import err, esc, out
from reptrack.commands.plans import add_run_options, asked_for
from reptrack.commands.session import interactive, print_summary, say, start_voice

HELP = "recognise the exercise you do and count it: a set of each, as you go from one to the next"


def configure(p: argparse.ArgumentParser) -> None:
    add_run_options(p)


def run(args: argparse.Namespace) -> int:
    from reptrack.auto_runner import ANY_EXERCISE, open_auto_run

    asked = asked_for(args, ANY_EXERCISE)
    run = open_auto_run(asked)
    if args.no_tui or args.json or not interactive():
        return _headless(args, run)
    return _tui(args, asked, run)


def _headless(args: argparse.Namespace, run) -> int:  # run: reptrack.auto_runner.AutoRun
    import threading

    from reptrack.stopping import stop_signals_call

    quiet = args.json
    voice = start_voice() if args.voice else None
    for note in run.notes:
        err.print(f"[yellow]note:[/] {esc(note)}")
    if not quiet:
        out.print(f"watching {run.source.description} for an exercise — Ctrl-C to finish and "
                  "save", markup=False)  # fmt: skip

    def on_set(workout) -> None:
        if not quiet:
            out.print(f"[bold]set {len(run.summaries) + 1}: {esc(workout.spec.title)}[/]")
        if voice is not None:
            voice.say(workout.spec.title)

    def on_frame(r) -> None:
        if not quiet:
            say(r.events, in_block=True)
        if voice is not None:
            voice.hear(r.events, r.set_reps)

    def on_end(workout) -> None:
        if not quiet:
            say(workout.final_events, in_block=True)
        if voice is not None:
            voice.hear(workout.final_events, workout.set_reps)

    stop = threading.Event()
    with stop_signals_call(stop.set):
        summaries = run.run(on_frame, stop, on_set, on_end)
    if voice is not None:
        voice.close(timeout=10)
    if args.json:
        print(json.dumps(run.to_json(), indent=2))
        return 1 if any(s.end_reason for s in summaries) else 0
    for n, summary in enumerate(summaries, 1):
        out.print(f"set {n}: ", end="")
        print_summary(summary)
    if not summaries:
        err.print("[yellow]no exercise recognised: nothing repeated, or no one was in view[/]")
    elif run.workout_id is not None:
        out.print(f"workout {run.workout_id} saved: `reptrack history workout "
                  f"{run.workout_id}` shows it")  # fmt: skip
    return 1 if any(s.end_reason for s in summaries) else 0


def _tui(args: argparse.Namespace, asked, run) -> int:  # asked: Plan, run: AutoRun
    from reptrack.commands.session import run_app
    from reptrack.tui.app import ReptrackApp
    from reptrack.tui.live import LiveOptions

    app = ReptrackApp(asked, auto_run=run, live=LiveOptions(voice=args.voice))
    summaries = run_app(app)
    for n, summary in enumerate(summaries, 1):
        out.print(f"set {n}: ", end="")
        print_summary(summary)
    if not summaries:
        err.print("[yellow]no exercise recognised: nothing repeated, or no one was in view[/]")
    return 1 if any(s.end_reason for s in summaries) else 0
