"""What a demonstration teaches: a new exercise learned from it, or a shipped exercise fitted
to the person who did it — as a file ready to write, with what to tell them. The command line
and the TUI both call these; recording the demonstration is theirs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reptrack import paths
from reptrack.errors import ReptrackError
from reptrack.exercise import cycles, fitting, measure
from reptrack.exercise import spec as specs
from reptrack.files import write_text
from reptrack.teach import analysis as learning
from reptrack.teach import user_files as authoring
from reptrack.teach.demonstration import Demo, candidate_spec, count, streams, traces


@dataclass
class Lesson:
    """A file to write (or none, when nothing needs to change) and what to say about it."""

    target: Path
    text: str | None
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth a warning colour

    def save(self) -> None:
        if self.text is not None:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            write_text(self.target, self.text)


def user_file(name: str) -> Path:
    return paths.config_dir() / "exercises" / f"{name}.toml"


def check_seen(demo: Demo) -> None:
    if len(demo.poses) < 10:
        raise ReptrackError(f"{demo.description}: only {len(demo.poses)} frame(s) recorded")
    if demo.seen < 0.2:
        raise ReptrackError(
            f"{demo.description}: a person was seen in only {demo.seen:.0%} of the frames",
            hint="the whole body should be in view, lit from the front",
        )


def _writable(target: Path, shipped: Path) -> None:
    """Refuse a user file that is a folder, or the shipped file itself (a config folder set
    to the checkout): --force replaces a user's file, never that."""
    if target.is_dir() or target.resolve() == shipped.resolve():
        raise ReptrackError(f"cannot write to {target}: it is "
                            + ("a folder" if target.is_dir() else "the shipped file itself"),
                            hint="REPTRACK_CONFIG_DIR must be a folder of your own")  # fmt: skip


# -- learn -------------------------------------------------------------------------------------
def learn_target(name: str, force: bool = False) -> Path:
    """Where a learned `name` goes; refused (before any recording) when it is in the way."""
    authoring.check_name(name)
    target = user_file(name)
    _writable(target, paths.shipped("exercises") / f"{name}.toml")
    if not force:
        if target.exists():
            raise ReptrackError(f"you already have an exercise {name!r} ({target})",
                                hint="choose another name, or --force to replace it")  # fmt: skip
        if (paths.shipped("exercises") / f"{name}.toml").exists():
            raise ReptrackError(f"{name!r} is a shipped exercise: yours would hide it",
                                hint="choose another name, or --force to hide it")  # fmt: skip
    return target


def learn(demo: Demo, name: str, target: Path, reps: int | None = None) -> Lesson:
    """A definition of `name` that counts what the demonstration shows; ReptrackError when it
    shows no repetition, or the definition would not count its own demonstration."""
    if reps is not None and not 2 <= reps <= 100:
        raise ReptrackError(f"--reps {reps}: a demonstration holds 2 to 100 reps")
    check_seen(demo)
    t, values = streams(demo.poses, candidate_spec())
    finding = learning.choose(traces(t, values), reps=reps)
    th = fitting.thresholds(finding.cycles, finding.decrease)
    trunk = {side: values[f"trunk_image.{side}"] for side in ("left", "right")}
    lean = learning.trunk_limit(finding, t, trunk)
    found = len(finding.traces[0].cycles)
    text = authoring.learned(name, finding, th, demo.description, found, lean)
    spec = specs.parse(text, str(target), name)  # the validator `exercises check` uses
    counted = len(count(demo.poses, spec))
    side = finding.sides if finding.sides != "both" else "both sides'"
    lesson = Lesson(target, text)
    lesson.lines.append(
        f"found {found} reps: {side} {finding.candidate.name}, {th.rest:g}° → {th.far:g}° "
        f"({finding.mode}); counting them back with the new definition: {counted}"
    )
    if reps is not None and counted != reps:
        lesson.notes.append(f"you said {reps} reps; the definition counts {counted}")
    if counted < learning.MIN_CYCLES:
        raise ReptrackError(
            f"the learned definition counts {counted} rep(s) in its own demonstration: "
            "not writing it",
            hint="film 3-5 slow, full reps, starting and ending at rest",
        )
    return lesson


# -- calibrate ---------------------------------------------------------------------------------
def calibrate_target(name: str, force: bool = False) -> tuple[specs.ExerciseSpec, Path]:
    """The shipped definition of `name` and where its calibration goes; refused (before any
    recording) for an exercise that is not shipped, or over a file the user wrote."""
    shipped_path = paths.shipped("exercises") / f"{name}.toml"
    if not shipped_path.is_file():
        specs.load(name)  # an unknown name says so, with the known ones
        raise ReptrackError(
            f"{name!r} is not a shipped exercise: calibrate fits the shipped definitions",
            hint=f"to fit an exercise of your own, learn it again: reptrack exercises learn "
            f"SOURCE --name {name} --force",
        )
    shipped = specs.load_file(shipped_path)
    if shipped.is_hold:
        raise ReptrackError(
            f"{name} is a timed hold: calibrate fits the thresholds of rep exercises",
            hint=f"to change where the position begins, copy {shipped_path.name} to your "
            "exercises folder and edit its [[position]]",
        )
    target = user_file(name)
    _writable(target, shipped_path)
    if target.exists() and not force:
        head = target.read_text(encoding="utf-8", errors="replace")[:200]
        if not head.startswith(authoring.CALIBRATED):
            raise ReptrackError(f"{target} is your own definition of {name}: calibrating would "
                                "replace it", hint="--force replaces it")  # fmt: skip
    return shipped, target


def calibrate(demo: Demo, shipped: specs.ExerciseSpec, target: Path) -> Lesson:
    """The shipped definition with only the thresholds moved that must move for this person's
    reps to count (no file when none must)."""
    check_seen(demo)
    angle = shipped.counting.angle
    t, values = streams(demo.poses, shipped)
    decrease = shipped.counting.direction == "decrease"
    per_side = {
        side: cycles.find_cycles(cycles.smooth(cycles.regular(t, values[key])), decrease)
        for side in ("left", "right")
        if (key := measure.key(angle, side)) in values
    }
    side, found = max(per_side.items(), key=lambda kv: (len(kv[1]), sum(c.depth for c in kv[1])))
    cal = fitting.calibration(shipped.counting, found, f"{side} {angle}")
    before = len(count(demo.poses, shipped))
    lines = [
        f"measured {cal.reps} reps on the {side} {angle}: {cal.rest:g}° at rest, "
        f"{cal.far:g}° at the turn (medians); the shipped {shipped.name} counts {before}"
    ]
    if not cal.changes:
        lines.append(f"the shipped thresholds already suit you: nothing to change ({target} "
                     "not written)")  # fmt: skip
        return Lesson(target, None, lines)
    text = authoring.calibrated(shipped, cal.changes, cal.why)
    spec = specs.parse(text, str(target), shipped.name)
    after = len(count(demo.poses, spec))
    lines += [f"  {line}" for line in cal.why]
    lines.append(f"with them it counts {after}; every form rule is kept as shipped")
    return Lesson(target, text, lines)
