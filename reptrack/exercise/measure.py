"""From a pose to one timestamped sample of an exercise's angles, for both body sides.

A sample is a flat dict of floats (NaN = not measurable in this frame): `knee.left`,
`knee.right` for sided angles, `knee_width` for two-sided ones, `vis.left`/`vis.right` for
how well each side is seen, and `view` — the body's yaw to the camera in degrees (0 = facing
it, 90 = side on). Flat floats make the stream easy to store and replay.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from reptrack.errors import ReptrackError
from reptrack.exercise.definition import DERIVED_KINDS, OTHER
from reptrack.exercise.kinematics import (
    Gate,
    joint_angle,
    segment_vertical_angle,
    usable,
    view_angle,
)
from reptrack.exercise.spec import AngleDef, ExerciseSpec
from reptrack.pose.types import INDEX, Pose

Sample = dict[str, float]
SIDES = ("left", "right")


def key(angle: str, side: str) -> str:
    """A sample's key for `angle` on `side`: "knee.left"."""
    return f"{angle}.{side}"


def value_of(sample: Sample, angle: str, side: str) -> float:
    """`angle` on `side` in `sample`; for an angle of both sides at once (a width ratio) its
    one value; NaN when the sample has neither."""
    return sample.get(key(angle, side), sample.get(angle, math.nan))


def landmark(point: str, side: str) -> str:
    """A point of an angle as a landmark: `knee` on the left is `left_knee`, `other_shoulder`
    on the left is `right_shoulder`; `nose` is `nose`."""
    if point in INDEX:
        return point
    if point.startswith(OTHER):
        return f"{'right' if side == 'left' else 'left'}_{point.removeprefix(OTHER)}"
    return f"{side}_{point}"


def _segment_horizontal(pose: Pose, a: str, b: str, gate: Gate) -> float:
    """Signed angle of a→b from horizontal: positive when a is above b (e.g. heel over toe)."""
    if not (usable(pose, a, gate) and usable(pose, b, gate)):
        return math.nan
    pa, pb = pose.xy(a), pose.xy(b)
    dx, dy = abs(pb[0] - pa[0]), pb[1] - pa[1]
    return math.degrees(math.atan2(dy, dx)) if dx or dy else math.nan


def _tilt(pose: Pose, a: str, b: str, gate: Gate) -> float:
    """The segment's tilt from the horizontal plane in 3-D, 0-90° whichever way it points
    (shoulders level in a plank: near 0; stacked in a side plank: 60-90); from the
    picture's slope where the backend gives no 3-D landmarks."""
    if pose.world is None:
        return abs(_segment_horizontal(pose, a, b, gate))
    return abs(90.0 - segment_vertical_angle(pose, a, b, world=True, gate=gate))


def _width_ratio(pose: Pose, upper: str, lower: str, gate: Gate) -> float:
    names = [f"{s}_{p}" for p in (upper, lower) for s in SIDES]
    if not all(usable(pose, n, gate) for n in names):
        return math.nan
    top = abs(pose.xy(names[0])[0] - pose.xy(names[1])[0])
    bottom = abs(pose.xy(names[2])[0] - pose.xy(names[3])[0])
    return top / bottom if bottom > 1e-6 else math.nan


def _height(pose: Pose, a: str, b: str, gate: Gate) -> float:
    """How high `a` is in the picture (from its bottom edge), in lengths of a→b. `b` only
    sets the scale, so it may lie out of the frame, where the model places it from the body's
    proportions (the hips below the picture of a pull-up): only `a` must be in view."""
    pa, pb = pose.xy(a), pose.xy(b)
    if not usable(pose, a, gate) or not math.isfinite(pb[1]):
        return math.nan
    length = math.hypot(pb[0] - pa[0], pb[1] - pa[1])
    bottom = pose.height if pose.height else 1.0
    return (bottom - pa[1]) / length if length > 0 else math.nan


def angle_value(pose: Pose, angle: AngleDef, side: str, gate: Gate = Gate()) -> float:
    world = angle.space == "world" and pose.world is not None
    if angle.kind == "joint":
        a, b, c = (landmark(p, side) for p in angle.points)
        if angle.space == "view":
            return view_angle(pose, a, b, c, gate=gate)
        return joint_angle(pose, a, b, c, world=world, gate=gate)
    if angle.kind == "segment":
        a, b = (landmark(p, side) for p in angle.points)
        if angle.reference == "horizontal" and angle.space == "world":
            return _tilt(pose, a, b, gate)
        if angle.reference == "horizontal":
            return _segment_horizontal(pose, a, b, gate)
        return segment_vertical_angle(pose, a, b, world=world, gate=gate)
    if angle.kind == "split":
        upper, lower = angle.points
        left, right = (
            segment_vertical_angle(
                pose, landmark(upper, s), landmark(lower, s), world=world, gate=gate
            )
            for s in SIDES
        )
        return abs(left - right)
    if angle.kind == "height":
        return _height(pose, landmark(angle.points[0], side), landmark(angle.points[1], side), gate)
    return _width_ratio(pose, angle.points[0], angle.points[1], gate)


def _points_of(spec: ExerciseSpec, angle: AngleDef) -> tuple[str, ...]:
    """The keypoints an angle needs (a difference needs those of its two angles)."""
    if angle.kind in DERIVED_KINDS:
        return tuple(p for name in angle.of for p in spec.angles[name].points)
    return angle.points


def landmarks_of(spec: ExerciseSpec, angle: AngleDef, side: str | None = None) -> set[str]:
    """The landmarks `angle` is measured on: on `side`, or on both sides when `side` is None
    (or not left or right) and for an angle that always takes both (a width ratio)."""
    sides = (side,) if side in SIDES and angle.sided else SIDES
    return {landmark(p, s) for p in _points_of(spec, angle) for s in sides}


def unsupported_angles(spec: ExerciseSpec, keypoints: frozenset[str]) -> dict[str, list[str]]:
    """The exercise's angles that need a landmark outside `keypoints`, with those landmarks."""
    out = {}
    for angle in spec.angles.values():
        needed = landmarks_of(spec, angle)
        if missing := sorted(needed - keypoints):
            out[angle.name] = missing
    return out


def support_notes(spec: ExerciseSpec, keypoints: frozenset[str], backend: str) -> list[str]:
    """What the exercise cannot check with a backend that finds only `keypoints`.

    Raises SpecError-like ReptrackError when it cannot even count (the counted angle needs a
    missing point); otherwise returns one note per form rule that will not be checked.
    """
    gaps = unsupported_angles(spec, keypoints)
    # what counting needs: the counted angle, or every angle of a hold's position
    needed = [spec.shown_angle, *(c.angle for c in spec.position)]
    for angle in (a for a in needed if a in gaps):
        what = "times its hold" if spec.is_hold else "counts"
        raise ReptrackError(
            f"{spec.name} {what} on the {angle} angle, which needs "
            f"{', '.join(gaps[angle])}: {backend} does not find those points",
            hint="use --backend blazepose, which finds all 33 landmarks",
        )
    notes = []
    checks: list[tuple[str, str]] = [(r.name, r.angle) for r in spec.rules]
    checks += [(f"the {r.angle} requirement", r.angle) for r in spec.requires]
    for what, angle in checks:
        if angle in gaps:
            notes.append(f"{what} is not checked: {backend} has no {', '.join(gaps[angle])}")
    return notes


# Shoulder width over shoulder-to-hip length in the image of a person facing the camera:
# the median over the frames of ../shared/data/reference where MediaPipe's 3-D landmarks put
# the body within 10° of facing the camera (it falls with the cosine of the turn: 0.41 at
# 35-55°, 0.08 at 70-90°).
FRONT_SHOULDER_RATIO = 0.69


def body_yaw(pose: Pose, gate: Gate = Gate()) -> float:
    """0° when the shoulders face the camera, 90° when side on; NaN if unknown.

    From the 3-D landmarks when the backend gives them; otherwise (OpenPose) from how wide
    the shoulders look against the trunk's length.
    """
    if pose.world is not None:
        d = pose.world[INDEX["left_shoulder"], :3] - pose.world[INDEX["right_shoulder"], :3]
        if np.all(np.isfinite(d)) and (d[0] or d[2]):
            return math.degrees(math.atan2(abs(d[2]), abs(d[0])))
    names = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    if not all(usable(pose, n, gate) for n in names):
        return math.nan
    ls, rs, lh, rh = (pose.xy(n) for n in names)
    trunk = float(np.linalg.norm((ls + rs) / 2 - (lh + rh) / 2))
    if trunk == 0:
        return math.nan
    ratio = abs(float(ls[0] - rs[0])) / trunk / FRONT_SHOULDER_RATIO
    return math.degrees(math.acos(min(1.0, ratio)))


Memo = dict[tuple, float]


@functools.cache
def _sided_points(points: tuple[tuple[str, ...], ...]) -> dict[str, tuple[int, ...]]:
    """The landmark indices of a side's angles (how well that side is seen: `vis.left`)."""
    return {
        side: tuple(sorted({INDEX[landmark(p, side)] for pts in points for p in pts}))
        for side in SIDES
    }


def sample(
    pose: Pose | None, spec: ExerciseSpec, gate: Gate = Gate(), memo: Memo | None = None
) -> Sample:
    """The exercise's angles for this frame; all NaN when there is no pose. `memo`, one per
    frame, shares the angles several exercises measure alike (recognition samples them all)."""
    memo = {} if memo is None else memo

    def value(angle: AngleDef, side: str) -> float:
        if pose is None:
            return math.nan
        known = (angle.kind, angle.points, angle.space, angle.reference, side)
        if known not in memo:
            memo[known] = angle_value(pose, angle, side, gate)
        return memo[known]

    out: Sample = {}
    for angle in spec.angles.values():
        if angle.kind in DERIVED_KINDS:
            continue  # from the other angles, below
        if not angle.sided:
            out[angle.name] = value(angle, "left")
            continue
        for side in SIDES:
            out[key(angle.name, side)] = value(angle, side)
    for angle in spec.angles.values():
        if angle.kind == "difference":
            a, b = angle.of
            for side in SIDES:
                out[key(angle.name, side)] = out[key(a, side)] - out[key(b, side)]
        elif angle.kind == "opposite":
            for side, other in zip(SIDES, SIDES[::-1], strict=True):
                out[key(angle.name, side)] = out[key(angle.of[0], other)]
    shown = _sided_points(tuple(a.points for a in spec.angles.values() if a.sided))
    for side, indices in shown.items():
        vis = pose.image[list(indices), 3].tolist() if pose and indices else []
        out[f"vis.{side}"] = sum(vis) / len(vis) if vis else 0.0
    if ("view",) not in memo:
        memo[("view",)] = body_yaw(pose, gate) if pose else math.nan
    out["view"] = memo[("view",)]
    return {k: float(v) for k, v in out.items()}
