"""`reptrack bench VIDEO`: the figures a contributor compares before and after a change — the
machine, start-up, the whole `reptrack pose` process (wall time, frames per second, peak
memory; paired against another command with `--vs`), and where a frame's time goes, stage
by stage, in a session as it runs live."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reptrack.commands.common import err, esc, out
from reptrack.errors import ReptrackError


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("video", help="the video to run the pose model over")
    p.add_argument("--model", choices=("lite", "full", "heavy"), default="full",
                   help="BlazePose landmark model (default: full)")  # fmt: skip
    p.add_argument("--runs", type=int, default=5, metavar="N",
                   help="runs of each whole-process figure, after one not counted "
                   "(default 5)")  # fmt: skip
    p.add_argument("--threads", type=int, metavar="N",
                   help="LiteRT threads for the stage profile (default: one per core)")  # fmt: skip
    p.add_argument(
        "--vs",
        metavar="COMMAND",
        help="another command to time in turn with `reptrack pose` (MediaPipe's own pipeline "
        "on the same video, say): the ratio of their wall times, pair by pair",
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")


def run(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    video = Path(args.video)
    if not video.is_file():
        raise ReptrackError(f"video file not found: {video}")
    if not 1 <= args.runs <= 50:
        raise ReptrackError(f"--runs must be 1 to 50, not {args.runs}")
    report: dict[str, Any] = {"machine": machine(), "video": str(video), "model": args.model}
    me = [sys.executable, "-m", "reptrack"]
    with tempfile.TemporaryDirectory() as tmp, Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
        transient=True,
    ) as progress:  # fmt: skip
        env = {**os.environ, "REPTRACK_DB": str(Path(tmp) / "empty.db")}

        def timed(what: str, command: list[str], runs: int) -> list[Run]:
            task = progress.add_task(what, total=runs + 1)
            done = []
            for i in range(runs + 1):  # the first warms the caches: not counted
                result = run_once(command, env)
                progress.advance(task)
                if i:
                    done.append(result)
            return done

        report["startup_seconds"] = {
            name: statistics.median(r.wall for r in timed(f"start-up: {name}", [*me, *argv],
                                                          args.runs))
            for name, argv in (("--version", ["--version"]), ("history", ["history"]))
        }  # fmt: skip
        pose = [*me, "pose", str(video), "--out", str(Path(tmp) / "out.npz"), "--model", args.model]
        ours, theirs = [], []
        task = progress.add_task("whole process", total=args.runs + 1)
        other = shlex.split(args.vs) if args.vs else None
        for i in range(args.runs + 1):
            a = run_once(pose, env)
            b = run_once(other, env) if other else None
            progress.advance(task)
            if i:
                ours.append(a)
                if b is not None:
                    theirs.append(b)
        progress.add_task("stage profile", total=None)
        report["stages"] = profile(video, args.model, args.threads)
        frames = report["stages"]["frames"]  # the profile's session saw every frame
        report["pose"] = figures(ours, frames)
        if theirs:
            report["vs"] = {"command": args.vs, **figures(theirs, frames)}
            report["vs"]["ratio_wall"] = statistics.median(
                a.wall / b.wall for a, b in zip(ours, theirs, strict=True)
            )
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        show(report)
    return 0


class Run:
    """One finished process: its wall time and its peak memory (the kernel's own account)."""

    def __init__(self, wall: float, peak_mb: float, code: int) -> None:
        self.wall, self.peak_mb, self.code = wall, peak_mb, code


def run_once(command: list[str], env: dict[str, str]) -> Run:
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=env)  # fmt: skip
    except OSError as exc:
        raise ReptrackError(f"cannot run {shlex.join(command)}: {exc.strerror or exc}") from None
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise ReptrackError(f"{shlex.join(command)} failed (exit code {proc.returncode})")
    return Run(wall, usage.ru_maxrss / 1024, proc.returncode)  # Linux: kilobytes


def figures(runs: list[Run], frames: int) -> dict[str, float]:
    wall = statistics.median(r.wall for r in runs)
    return {
        "wall_seconds": wall,
        "wall_min": min(r.wall for r in runs),
        "wall_max": max(r.wall for r in runs),
        "frames_per_second": frames / wall if wall else 0.0,
        "peak_mb": statistics.median(r.peak_mb for r in runs),
    }


def machine() -> dict[str, Any]:
    import numpy as np

    try:
        from importlib.metadata import version

        litert = version("ai-edge-litert")
    except Exception:
        litert = "not installed"
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "system": platform.platform(),
            "python": platform.python_version(), "numpy": np.__version__,
            "litert": litert}  # fmt: skip


def profile(video: Path, model: str, threads: int | None) -> dict[str, Any]:
    """Where a frame's time goes in a session of squats on `video` (every stage timed where
    the session calls it), as milliseconds a frame and shares of the loop."""
    from reptrack.exercise import spec as specs
    from reptrack.pose.blazepose import BlazePose
    from reptrack.session import engine
    from reptrack.session.request import open_session
    from reptrack.store import Store
    from reptrack.video.sources import FileSource

    spent: dict[str, float] = defaultdict(float)
    calls: Counter[str] = Counter()

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def measured(*a: Any, **k: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.perf_counter() - t0
                calls[name] += 1

        return measured

    estimator = BlazePose(model, threads=threads)
    estimator.detector.run = timed("detector model", estimator.detector.run)  # type: ignore[method-assign]
    estimator.detect = timed("detector", estimator.detect)  # type: ignore[method-assign]
    estimator.landmarker.run = timed("landmark model", estimator.landmarker.run)  # type: ignore[method-assign]
    estimator.landmarks = timed("landmarks", estimator.landmarks)  # type: ignore[method-assign]
    estimator.estimate = timed("estimate", estimator.estimate)  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as tmp:
        source = FileSource(video)
        source.read = timed("decode", source.read)  # type: ignore[method-assign]
        session = open_session(
            source, estimator, specs.load("squat"), store=Store(Path(tmp) / "p.db")
        )
        session.counter.update = timed("counting", session.counter.update)  # type: ignore[method-assign]
        for sink in session.sinks:
            sink.frame = timed("sinks", sink.frame)  # type: ignore[method-assign]
        measure = engine.sample
        engine.sample = timed("angles", measure)  # type: ignore[assignment]
        try:
            started = time.perf_counter()
            session.run()
            wall = time.perf_counter() - started
        finally:
            engine.sample = measure
    frames = max(1, calls["estimate"])
    stages = {
        "decode (waiting for the next frame)": spent["decode"],
        "person detector": spent["detector"],
        "landmark model": spent["landmark model"],
        "post-processing (crop, heatmap, projection)": spent["landmarks"] - spent["landmark model"],
        "smoothing and tracking": spent["estimate"] - spent["detector"] - spent["landmarks"],
        "angles": spent["angles"],
        "counting": spent["counting"],
        "sinks (the store)": spent["sinks"],
    }
    stages["the rest of the loop"] = wall - sum(stages.values())
    return {
        "frames": frames,
        "frames_per_second": frames / wall if wall else 0.0,
        "detector_runs": calls["detector"],
        "ms_per_frame": {k: 1000 * v / frames for k, v in stages.items()},
        "loop_ms_per_frame": 1000 * wall / frames,
    }


def show(report: dict[str, Any]) -> None:
    from rich.table import Table

    m = report["machine"]
    out.print(f"[bold]machine[/]: {esc(m['cpu'])}, {m['cores']} cores; {esc(m['system'])}; "
              f"Python {m['python']}, LiteRT {m['litert']}")  # fmt: skip
    s = report["startup_seconds"]
    out.print(f"[bold]start-up[/]: --version {s['--version']:.3f} s, history "
              f"{s['history']:.3f} s (median)")  # fmt: skip
    p = report["pose"]
    out.print(f"[bold]reptrack pose --model {report['model']}[/]: {p['wall_seconds']:.2f} s "
              f"({p['wall_min']:.2f}–{p['wall_max']:.2f}), {p['frames_per_second']:.1f} "
              f"frames/s, peak {p['peak_mb']:.0f} MB")  # fmt: skip
    if "vs" in report:
        v = report["vs"]
        out.print(f"[bold]{esc(v['command'])}[/]: {v['wall_seconds']:.2f} s, "
                  f"{v['frames_per_second']:.1f} frames/s, peak {v['peak_mb']:.0f} MB; "
                  f"reptrack takes {v['ratio_wall']:.3f} of its time "
                  f"({1 / v['ratio_wall']:.2f}× as fast)")  # fmt: skip
    st = report["stages"]
    table = Table(title=f"a frame's time, {st['frames']} frames "
                        f"({st['frames_per_second']:.1f} frames/s, the detector ran "
                        f"{st['detector_runs']} times)")  # fmt: skip
    table.add_column("stage")
    table.add_column("ms a frame", justify="right")
    table.add_column("share", justify="right")
    for stage, ms in st["ms_per_frame"].items():
        table.add_row(stage, f"{ms:.2f}", f"{ms / st['loop_ms_per_frame']:.0%}")
    out.print(table)
