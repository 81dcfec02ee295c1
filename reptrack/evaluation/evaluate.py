"""`reptrack eval`: count every labelled video (`labels`) and compare with the hand-counted
reps.

A video that cannot be scored (missing, unreadable, an exercise reptrack does not know)
becomes a result with its error; the others are scored all the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from reptrack.errors import ReptrackError
from reptrack.evaluation.counting_chart import CountingTrace
from reptrack.evaluation.labels import Label, hold_tolerance
from reptrack.exercise import spec as specs
from reptrack.exercise.counters import Counting, make, run
from reptrack.exercise.events import Hold, Rep, held_seconds
from reptrack.exercise.measure import Sample, sample
from reptrack.exercise.rep_counter import RepCounter
from reptrack.pose.types import Pose


@dataclass
class Result:
    label: Label
    reps: list[Rep]
    frames: int
    seconds: float
    error: str | None = None  # why the video was not scored
    holds: list[Hold] | None = None  # a timed hold's stretches in position
    auto: bool = False  # the exercise was recognised (`recognized`), not given
    recognized: str | None = None  # the exercise named; None: nothing named

    @property
    def truth(self) -> str | None:
        """The exercise a recogniser should name: none for a video of no reps and no hold."""
        return None if self.label.reps == 0 and not self.label.is_hold else self.label.exercise

    @property
    def named_right(self) -> bool:
        return self.scored and self.recognized == self.truth

    @property
    def held(self) -> float | None:
        """Seconds in position, for a timed hold (None for reps)."""
        return None if self.holds is None else held_seconds(self.holds)

    @property
    def predicted(self) -> int:
        return len(self.reps)

    @property
    def counted_by(self) -> dict[str, int]:
        """How many reps were counted each way (`Rep.counted_by`)."""
        out: dict[str, int] = {}
        for r in self.reps:
            out[r.counted_by] = out.get(r.counted_by, 0) + 1
        return out

    @property
    def scored(self) -> bool:
        return self.error is None

    @property
    def exact(self) -> bool:
        """Counted right: the reps (or a hold's seconds, within its tolerance); recognised,
        the exercise named right too."""
        if self.auto and not self.named_right:
            return False
        if self.label.is_hold:
            return self.scored and self.held is not None and self.label.accepts_held(self.held)
        return self.scored and self.label.accepts(self.predicted)

    @property
    def within_one(self) -> bool:
        if self.auto and not self.named_right:
            return False
        if self.label.is_hold:
            return self.exact
        return self.scored and self.label.error_of(self.predicted) <= 1

    def to_json(self) -> dict:
        out: dict[str, Any] = {
            "file": str(self.label.file.name),
            "exercise": self.label.exercise,
            "expected": self.label.reps,
            "also": list(self.label.also),
        }
        if self.label.is_hold:
            out["expected_seconds"] = round(self.label.expected_seconds, 2)
        if self.error is not None:
            return {**out, "predicted": None, "exact": False, "error": self.error}
        if self.auto:
            out["recognized"] = self.recognized
        if self.label.is_hold:
            out["held_seconds"] = None if self.held is None else round(self.held, 2)
            out["tolerance_seconds"] = round(hold_tolerance(self.label.expected_seconds), 2)
        return {
            **out,
            "predicted": self.predicted,
            "exact": self.exact,
            "counted_by": self.counted_by,
            "reps": [
                {"n": r.number, "side": r.side, "counted_by": r.counted_by, "flags": list(r.flags)}
                for r in self.reps
            ],
        }


# -- counting ----------------------------------------------------------------------------------
def count(
    poses: Iterable[tuple[float, Pose | None]],
    counter: Counting,
    trace: CountingTrace | None = None,
) -> int:
    """Feed (timestamp, pose) pairs through the counter and end the stream; returns frames.
    `trace` keeps the counted angle for a chart."""
    frames = 0

    def samples() -> Iterator[tuple[float, Sample]]:
        nonlocal frames
        for t, pose in poses:
            s = sample(pose, counter.spec)
            if trace is not None:
                trace.add(t, s)
            frames += 1
            yield t, s

    run(counter, samples())
    return frames


class Progress(Protocol):
    """What `evaluate` reports while it works (the CLI draws it as progress bars)."""

    def video(self, label: Label, frames: int | None) -> None: ...

    def frame(self) -> None: ...

    def done(self, result: Result) -> None: ...


class NoProgress:
    def video(self, label: Label, frames: int | None) -> None:
        pass

    def frame(self) -> None:
        pass

    def done(self, result: Result) -> None:
        pass


def _ticking(
    poses: Iterable[tuple[float, Pose | None]], progress: Progress
) -> Iterator[tuple[float, Pose | None]]:
    for item in poses:
        yield item
        progress.frame()


def _poses(
    label: Label,
    reference: Path | None,
    estimator_factory: Callable | None,
    progress: Progress,
    as_published: bool = False,
) -> Iterator[tuple[float, Pose | None]]:
    from reptrack.pose.dump import load_landmarks, replay
    from reptrack.video.sources import FileSource

    if reference is not None:
        npz = reference / f"{label.file.stem}.npz"
        if not npz.is_file():
            raise ReptrackError(f"no landmark file {npz.name} in {reference}")
        run = load_landmarks(npz)
        progress.video(label, run.frames)
        if as_published:  # as the published sets give them, and brought back
            from reptrack.pose import published

            frames = published.flatten(run.image, run.width, run.height)
            yield from published.poses(published.recover(frames), run.fps)
            return
        yield from replay(run)
        return
    if estimator_factory is None:
        raise ReptrackError("evaluate needs --reference or a pose estimator")
    with FileSource(label.file) as source:
        progress.video(label, len(source) or None)
        estimator = estimator_factory()
        while (frame := source.read()) is not None:
            yield frame.timestamp, estimator.estimate(frame.image, frame.timestamp)


def evaluate(
    labels: list[Label],
    *,
    reference: Path | None = None,
    estimator_factory: Callable | None = None,
    progress: Progress | None = None,
    use: dict[str, str] | None = None,
    chart_dir: Path | None = None,
    auto: bool = False,
    as_published: bool = False,
) -> list[Result]:
    """Count every labelled video; one that cannot be scored becomes a result with its error.

    Only the errors a user can cause (`ReptrackError`: an unknown exercise, a missing or
    unreadable video, no landmark file) are caught; a model that cannot be loaded at all
    stops the run, since no video could be scored. `use` counts the videos labelled with
    one exercise with another definition (a learned one, say): {"squat": "my_squat"}.
    `chart_dir` gets a picture of each video's counting (`VIDEO.counting.png`). `auto`
    recognises each video's exercise among every one reptrack knows instead of being told.
    `as_published` gives the `reference` landmarks as the published benchmark sets do
    (`pose.published`: flattened, no metric landmarks, no visibility) and brings their
    proportions back, to measure what that format costs.
    """
    from reptrack.errors import ModelError

    progress = progress or NoProgress()
    results = []
    candidates = [specs.load(name) for name in specs.available()] if auto else []
    for label in labels:
        start = time.perf_counter()
        poses = _ticking(
            _poses(label, reference, estimator_factory, progress, as_published), progress
        )
        try:
            if auto:
                result = _recognized(label, poses, candidates)
            else:
                spec = specs.load((use or {}).get(label.exercise, label.exercise))
                result = _counted(label, poses, spec, chart_dir)
        except ModelError:
            raise
        except ReptrackError as exc:
            result = Result(label, [], 0, 0.0, error=exc.message, auto=auto)
        result.seconds = time.perf_counter() - start
        results.append(result)
        progress.done(result)
    return results


def _counted(
    label: Label,
    poses: Iterable[tuple[float, Pose | None]],
    spec: specs.ExerciseSpec,
    chart_dir: Path | None,
) -> Result:
    """A video counted as the exercise it is labelled with (or the one `--use` gives)."""
    if chart_dir is not None and not spec.is_hold:  # a hold's clock has no thresholds to draw
        charted = RepCounter(spec)
        trace = CountingTrace(label.file.name, spec.shown_angle)
        frames = count(poses, charted, trace)
        _chart(chart_dir / f"{label.file.stem}.counting.png", trace, charted)
        return Result(label, list(charted.reps), frames, 0.0)
    counter = make(spec)
    frames = count(poses, counter)
    return Result(label, list(counter.reps), frames, 0.0, holds=counter.timed_holds())


def _recognized(
    label: Label,
    poses: Iterable[tuple[float, Pose | None]],
    candidates: list[specs.ExerciseSpec],
) -> Result:
    """A video whose exercise is recognised (`recognition.recognize`, as `reptrack auto`
    names it), then counted as `reptrack auto` counts the set it starts: from the stream's
    start, the reps seen while deciding included."""
    from reptrack.exercise.recognition import recognize

    stream = list(poses)
    found = recognize(stream, candidates)
    named = next((s for s in candidates if s.name == found.exercise), None)
    counter = make(named) if named is not None else None
    if counter is not None:
        count(stream, counter)
    return Result(
        label,
        list(counter.reps) if counter is not None else [],
        len(stream),
        0.0,
        holds=counter.timed_holds() if counter is not None else ([] if label.is_hold else None),
        auto=True,
        recognized=found.exercise,
    )


def confusion(results: list[Result]) -> dict[str, dict[str, int]]:
    """Recognised: for each exercise a video shows (none: a video of nothing), how often each
    exercise was named ("none": nothing named)."""
    table: dict[str, dict[str, int]] = {}
    for r in results:
        if r.scored and r.auto:
            row = table.setdefault(r.truth or "none", {})
            named = r.recognized or "none"
            row[named] = row.get(named, 0) + 1
    return table


def _chart(path: Path, trace: CountingTrace, counter: RepCounter) -> None:
    from reptrack.evaluation.counting_chart import draw, write

    write(path, draw(trace, counter.spec.counting, counter.fits, counter.reps))


def summary(results: list[Result]) -> dict:
    n = len(results)
    if n == 0:
        return {"videos": 0}
    scored = [r for r in results if r.scored]
    exact = sum(r.exact for r in results)
    within = sum(r.within_one for r in results)
    errors = [
        r.label.error_of(r.predicted) / max(r.label.reps, 1) for r in scored if not r.label.is_hold
    ]
    frames = sum(r.frames for r in scored)
    seconds = sum(r.seconds for r in scored)
    per_exercise: dict[str, dict[str, int]] = {}
    auto = any(r.auto for r in results)
    for r in results:
        row = per_exercise.setdefault(r.label.exercise, {"videos": 0, "exact": 0, "within_one": 0})
        row["videos"] += 1
        row["exact"] += r.exact
        row["within_one"] += r.within_one
        if auto:
            row["named_right"] = row.get("named_right", 0) + r.named_right
    return {
        "videos": n,
        "scored": len(scored),
        "not_scored": n - len(scored),
        "exact": exact,
        "exact_rate": exact / n,
        "within_one": within,
        "within_one_rate": within / n,
        "mean_abs_error_rel": sum(errors) / len(errors) if errors else None,
        "frames": frames,
        "fps": frames / seconds if seconds > 0 else None,
        "counted_by": {
            how: sum(r.counted_by.get(how, 0) for r in scored)
            for how in sorted({h for r in scored for h in r.counted_by})
        },
        "per_exercise": per_exercise,
        **(
            {
                "named_right": sum(r.named_right for r in results),
                "named_right_rate": sum(r.named_right for r in results) / n,
                "confusion": confusion(results),
            }
            if auto
            else {}
        ),
    }
