"""`reptrack eval ANNOTATION.csv --poses DIR`: a published benchmark set counted in parallel,
with a progress bar, and reported as that literature reports (see
`evaluation.published_sets`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reptrack.commands.common import err, esc, out
from reptrack.errors import ReptrackError
from reptrack.evaluation.published_sets import Scored

# Options of `reptrack eval` that count with the pose model or labelled videos only.
VIDEO_ONLY = ("reference", "as_published", "keypoints", "only", "use", "auto", "chart")


def run(args: argparse.Namespace) -> int:
    from reptrack.evaluation.published_sets import evaluate_clips, load_annotation, report

    if not args.poses:
        raise ReptrackError(f"{args.labels} is an annotation CSV: give its landmarks with "
                            "--poses DIR (one NAME.npy per clip)")  # fmt: skip
    given = [f"--{o.replace('_', '-')}" for o in VIDEO_ONLY if getattr(args, o, None)]
    if given:
        raise ReptrackError(f"{', '.join(given)}: only for a labels TOML of videos, not for "
                            "a published set's annotation")  # fmt: skip
    clips = load_annotation(args.labels)
    columns = (TextColumn("{task.description:28s}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("clips", total=len(clips))
        scored = evaluate_clips(
            clips,
            Path(args.poses),
            fps=args.fps,
            jobs=args.jobs,
            done=lambda s: progress.advance(task),
        )
    summ = report(scored)
    if args.json:
        clips_json = [
            {**s.result.to_json(), "clip": s.clip.name, "type": s.clip.kind,
             "labelled_reps": len(s.clip.reps) or None, "matched": s.matched}
            for s in scored
        ]  # fmt: skip
        print(json.dumps({"clips": clips_json, "summary": summ}, indent=2))
    else:
        _print(scored, summ, args.fps)
    return 0


def _print(scored: list[Scored], summ: dict, fps: float) -> None:
    for s in scored:
        r = s.result
        name = esc(f"{s.clip.name:26s}")
        if not r.scored:
            continue
        ok = "[green]✓[/]" if r.exact else ("[yellow]~[/]" if r.within_one else "[red]✗[/]")
        how = ", ".join(f"{n} {by}" for by, n in r.counted_by.items() if by != "shipped")
        match = f"  matched {s.matched}/{len(s.clip.reps)}" if s.matched is not None else ""
        out.print(f"{ok} {name} {esc(r.label.exercise):14s} expected {r.label.reps:3d}  "
                  f"counted {r.predicted:3d}" + (f"  [cyan]({esc(how)})[/]" if how else "")
                  + match)  # fmt: skip
    out.print()
    for why, names in summ["not_counted"].items():
        shown = ", ".join(names[:4]) + (", …" if len(names) > 4 else "")
        out.print(f"[yellow]not counted[/] {len(names)}: {esc(why)} ({esc(shown)})")
    if summ["videos"] == 0:
        out.print("no clip could be counted")
        return
    out.print(f"\n  {'exercise':16s} clips  exact  within one (OBO)   MAE")
    for exercise, row in summ["per_exercise"].items():
        out.print(f"  {esc(exercise):16s} {row['videos']:5d}  {row['exact']:5d}  "
                  f"{row['within_one']:5d} ({row['obo']:4.0%})     {row['mae']:.3f}")  # fmt: skip
    if "reps_labelled" in summ:
        out.print(f"\nlabelled reps matched by a counted one: {summ['reps_matched']} of "
                  f"{summ['reps_labelled']}")  # fmt: skip
    n, mae = summ["videos"], summ["mean_abs_error_rel"]
    out.print(f"\nexact {summ['exact']}/{n} ({summ['exact_rate']:.0%}), within one (OBO) "
              f"{summ['within_one']}/{n} ({summ['within_one_rate']:.0%}), MAE {mae:.3f}; "
              f"landmarks at {fps:g} frames a second")  # fmt: skip
