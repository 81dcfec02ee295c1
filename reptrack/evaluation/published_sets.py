"""`reptrack eval ANNOTATION.csv --poses DIR`: count the clips of a published benchmark set
(the PoseRAC/RepCount landmark format) and score them as that literature does.

The annotation is a CSV of `,type,name,count,L1,L2,…` (the `L` values, where present, are
each rep's start and end frame); each clip's landmarks are `DIR/NAME.npy`, rows of 33 × (x,
y, z) flattened per frame (`pose.published`). The sets name their exercises their own way:
`EXERCISES` maps those names to reptrack's, and a name not in it is reported, never guessed.
Clips run in parallel processes (`jobs`) with the same results as one process: each clip is
counted on its own, by a counter of its own.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from reptrack.errors import ReptrackError
from reptrack.evaluation.evaluate import Result, count, summary
from reptrack.evaluation.labels import Label

# The benchmark sets' exercise names, and the reptrack exercise that counts each.
EXERCISES: dict[str, str] = {
    "squat": "squat",
    "squant": "squat",  # RepCount's own spelling
    "push_up": "pushup",
    "pushups": "pushup",
    "pull_up": "pullup",
    "pullups": "pullup",
    "pull_ups": "pullup",
    "situp": "situp",
    "sit_up": "situp",
    "jump_jack": "jumping_jack",
    "jumpjacks": "jumping_jack",
    "front_raise": "front_raise",
    "frontraise": "front_raise",
    "bench_pressing": "bench_press",
    "benchpressing": "bench_press",
    "rope_pushdown": "triceps_pushdown",
    "lunge": "lunge",
}
# A labelled rep is matched by a counted one that shares this much of the shorter one's time.
MATCH_SHARE = 0.5
NO_LANDMARKS = "no landmarks in the file"


@dataclass(frozen=True)
class Clip:
    """One row of the annotation: a clip, its exercise as the set names it, its count."""

    name: str  # the clip as the set names it: squat003.mp4
    kind: str  # the set's name of the exercise: squat, pull_ups, rope_pushdown
    count: int
    reps: tuple[tuple[int, int], ...] = ()  # the labelled reps' start and end frames

    @property
    def exercise(self) -> str | None:
        """reptrack's exercise for it; None where the name is not one we know."""
        return EXERCISES.get(self.kind)


@dataclass
class Scored:
    """A clip counted: its result as a labelled video's, and the labelled reps matched."""

    clip: Clip
    result: Result
    matched: int | None = None  # labelled reps matched by a counted one (where labelled)


def load_annotation(path: str | Path) -> list[Clip]:
    """The clips of an annotation CSV; every malformed row is reported at once."""
    from reptrack.files import read_text

    p = Path(path)
    text = read_text(p, "annotation CSV", "CSV", encoding="utf-8-sig")
    rows = [row for row in csv.reader(text.splitlines()) if any(cell.strip() for cell in row)]
    hint = "the published format: a header `,type,name,count,L1,L2,…`, then a row per clip"
    if not rows or [c.strip() for c in rows[0][1:4]] != ["type", "name", "count"]:
        raise ReptrackError(f"{p}: not an annotation of the published format", hint=hint)
    clips, problems = [], []
    for line, row in enumerate(rows[1:], start=2):
        cells = [c.strip() for c in row]
        try:
            kind, name, reps = cells[1], cells[2], int(cells[3])
            bounds = [int(float(c)) for c in cells[4:] if c]
        except (IndexError, ValueError):
            problems.append(f"row {line}: expected type, name, a whole count and frame numbers")
            continue
        if not kind or not name or reps < 0 or len(bounds) % 2:
            problems.append(f"row {line}: {','.join(cells[:4])}: a type, a name, a count ≥ 0 "
                            "and pairs of frames are needed")  # fmt: skip
            continue
        pairs = tuple(zip(bounds[::2], bounds[1::2], strict=True))
        clips.append(Clip(name, kind, reps, pairs))
    if problems:
        lines = "\n".join(f"  - {x}" for x in problems)
        raise ReptrackError(f"{p}: {len(problems)} problem(s)\n{lines}", hint=hint)
    if not clips:
        raise ReptrackError(f"{p}: no clips in the annotation", hint=hint)
    return clips


def landmarks_file(folder: Path, clip: Clip) -> Path:
    return folder / f"{Path(clip.name).stem}.npy"


def score(clip: Clip, folder: Path, fps: float) -> Scored:
    """Count one clip as reptrack counts the exercise the set names (a clip that cannot be
    counted is a result with the reason)."""
    import numpy as np

    from reptrack.exercise import spec as specs
    from reptrack.exercise.counters import make
    from reptrack.pose import published

    path = landmarks_file(folder, clip)
    label = Label(path, clip.exercise or clip.kind, clip.count)
    start = time.perf_counter()

    def unscored(why: str) -> Scored:
        return Scored(clip, Result(label, [], 0, 0.0, error=why))

    if clip.exercise is None:
        return unscored(f"the set's exercise “{clip.kind}” is not in reptrack's table of names")
    try:
        spec = specs.load(clip.exercise)
    except ReptrackError:
        return unscored(f"reptrack has no exercise {clip.exercise} (the set's {clip.kind})")
    try:
        rows = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        return unscored(f"no landmark file {path.name} in {folder}")
    except (OSError, ValueError) as exc:
        return unscored(f"{path.name} is not a landmark file of the published format ({exc})")
    if rows.size == 0:
        return unscored(NO_LANDMARKS)
    try:
        frames = published.rows_to_frames(rows)
    except ValueError as exc:
        return unscored(f"{path.name}: {exc}")
    counter = make(spec)
    n = count(published.poses(published.recover(frames), fps), counter)
    result = Result(label, list(counter.reps), n, time.perf_counter() - start)
    return Scored(clip, result, matched(clip, result, fps) if clip.reps else None)


def matched(clip: Clip, result: Result, fps: float) -> int:
    """How many of the labelled reps a counted rep matches (one counted rep for one labelled
    rep, each sharing at least MATCH_SHARE of the shorter one's time)."""
    from reptrack.exercise.cycles import shared

    free = list(result.reps)
    found = 0
    for first, last in clip.reps:
        a, b = first / fps, last / fps
        best = max(free, key=lambda r: shared(a, b, r.start, r.end), default=None)
        if best is not None and shared(a, b, best.start, best.end) >= MATCH_SHARE:
            free.remove(best)
            found += 1
    return found


def evaluate_clips(
    clips: list[Clip],
    folder: Path,
    fps: float = 30.0,
    jobs: int = 1,
    done: Callable[[Scored], None] = lambda s: None,
) -> list[Scored]:
    """Every clip counted, in the annotation's order; `jobs` processes at once."""
    if not folder.is_dir():
        raise ReptrackError(f"--poses {folder}: not a folder",
                            hint="the folder of the set's NAME.npy landmark files")  # fmt: skip
    if not (math.isfinite(fps) and fps > 0):
        raise ReptrackError(f"--fps {fps:g}: expected frames a second above 0")
    if jobs <= 1 or len(clips) < 2:
        out = []
        for clip in clips:
            out.append(score(clip, folder, fps))
            done(out[-1])
        return out
    results: list[Scored | None] = [None] * len(clips)
    # spawned workers: nothing of this process's threads (the progress bar) is copied in
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(score, clip, folder, fps): i for i, clip in enumerate(clips)}
        for future in as_completed(futures):
            results[futures[future]] = scored = future.result()
            done(scored)
    return [r for r in results if r is not None]


def report(scored: list[Scored]) -> dict:
    """The summary of the counted clips (`evaluate.summary`), with the figures this
    literature gives per exercise — mean |counted − true| / true ("MAE") and the share within
    one rep ("OBO") — the labelled reps matched, and the clips not counted, by reason."""
    counted = [s for s in scored if s.result.scored]
    out: dict = summary([s.result for s in counted]) if counted else {"videos": 0}
    per: dict[str, dict] = out.get("per_exercise", {})
    for exercise, row in per.items():
        mine = [s.result for s in counted if s.result.label.exercise == exercise]
        errors = [r.label.error_of(r.predicted) / max(r.label.reps, 1) for r in mine]
        row["mae"] = sum(errors) / len(errors)  # as `summary` takes it over all
        row["obo"] = row["within_one"] / row["videos"]
    labelled = [s for s in counted if s.matched is not None]
    if labelled:
        out["reps_labelled"] = sum(len(s.clip.reps) for s in labelled)
        out["reps_matched"] = sum(s.matched or 0 for s in labelled)
    skipped: dict[str, list[str]] = {}
    for s in scored:
        if not s.result.scored:
            skipped.setdefault(s.result.error or "", []).append(s.clip.name)
    out["not_counted"] = skipped
    return out
