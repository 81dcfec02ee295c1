"""`reptrack eval`: count every labelled video, compare with the hand counts, show progress."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from reptrack.commands.common import add_pose_options, err, esc, estimator, out
from reptrack.evaluate import Label, Result

HELP = "count every labelled video and compare with the hand counts"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("labels", help="labels TOML ([[video]] tables with file, exercise, reps)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument(
        "--reference",
        metavar="DIR",
        help="replay landmark files (VIDEO_STEM.npz) from DIR instead of running the pose model",
    )
    add_pose_options(p)


class _Speed(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:5.1f} frames/s" if speed else "      frames/s", style="cyan")


class _Bars:
    """`evaluate`'s progress as two bars: videos done, and frames of the current video."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.videos = progress.add_task("videos", total=total)
        self.frames = progress.add_task("", total=None)

    def video(self, label: Label, frames: int | None) -> None:
        self.progress.reset(self.frames, total=frames, description=esc(label.file.name))

    def frame(self) -> None:
        self.progress.advance(self.frames)

    def done(self, result: Result) -> None:
        self.progress.advance(self.videos)


def run(args: argparse.Namespace) -> int:
    from reptrack.evaluate import evaluate, load_labels, summary

    labels = load_labels(args.labels)
    factory = None
    if not args.reference:
        announced = False

        def factory():  # a fresh tracker per video; its note (if any) is printed once
            nonlocal announced
            made = estimator(args, announce=not announced)
            announced = True
            return made

    columns = (
        TextColumn("{task.description:28s}"),
        BarColumn(),
        MofNCompleteColumn(),
        _Speed(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        results = evaluate(
            labels,
            reference=Path(args.reference) if args.reference else None,
            estimator_factory=factory,
            progress=_Bars(progress, len(labels)),
        )
    summ = summary(results)
    if args.json:
        print(json.dumps({"videos": [r.to_json() for r in results], "summary": summ}, indent=2))
    else:
        _print(results, summ)
    if summ["not_scored"]:
        err.print(f"[red]{summ['not_scored']} video(s) could not be scored[/] (see above)")
        return 1
    return 0


def _print(results: list[Result], summ: dict) -> None:
    for r in results:
        name = esc(f"{r.label.file.name:32s}")
        also = f" (or {', '.join(map(str, r.label.also))})" if r.label.also else ""
        if r.error is not None:
            out.print(f"[red]![/] {name} not scored: {esc(r.error)}")
            continue
        ok = "[green]✓[/]" if r.exact else "[red]✗[/]"
        flags = "; ".join(f"{x.number}:{','.join(x.flags)}" for x in r.reps if x.flags)
        out.print(
            f"{ok} {name} expected {r.label.reps:2d}{also}  predicted {r.predicted:2d}  "
            f"{esc(flags)}"
        )
    out.print()
    for exercise, row in summ["per_exercise"].items():
        out.print(
            f"  {esc(exercise):16s} {row['videos']:3d} videos  exact {row['exact']:3d}  "
            f"within one {row['within_one']:3d}"
        )
    fps = f", {summ['fps']:.1f} frames/s" if summ["fps"] else ""
    mae = summ["mean_abs_error_rel"]
    out.print(
        f"\nexact {summ['exact']}/{summ['videos']} ({summ['exact_rate']:.0%}), within one "
        f"{summ['within_one']}/{summ['videos']} ({summ['within_one_rate']:.0%})"
        + (f", mean |error|/true {mae:.3f}" if mae is not None else "")
        + fps
    )
