"""Joint angles from a pose: angles between named points and segments against the vertical.

Angles are NaN when a point they need is not trustworthy: too low a visibility score, or
outside the frame. Image angles are measured in pixels so a non-square frame does not skew them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from reptrack.pose.types import INDEX, Pose


@dataclass(frozen=True)
class Gate:
    """When a landmark may be used."""

    min_visibility: float = 0.5
    # How far outside the frame (as a fraction of its size) a point may lie.
    frame_margin: float = 0.02


# Points are a handful of coordinates: plain floats are several times faster than numpy's
# calls on them, and every exercise's every angle is measured on every frame.


def usable(pose: Pose, name: str, gate: Gate = Gate()) -> bool:
    x, y, _, visibility = pose.image[INDEX[name]].tolist()
    if not math.isfinite(x) or visibility < gate.min_visibility:
        return False
    m = gate.frame_margin
    return -m <= x <= 1 + m and -m <= y <= 1 + m


def _floats(p: np.ndarray | list[float]) -> list[float]:
    return p.tolist() if isinstance(p, np.ndarray) else [float(v) for v in p]


def angle_between(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """The angle ABC at b, in degrees (0–180), for 2-D or 3-D points."""
    pa, pb, pc = _floats(a), _floats(b), _floats(c)
    v1 = [p - q for p, q in zip(pa, pb, strict=True)]
    v2 = [p - q for p, q in zip(pc, pb, strict=True)]
    n1, n2 = math.hypot(*v1), math.hypot(*v2)
    if n1 == 0 or n2 == 0:
        return math.nan
    cosine = sum(p * q for p, q in zip(v1, v2, strict=True)) / (n1 * n2)
    return math.degrees(math.acos(max(-1.0, min(1.0, cosine))))


def angle_from_vertical(top: np.ndarray, bottom: np.ndarray) -> float:
    """The angle in degrees (0–180) between the segment bottom→top and straight up."""
    dx, dy = float(top[0] - bottom[0]), float(top[1] - bottom[1])
    if dx == 0 and dy == 0:
        return math.nan
    return math.degrees(math.atan2(abs(dx), -dy))


def _points(pose: Pose, names: tuple[str, ...], world: bool) -> list[np.ndarray]:
    if world and pose.world is not None:
        return [pose.world[INDEX[n], :3] for n in names]
    scale = np.array([pose.width or 1, pose.height or 1], dtype=float)
    return [pose.image[INDEX[n], :2] * scale for n in names]


def joint_angle(
    pose: Pose, a: str, b: str, c: str, *, world: bool = False, gate: Gate = Gate()
) -> float:
    """The angle at `b` between `a` and `c` (e.g. hip–knee–ankle), NaN if any point is unusable."""
    if not all(usable(pose, n, gate) for n in (a, b, c)):
        return math.nan
    return angle_between(*_points(pose, (a, b, c), world))


def plane_facing(pose: Pose, a: str, b: str, c: str) -> float:
    """How squarely the plane of the joint angle ABC faces the camera, from the 3-D landmarks:
    1 when it faces it (the image shows the angle as it is), 0 when it is edge-on (the image
    angle is a projection that says little). NaN without 3-D landmarks."""
    if pose.world is None:
        return math.nan
    (ax, ay, az), (bx, by, bz), (cx, cy, cz) = (
        pose.world[INDEX[n], :3].tolist() for n in (a, b, c)
    )
    ux, uy, uz, vx, vy, vz = ax - bx, ay - by, az - bz, cx - bx, cy - by, cz - bz
    normal = (uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx)
    norm = math.hypot(*normal)
    if not math.isfinite(norm) or norm == 0:
        return math.nan
    return abs(normal[2]) / norm


# Where the joint's plane faces the camera at least this much the image angle is trusted
# fully, below the lower bound not at all; in between the two are blended, so the angle does
# not jump as a limb turns.
FACING_IMAGE = (0.7, 0.9)


def view_angle(pose: Pose, a: str, b: str, c: str, *, gate: Gate = Gate()) -> float:
    """The joint angle ABC measured where the camera sees it best.

    The image angle is exact (up to perspective) when the joint moves in a plane that faces
    the camera, but a projection that hides the bend when the plane is edge-on. The world
    angle is the model's 3-D estimate, which holds from any view but is flattened by its
    weak depth (an elbow bent toward the camera reads 100° where it is 70°). So: the image
    angle where the plane faces the camera, the world angle where it is edge-on.
    """
    world = joint_angle(pose, a, b, c, world=True, gate=gate)
    image = joint_angle(pose, a, b, c, world=False, gate=gate)
    facing = plane_facing(pose, a, b, c)
    if math.isnan(facing) or math.isnan(world):
        return image
    lo, hi = FACING_IMAGE
    w = min(1.0, max(0.0, (facing - lo) / (hi - lo)))
    return w * image + (1 - w) * world


def segment_vertical_angle(
    pose: Pose, top: str, bottom: str, *, world: bool = False, gate: Gate = Gate()
) -> float:
    """The angle of the segment bottom→top from vertical (0 = upright): in the image, or in
    3-D (`world`, when the backend gives it), where a body lying along the camera's line of
    sight is horizontal though the picture shows it upright."""
    if not (usable(pose, top, gate) and usable(pose, bottom, gate)):
        return math.nan
    if world and pose.world is not None:
        d = pose.world[INDEX[top], :3] - pose.world[INDEX[bottom], :3]
        n = float(np.linalg.norm(d))
        if not n > 0:
            return math.nan
        return math.degrees(math.acos(max(-1.0, min(1.0, -float(d[1]) / n))))
    p_top, p_bottom = _points(pose, (top, bottom), False)
    return angle_from_vertical(p_top, p_bottom)
