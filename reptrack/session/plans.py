"""Workout plans: a TOML file of blocks, each an exercise with its sets, its reps (or a
hold's seconds) and the rest between its sets, read and checked with every problem reported
at once. Shipped plans live in `exercises/plans/`; the user's in the config directory's
`plans/` add to or override them by name. `plan_run` runs one."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reptrack import paths
from reptrack.errors import ReptrackError, SpecError
from reptrack.exercise import spec as specs
from reptrack.exercise.checker import Checker
from reptrack.session.request import MAX_PLANNED, MAX_REST_SECONDS, MAX_TARGET_SECONDS

BLOCK_KEYS = ("exercise", "sets", "reps", "seconds", "rest", "rest_after")
# Seconds of rest after a block, before the next one, where the block does not say: longer
# than a rest between sets, since the next exercise needs setting up (a bar, a mat, the
# camera's angle).
REST_AFTER = 90.0
TOP_KEYS = ("name", "title", "description", "block")


@dataclass(frozen=True)
class Block:
    """One exercise of a workout: `sets` sets of `reps` reps, or of `seconds` in position
    for a timed hold, with `rest` seconds between them and `rest_after` seconds after the
    last (before the plan's next block)."""

    exercise: str
    sets: int
    reps: int | None = None
    seconds: float | None = None
    rest: float = 60.0
    rest_after: float = REST_AFTER

    @property
    def target(self) -> str:
        """ "3 × 10 reps", "2 × 30 s"."""
        each = f"{self.reps} reps" if self.reps is not None else f"{self.seconds:g} s"
        return f"{self.sets} × {each}"


@dataclass(frozen=True)
class WorkoutPlan:
    name: str
    title: str
    description: str
    blocks: tuple[Block, ...]
    source: str = ""

    @property
    def outline(self) -> str:
        """ "squat 3 × 12 reps, plank 3 × 30 s"."""
        return ", ".join(f"{b.exercise} {b.target}" for b in self.blocks)


def _block(c: Checker, key: str, body: dict[str, Any]) -> Block | None:
    c.unknown(body, BLOCK_KEYS, key)
    exercise = c.get(body, "exercise", str, key, required=True)
    sets = c.number(body, "sets", key, 1, MAX_PLANNED, required=True)
    reps = c.number(body, "reps", key, 1, MAX_PLANNED)
    seconds = c.number(body, "seconds", key, 1, MAX_TARGET_SECONDS, why=" seconds")
    rest = c.number(body, "rest", key, 0, MAX_REST_SECONDS, why=" seconds")
    rest_after = c.number(body, "rest_after", key, 0, MAX_REST_SECONDS, why=" seconds")
    for name in ("sets", "reps"):
        value = body.get(name)
        if isinstance(value, float) and not value.is_integer():
            c.problem(f"{key}.{name}", f"expected a whole number, found {value!r}")
    if not exercise:
        return None
    try:
        spec = specs.load(exercise)
    except ReptrackError as exc:
        close = difflib.get_close_matches(exercise, list(specs.available()), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        c.problem(f"{key}.exercise", exc.message + hint)
        return None
    if spec.is_hold and "reps" in body:
        c.problem(f"{key}.reps", f"{exercise} is a timed hold: give its `seconds`, not reps")
    if not spec.is_hold and "seconds" in body:
        c.problem(f"{key}.seconds", f"{exercise} counts reps: give its `reps`, not seconds")
    if sets is None:
        return None
    return Block(
        exercise,
        int(sets),
        None if spec.is_hold or reps is None else int(reps),
        seconds if spec.is_hold else None,
        60.0 if rest is None else rest,
        REST_AFTER if rest_after is None else rest_after,
    )


def parse(text: str, path: str = "<string>", name: str | None = None) -> WorkoutPlan:
    """Check a plan; raises SpecError listing every problem found."""
    c = Checker(path, text)
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(path, [f"not valid TOML: {exc}"]) from None
    except RecursionError:
        raise SpecError(path, ["not valid TOML here: arrays or tables nested too deeply"]) from None
    c.unknown(data, TOP_KEYS, "")
    plan_name = c.get(data, "name", str, "", default=name or Path(path).stem)
    texts = {k: c.get(data, k, str, "", default="") for k in ("title", "description")}
    raw = data.get("block", [])
    if not isinstance(raw, list) or not raw:
        c.problem("block", "expected one or more [[block]] tables (exercise, sets, reps)")
        raw = []
    blocks = []
    for i, body in enumerate(raw):
        key = f"block[{i}]"
        if (block := _block(c, key, c.table(body, key))) is not None:
            blocks.append(block)
    if c.problems:
        raise SpecError(path, c.report())
    return WorkoutPlan(
        plan_name,
        texts["title"] or plan_name.replace("_", " ").title(),
        texts["description"],
        tuple(blocks),
        path,
    )


def search_dirs() -> list[Path]:
    """Shipped plans first; the user's config directory overrides them by name."""
    return [paths.shipped("exercises", "plans"), paths.config_dir() / "plans"]


def available() -> dict[str, Path]:
    return paths.toml_files(search_dirs())


def load(name: str) -> WorkoutPlan:
    """A plan by name, or the path of a plan file."""
    if name.endswith(".toml") or "/" in name:
        path = paths.checked(name, "plan")
    else:
        path = paths.named(name, available(), "workout plan", "reptrack workout list")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReptrackError(f"workout plan not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReptrackError(f"cannot read workout plan {path}: {exc}") from None
    return parse(text, str(path), Path(path).stem)
