"""`reptrack pose`: run the pose model over a video, keep the landmarks, print its speed."""

from __future__ import annotations

import argparse
from pathlib import Path

from reptrack.commands.common import add_pose_options, err, estimator, out, pose_options
from reptrack.pose.backends import logged_model


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("video", help="video file")
    p.add_argument(
        "--out",
        metavar="FILE.npz",
        help="write landmarks (image, world, present, fps, width, height)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_pose_options(p)


def run(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from reptrack.pose.dump import run_pose
    from reptrack.video.sources import FileSource

    target = None
    if args.out is not None:  # checked first: a bad path must not cost a whole video's work
        from reptrack.files import check_output

        target = check_output(args.out, what="--out", suffixes=(".npz",), inputs=[args.video])
    made = estimator(args)
    with FileSource(args.video) as source:
        columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err, transient=True, disable=args.quiet) as progress:
            task = progress.add_task(Path(args.video).name, total=len(source) or None)
            result = run_pose(source, made, lambda n: progress.advance(task, n))
    if target is not None:
        from reptrack.errors import ReptrackError
        from reptrack.files import written_whole

        try:
            with written_whole(target) as tmp:
                result.save(tmp)
        except OSError as exc:
            raise ReptrackError(f"cannot write {target}: {exc.strerror or exc}") from None
    model = logged_model(args.backend, pose_options(args))
    out.print(
        f"{Path(args.video).name} ({args.backend} {model}): {result.summary()}",
        markup=False,
    )
    return 0
