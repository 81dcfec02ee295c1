"""An exercise file's `[angles]` tables, checked: each angle's kind, points, space and
reference, and the names other tables give an angle by (`spec` reports every problem at
once through the same `Checker`)."""

from __future__ import annotations

import difflib
from typing import Any

from reptrack.exercise.checker import Checker
from reptrack.exercise.definition import (
    ANGLE_KINDS,
    CENTRE_NAMES,
    DERIVED_KINDS,
    OTHER_NAMES,
    REFERENCES,
    SIDE_NAMES,
    SPACES,
    UNSIDED_KINDS,
    AngleDef,
)
from reptrack.pose.landmarks import LANDMARK_NAMES


def _check_point(c: Checker, point: str, key: str, sided: bool) -> None:
    valid = SIDE_NAMES | OTHER_NAMES | CENTRE_NAMES | set(LANDMARK_NAMES) if sided else SIDE_NAMES
    if point not in valid:
        close = [] if c.full else difflib.get_close_matches(point, sorted(valid), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        c.problem(key, f"unknown keypoint {point!r}{hint}")


def _parse_of(c: Checker, body: dict[str, Any], key: str, kind: str) -> tuple[str, ...]:
    """A difference's two angles, an opposite's one."""
    n, what = (2, "two angles") if kind == "difference" else (1, "one angle")
    if "points" in body:
        c.problem(f"{key}.points", f"a {kind} has no points: name its {what} in `of`")
    of = c.get(body, "of", list, key, required=True, default=[])
    if of and (len(of) != n or not all(isinstance(a, str) for a in of)):
        c.problem(f"{key}.of", f"expected {what} by name, found {of!r}")
        return ()
    return tuple(of)


def check_differences(c: Checker, angles: dict[str, AngleDef]) -> None:
    for angle in angles.values():
        for i, ref in enumerate(angle.of):
            key = f"angles.{angle.name}.of[{i}]"
            target = angles.get(ref)
            if target is None:
                check_angle_ref(c, ref, angles, key)
            elif target.kind in (*DERIVED_KINDS, *UNSIDED_KINDS):
                c.problem(key, f"{ref!r} is a {target.kind}: a {angle.kind} takes sided angles "
                          "measured on points")  # fmt: skip


def parse_angles(c: Checker, raw: Any) -> dict[str, AngleDef]:
    angles: dict[str, AngleDef] = {}
    for name, body in c.table(raw, "angles").items():
        key = f"angles.{name}"
        body = c.table(body, key)
        c.unknown(body, ("kind", "points", "space", "reference", "of"), key)
        kind = c.get(body, "kind", str, key, default="joint", choices=ANGLE_KINDS)
        if kind in DERIVED_KINDS:
            if of := _parse_of(c, body, key, kind):
                angles[name] = AngleDef(name, kind, (), of=of)
            continue
        if "of" in body:
            c.problem(f"{key}.of", "only a difference or an opposite takes `of`")
        points = c.get(body, "points", list, key, required=True, default=[])
        need = {"joint": 3, "segment": 2, "width_ratio": 2, "split": 2, "height": 2}.get(
            kind or "joint", 3
        )
        if points and len(points) != need:
            c.problem(f"{key}.points", f"a {kind} angle needs {need} points, found {len(points)}")
        for i, p in enumerate(points):
            if not isinstance(p, str):
                c.problem(f"{key}.points[{i}]", f"expected a keypoint name, found {p!r}")
            else:
                _check_point(c, p, f"{key}.points[{i}]", kind not in UNSIDED_KINDS)
        # A segment is measured in the image unless it says otherwise (`space = "world"`); a
        # height only ever is (3-D landmarks are centred on the hips: they never travel).
        default_space = "image" if kind in ("segment", "height") else "world"
        if kind == "height" and body.get("space", "image") != "image":
            c.problem(f"{key}.space", 'a height is measured in the picture: space = "image"')
        space = c.get(body, "space", str, key, default=default_space, choices=SPACES)
        reference = c.get(body, "reference", str, key, default="vertical", choices=REFERENCES)
        if kind and points:
            angles[name] = AngleDef(
                name, kind, tuple(map(str, points)), space or "world", reference or "vertical"
            )
    return angles


def check_angle_ref(c: Checker, name: Any, angles: dict[str, AngleDef], key: str) -> None:
    if isinstance(name, str) and not angles:
        c.problem(key, f"no angle named {name!r}: [angles] defines none")
    elif isinstance(name, str) and name not in angles:
        if c.full:  # counted, not shown
            c.problem(key, f"no angle named {name!r}")
            return
        close = difflib.get_close_matches(name, list(angles), n=1)
        defined = ", ".join(list(angles)[:12]) + (", …" if len(angles) > 12 else "")
        hint = f" (did you mean {close[0]!r}?)" if close else f"; defined: {defined}"
        c.problem(key, f"no angle named {name!r}{hint}")
