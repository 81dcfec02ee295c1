"""`reptrack eval`: count every labelled video, compare with the hand counts, show progress."""

from __future__ import annotations

import argparse
import json
import os
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
from reptrack.errors import ReptrackError
from reptrack.evaluation.evaluate import Result
from reptrack.evaluation.labels import Label, hold_tolerance


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "labels",
        help="labels TOML ([[video]] tables with file, exercise, reps), or the annotation CSV "
        "of a published landmark set (with --poses)",
    )
    p.add_argument(
        "--poses",
        metavar="DIR",
        help="with an annotation CSV: the folder of its clips' landmarks (NAME.npy: rows of 33 "
        "x, y, z, each frame scaled to [0, 1], as the PoseRAC/RepCount sets give them)",
    )
    p.add_argument(
        "--fps",
        type=_fps,
        default=30.0,
        help="with an annotation CSV: the clips' frames a second (the format does not say; "
        "default 30)",
    )
    p.add_argument(
        "--jobs",
        type=_jobs,
        default=os.cpu_count() or 1,
        metavar="N",
        help="with an annotation CSV: clips counted at once, each in a process of its own "
        "(default: one per core; the results do not depend on it)",
    )
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument(
        "--reference",
        metavar="DIR",
        help="replay landmark files (VIDEO_STEM.npz) from DIR instead of running the pose model",
    )
    p.add_argument(
        "--as-published",
        action="store_true",
        help="with --reference: give the landmarks as the published benchmark sets do (each "
        "frame's axes scaled to [0, 1], no metric landmarks, no visibility) and bring their "
        "proportions back, to measure what that format costs",
    )
    p.add_argument(
        "--keypoints",
        metavar="DIR",
        help="keypoint sets to judge form and zones on (pose_trainer/, mlkit/); "
        "default: keypoints/ beside the labels file, if there",
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="EXERCISE",
        help="count only the videos labelled with this exercise (repeatable)",
    )
    p.add_argument(
        "--use",
        action="append",
        type=_use,
        default=[],
        metavar="EXERCISE=NAME",
        help="count the videos labelled EXERCISE with definition NAME instead "
        "(a learned or calibrated one; repeatable)",
    )
    p.add_argument(
        "--auto",
        action="store_true",
        help="recognise each video's exercise among every one reptrack knows instead of being "
        "told it; reports the exercise named (`recognized` in --json) and a confusion table",
    )
    p.add_argument(
        "--chart",
        metavar="DIR",
        help="write a picture of each video's counting to DIR/VIDEO.counting.png: the angle, "
        "the thresholds as shipped and as fitted to the person, and each rep",
    )
    add_pose_options(p)


def _chart_dir(text: str) -> Path:
    folder = Path(text).expanduser()
    if not folder.is_dir():
        raise ReptrackError(f"--chart {folder}: not a folder", hint="create it, or name another")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ReptrackError(f"--chart {folder}: the folder is not writable")
    return folder


def _fps(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 1000:
        raise argparse.ArgumentTypeError(f"{text!r}: expected frames a second, e.g. 30")
    return value


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number of processes ≥ 1")
    return int(text)


def _use(text: str) -> tuple[str, str]:
    labelled, sep, name = text.partition("=")
    if not (sep and labelled and name):
        raise argparse.ArgumentTypeError(f"{text!r}: expected EXERCISE=NAME, e.g. squat=my_squat")
    return labelled, name


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
    from reptrack.evaluation.evaluate import evaluate, summary
    from reptrack.evaluation.labels import load_labels

    if args.poses or Path(args.labels).suffix.lower() == ".csv":
        from reptrack.commands import published_eval

        return published_eval.run(args)

    if args.as_published and not args.reference:
        raise ReptrackError("--as-published needs --reference DIR: the landmarks to flatten")
    chart_dir = _chart_dir(args.chart) if args.chart else None
    labels = load_labels(args.labels)
    if args.only:
        labels = [label for label in labels if label.exercise in args.only]
        if not labels:
            raise ReptrackError(f"no video in {args.labels} is labelled {' or '.join(args.only)}")
    for note in (n for label in labels for n in label.notes):
        err.print(f"[yellow]note:[/] {esc(note)}")
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
            use=dict(args.use),
            chart_dir=chart_dir,
            auto=args.auto,
            as_published=args.as_published,
        )
    summ = summary(results)
    keypoints = Path(args.keypoints or Path(args.labels).parent / "keypoints")
    form = _keypoint_sets(keypoints, required=bool(args.keypoints))
    if args.json:
        report = {"videos": [r.to_json() for r in results], "summary": summ, "form": form}
        print(json.dumps(report, indent=2))
    else:
        _print(results, summ)
        _print_form(form)
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
        if r.auto:
            named = esc(r.recognized or "nothing")
            name = esc(f"{r.label.file.name:32s}")
            mark = "" if r.named_right else f" [red](is {esc(r.truth or 'nothing')})[/]"
            name = f"{name} named {named:14s}{mark}"
        if r.label.is_hold and r.held is not None:
            faults = {f for h in r.holds or [] for f in h.faults}
            out.print(
                f"{ok} {name} expected {r.label.expected_seconds:5.1f} s  held "
                f"{r.held:5.1f} s  (±{hold_tolerance(r.label.expected_seconds):.1f} s)  "
                + esc(", ".join(sorted(faults)))
            )
            continue
        flags = "; ".join(f"{x.number}:{','.join(x.flags)}" for x in r.reps if x.flags)
        how = ", ".join(f"{n} {by}" for by, n in r.counted_by.items() if by != "shipped")
        out.print(
            f"{ok} {name} expected {r.label.reps:2d}{also}  predicted {r.predicted:2d}  "
            + (f"[cyan]({esc(how)})[/] " if how else "")
            + esc(flags)
        )
    out.print()
    for exercise, row in summ["per_exercise"].items():
        out.print(
            f"  {esc(exercise):16s} {row['videos']:3d} videos  exact {row['exact']:3d}  "
            f"within one {row['within_one']:3d}"
        )
    if any(r.label.is_hold for r in results):
        out.print("  (a hold is exact when its seconds in position are within the tolerance)")
    if "confusion" in summ:
        _print_confusion(summ)
    if summ["counted_by"]:
        ways = ", ".join(f"{n} {by}" for by, n in summ["counted_by"].items())
        out.print(f"\nreps counted: {esc(ways)} (shipped: at the file's thresholds; adapted: "
                  "at thresholds fitted to the person; recovered: found when the set was "
                  "counted again after the fit; periodic: short of the turn, but moving as the "
                  "set's reps do)")  # fmt: skip
    fps = f", {summ['fps']:.1f} frames/s" if summ["fps"] else ""
    mae = summ["mean_abs_error_rel"]
    out.print(
        f"\nexact {summ['exact']}/{summ['videos']} ({summ['exact_rate']:.0%}), within one "
        f"{summ['within_one']}/{summ['videos']} ({summ['within_one_rate']:.0%})"
        + (f", mean |error|/true {mae:.3f}" if mae is not None else "")
        + fps
    )


def _print_confusion(summ: dict) -> None:
    """Recognition: named right out of all, and what each exercise was taken for."""
    n = summ["videos"]
    out.print(f"\nnamed right {summ['named_right']}/{n} ({summ['named_right_rate']:.0%}); "
              "what each was named:")  # fmt: skip
    for truth, row in sorted(summ["confusion"].items()):
        named = ", ".join(f"{name} {k}" for name, k in sorted(row.items(), key=lambda x: -x[1]))
        out.print(f"  {esc(truth):16s} → {esc(named)}")


def _keypoint_sets(folder: Path, required: bool) -> dict:
    """Pose Trainer's clips and ML Kit's frames under `folder`, judged by the exercises."""
    from reptrack.evaluation.keypoint_sets import mlkit_zones, pose_trainer, pose_trainer_summary

    trainer, mlkit = folder / "pose_trainer", folder / "mlkit" / "fitness_pose_samples.csv"
    if required and not (trainer.is_dir() or mlkit.is_file()):
        raise ReptrackError(f"no pose_trainer/ or mlkit/fitness_pose_samples.csv in {folder}")
    form: dict = {}
    if trainer.is_dir():
        clips = pose_trainer(trainer)
        form["pose_trainer"] = {
            "clips": [c.to_json() for c in clips],
            "summary": pose_trainer_summary(clips),
        }
    if mlkit.is_file():
        form["mlkit"] = [z.to_json() for z in mlkit_zones(mlkit)]
    return form


def _print_form(form: dict) -> None:
    if "pose_trainer" in form:
        out.print("\nPose Trainer (OpenPose COCO-18 clips labelled good or bad form):")
        for exercise, row in form["pose_trainer"]["summary"].items():
            out.print(
                f"  {esc(exercise):16s} bad clips flagged {row['bad_flagged']}/{row['bad']}, "
                f"good clips clean {row['good_clean']}/{row['good']}"
                + (f", {row['no_rep']} with no rep counted" if row["no_rep"] else "")
            )
            for rule, hits in row["rules"].items():
                out.print(
                    f"    {esc(rule):22s} fires on {hits['bad']}/{row['bad']} bad, "
                    f"{hits['good']}/{row['good']} good"
                )
    if "mlkit" in form:
        out.print("\nML Kit (single frames: _up in the start zone, _down past the turn):")
        by_exercise: dict[str, list[int]] = {}
        for z in form["mlkit"]:
            share = z["in_zone"] / z["frames"] if z["frames"] else 0.0
            out.print(f"  {esc(z['label']):16s} {z['in_zone']:4d}/{z['frames']:<4d} {share:6.1%}")
            total = by_exercise.setdefault(z["exercise"], [0, 0])
            total[0] += z["in_zone"]
            total[1] += z["frames"]
        for exercise, (ok, n) in by_exercise.items():
            out.print(f"  {esc(exercise):16s} {ok:4d}/{n:<4d} {ok / n:6.1%} in the right zone")
