"""Exercise definitions: TOML → validated `ExerciseSpec`, with every problem reported at once.

A definition names the angles it needs, the side to count, the thresholds of the counting
state machine and the form rules. Shipped files live in `exercises/`; files in the user's
config directory (`exercises/*.toml` there) add to or override them by name.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from reptrack import paths
from reptrack.errors import ReptrackError, SpecError
from reptrack.exercise.checker import Checker
from reptrack.exercise.definition import (
    ANGLE_KINDS,
    CENTRE_NAMES,
    DIRECTIONS,
    HOLD_PHASES,
    MEASURES,
    PHASES,
    REFERENCES,
    SEVERITIES,
    SIDE_NAMES,
    SIDES,
    SPACES,
    VIEWS,
    AngleDef,
    Condition,
    CounterDef,
    ExerciseSpec,
    HoldDef,
    Requirement,
    Rule,
)

# The definition's types are spec's too: callers know them by `spec.ExerciseSpec`.
__all__ = [
    "ANGLE_KINDS",
    "CENTRE_NAMES",
    "COUNTER_RANGES",
    "DIRECTIONS",
    "HOLD_PHASES",
    "HOLD_RANGES",
    "MEASURES",
    "PHASES",
    "REFERENCES",
    "SEVERITIES",
    "SIDES",
    "SIDE_NAMES",
    "SPACES",
    "TOP_KEYS",
    "VIEWS",
    "AngleDef",
    "Condition",
    "CounterDef",
    "ExerciseSpec",
    "HoldDef",
    "Requirement",
    "Rule",
    "available",
    "load",
    "load_file",
    "parse",
    "search_dirs",
]
from reptrack.exercise.angle_tables import check_angle_ref, check_differences, parse_angles


def _limits(c: Checker, body: dict[str, Any], key: str) -> tuple[float | None, float | None]:
    above = c.get(body, "above", float, key)
    below = c.get(body, "below", float, key)
    if above is None and below is None and "above" not in body and "below" not in body:
        c.problem(key, "needs `above` or `below` (the limit that flags the rep)")
    if above is not None and below is not None and above < below:
        c.problem(
            f"{key}.above",
            f"every value is above {above:g} or below {below:g}: this always fires "
            "(to flag values outside a band, `above` must be the band's top)",
        )
    return above, below


def _tables(
    c: Checker, data: dict[str, Any], name: str, allowed: tuple[str, ...]
) -> list[tuple[str, dict[str, Any]]]:
    """The `[[name]]` tables of a file, each with its key path and its unknown keys reported."""
    raw = data.get(name, [])
    if not isinstance(raw, list):
        c.problem(name, f"expected an array of tables ([[{name}]])")
        return []
    out = []
    for i, body in enumerate(raw):
        key = f"{name}[{i}]"
        body = c.table(body, key)
        c.unknown(body, allowed, key)
        out.append((key, body))
    return out


def _condition(
    c: Checker, body: dict[str, Any], key: str, angles: dict[str, AngleDef], hold: bool = False
) -> Requirement | None:
    """The angle, measure, limits and phase shared by rules and requirements (a hold's rules
    have neither measure nor phase: `_parse_hold` says so)."""
    angle = c.get(body, "angle", str, key, required=True)
    check_angle_ref(c, angle, angles, f"{key}.angle")
    measure = "max" if hold else c.get(body, "measure", str, key, default="max", choices=MEASURES)
    above, below = _limits(c, body, key)
    phase = None if hold else c.get(body, "phase", str, key, choices=PHASES)
    if not (angle and measure):
        return None
    return Requirement(angle, measure, above, below, phase)


# counter field → (lowest, highest, what it is) a definition may set it to
COUNTER_RANGES: dict[str, tuple[float, float, str]] = {
    "start": (-360.0, 360.0, ""),
    "turn": (-360.0, 360.0, ""),
    "hysteresis": (0.0, 90.0, " degrees"),
    "min_dwell": (0.0, 5.0, " seconds"),
    "min_rep_seconds": (0.0, 120.0, " seconds"),
    "max_rep_seconds": (0.1, 600.0, " seconds"),
    "min_range": (0.0, 360.0, " degrees"),
    "max_gap": (0.0, 30.0, " seconds"),
    "filter_seconds": (0.0, 2.0, " seconds"),
    "adapt_by": (0.0, 180.0, " degrees"),
    "least_range": (0.0, 360.0, " degrees"),
}
TOP_KEYS = ("name", "title", "description", "camera", "side", "angles", "counter", "rules",
            "requires", "recognize", "phase_labels", "hold", "position")  # fmt: skip
UNSEEN = ("passes", "fails")
# hold field → (lowest, highest) seconds a definition may set it to
HOLD_RANGES: dict[str, tuple[float, float]] = {
    "enter_seconds": (0.0, 30.0),
    "grace_seconds": (0.0, 30.0),
    "filter_seconds": (0.0, 2.0),
    "fault_seconds": (0.0, 60.0),
}


def _parse_hold(
    c: Checker, data: dict[str, Any], angles: dict[str, AngleDef]
) -> tuple[HoldDef | None, tuple[Condition, ...]]:
    """A timed hold's `[hold]` table and its `[[position]]` conditions."""
    raw = c.table(data.get("hold", {}), "hold")
    c.unknown(raw, tuple(HoldDef.__dataclass_fields__), "hold")
    angle = c.get(raw, "angle", str, "hold", required=True)
    check_angle_ref(c, angle, angles, "hold.angle")
    timing = {
        name: c.number(raw, name, "hold", low, high, why=" seconds")
        for name, (low, high) in HOLD_RANGES.items()
    }
    position: list[Condition] = []
    for key, body in _tables(c, data, "position", tuple(Condition.__dataclass_fields__)):
        name = c.get(body, "angle", str, key, required=True)
        check_angle_ref(c, name, angles, f"{key}.angle")
        above = c.get(body, "above", float, key)
        below = c.get(body, "below", float, key)
        if "above" not in body and "below" not in body:
            c.problem(key, "needs `above` or `below` (the range the angle stays in)")
        if above is not None and below is not None and above >= below:
            c.problem(f"{key}.below", f"no angle is above {above:g} and below {below:g}")
        if name:
            position.append(Condition(name, above, below))
    if "position" not in data:
        c.problem("position", "missing (required for a hold): the [[position]] conditions")
    for i, body in enumerate(data.get("rules", []) if isinstance(data.get("rules"), list) else []):
        for key in ("measure", "phase"):
            if isinstance(body, dict) and key in body:
                c.problem(f"rules[{i}].{key}", "a hold judges its rules moment by moment: "
                          f"`{key}` belongs to rep exercises")  # fmt: skip
    for table in ("requires", "recognize"):
        if table in data:
            c.problem(table, "a hold has no reps to require anything of: its [[position]] "
                      "says what counts, and recognises it")  # fmt: skip
    if not angle:
        return None, tuple(position)
    values = {k: v for k, v in timing.items() if v is not None}
    return HoldDef(angle, **values), tuple(position)


def _parse_counter(c: Checker, data: dict[str, Any], angles: dict[str, AngleDef]) -> dict:
    raw = c.table(data.get("counter", {}), "counter")
    if "counter" not in data:
        c.problem(
            "counter",
            "missing (required): the counting thresholds (or a [hold] table, for a timed hold)",
        )
    c.unknown(raw, tuple(CounterDef.__dataclass_fields__), "counter")
    values: dict[str, Any] = {
        "angle": c.get(raw, "angle", str, "counter", required=True),
        "direction": c.get(raw, "direction", str, "counter", required=True, choices=DIRECTIONS),
    }
    for name, (low, high, unit) in COUNTER_RANGES.items():
        required = name in ("start", "turn")
        values[name] = c.number(raw, name, "counter", low, high, required=required, why=unit)
    values["first_rep_from_turn"] = c.get(raw, "first_rep_from_turn", bool, "counter")
    check_angle_ref(c, values["angle"], angles, "counter.angle")
    start, turn = values["start"], values["turn"]
    if start is not None and turn is not None:
        decreasing = values["direction"] != "increase"
        if decreasing and turn >= start:
            c.problem("counter.turn", f"with direction 'decrease' turn ({turn:g}) must be "
                      f"below start ({start:g})")  # fmt: skip
        if not decreasing and turn <= start:
            c.problem("counter.turn", f"with direction 'increase' turn ({turn:g}) must be "
                      f"above start ({start:g})")  # fmt: skip
        hysteresis = values["hysteresis"]
        if hysteresis is not None and hysteresis >= abs(start - turn):
            gap = abs(start - turn)
            c.problem("counter.hysteresis", f"{hysteresis:g} is not smaller than the {gap:g}° "
                      "between start and turn: no phase could change")  # fmt: skip
    low, high = values["min_rep_seconds"], values["max_rep_seconds"]
    if low is not None and high is not None and high <= low:
        c.problem("counter.max_rep_seconds", f"{high:g} must be above min_rep_seconds ({low:g})")
    return values


def parse(text: str, path: str = "<string>", name: str | None = None) -> ExerciseSpec:
    """Validate a definition; raises SpecError listing every problem found."""
    text = text.removeprefix("\ufeff")  # a byte-order mark some editors write
    c = Checker(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(path, [f"not valid TOML: {exc}"]) from None
    except RecursionError:
        raise SpecError(path, ["not valid TOML here: arrays or tables nested too deeply"]) from None
    c.unknown(data, TOP_KEYS, "")
    spec_name = c.get(data, "name", str, "", default=name or Path(path).stem)
    if isinstance(spec_name, str) and not spec_name.strip():
        c.problem("name", "must not be empty")
    texts = {k: c.get(data, k, str, "", default="") for k in ("title", "description", "camera")}
    angles = parse_angles(c, data.get("angles", {}))
    check_differences(c, angles)
    if "angles" not in data:
        c.problem("angles", "missing (required): the angles the exercise measures")
    side = c.get(data, "side", str, "", default="auto", choices=SIDES)
    is_hold = "hold" in data
    if is_hold and "counter" in data:
        c.problem("hold", "a file describes reps ([counter]) or a timed hold ([hold]), not both")
    if not is_hold and "position" in data:
        c.problem("position", "only a timed hold ([hold]) has a [[position]]")
    hold, position = _parse_hold(c, data, angles) if is_hold else (None, ())
    values = {} if is_hold else _parse_counter(c, data, angles)

    rules: list[Rule] = []
    for key, body in _tables(c, data, "rules", tuple(Rule.__dataclass_fields__)):
        rname = c.get(body, "name", str, key, required=True)
        message = c.get(body, "message", str, key, required=True)
        view = c.get(body, "view", str, key, default="any", choices=VIEWS)
        severity = c.get(body, "severity", str, key, default="warning", choices=SEVERITIES)
        cond = _condition(c, body, key, angles, is_hold)
        if rname and message and cond:
            rules.append(Rule(rname, cond.angle, cond.measure, message, cond.above, cond.below,
                              cond.phase, view or "any", severity or "warning"))  # fmt: skip

    # A requirement is not judged on what is not seen; a recognition condition asks for
    # evidence: not seen, it fails. Either may say otherwise (`unseen`).
    conditions: dict[str, list[Requirement]] = {"requires": [], "recognize": []}
    for table, default in (("requires", "passes"), ("recognize", "fails")):
        for key, body in _tables(c, data, table, tuple(Requirement.__dataclass_fields__)):
            unseen = c.get(body, "unseen", str, key, default=default, choices=UNSEEN)
            if cond := _condition(c, body, key, angles):
                conditions[table].append(replace(cond, unseen=unseen or default))

    labels = c.table(data.get("phase_labels", {}), "phase_labels")
    c.unknown(labels, HOLD_PHASES if is_hold else PHASES, "phase_labels")
    for phase, label in labels.items():
        if not isinstance(label, str):
            c.problem(f"phase_labels.{phase}", f"expected text, found {label!r:.40}")
    if c.problems:
        raise SpecError(path, c.report())
    return ExerciseSpec(
        name=spec_name,
        title=texts["title"] or spec_name.replace("_", " ").title(),
        description=texts["description"],
        camera=texts["camera"],
        side=side,
        angles=angles,
        counter=None
        if is_hold
        else CounterDef(**{k: v for k, v in values.items() if v is not None}),
        rules=tuple(rules),
        requires=tuple(conditions["requires"]),
        recognize=tuple(conditions["recognize"]),
        phase_labels={k: str(v) for k, v in labels.items()},
        source=path,
        text=text,
        hold=hold,
        position=position,
    )


# An exercise file is a few kilobytes (the largest shipped one is 4 KB): a file past this is
# not one, and is refused before it is read (a 10 MB file of keys took 11 s to check; up to
# this size any file is checked in well under a second).
MAX_FILE_BYTES = 256_000


def load_file(path: str | Path) -> ExerciseSpec:
    from reptrack.files import read_text

    p = Path(path)
    try:
        size = p.stat().st_size if p.is_file() else 0
    except OSError:
        size = 0  # reading it says what is wrong
    if size > MAX_FILE_BYTES:
        raise ReptrackError(
            f"{p} is {size / 1e6:.1f} MB: too big for an exercise file (a few kilobytes; "
            f"reptrack reads up to {MAX_FILE_BYTES // 1000} kB)",
            hint="check that this is the file you meant",
        )
    return parse(read_text(p, "exercise file", "TOML"), str(p), p.stem)


def search_dirs() -> list[Path]:
    """Shipped definitions first; the user's config directory overrides them by name."""
    return [paths.shipped("exercises"), paths.config_dir() / "exercises"]


def available() -> dict[str, Path]:
    return paths.toml_files(search_dirs())


def load(name: str) -> ExerciseSpec:
    """An exercise by name (or a path to a TOML file)."""
    if name.endswith(".toml") or "/" in name:
        return load_file(name)
    return load_file(paths.named(name, available(), "exercise", "reptrack exercises list"))
