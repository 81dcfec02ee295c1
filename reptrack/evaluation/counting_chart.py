"""A picture of how one stream was counted: the counted angle on each side, the thresholds
as shipped and as fitted to the person, and each rep, coloured by how it was counted.

For the person whose count looks wrong (`reptrack eval --chart DIR`): the picture shows
whether the angle reached the turn, where the fit moved it, and which reps were recovered.
Drawn with OpenCV into a PNG; no window, no terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from reptrack.errors import ReptrackError
from reptrack.exercise.events import Rep
from reptrack.exercise.measure import value_of
from reptrack.exercise.spec import CounterDef
from reptrack.files import written_whole

WIDTH, HEIGHT = 1200, 420
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 40, 40  # margins, pixels
# BGR colours
SIDES = {"left": (200, 120, 30), "right": (40, 140, 230)}
COUNTED_BY = {"shipped": (90, 170, 90), "adapted": (200, 170, 60), "recovered": (60, 60, 220),
              "periodic": (200, 80, 200)}  # fmt: skip
GREY, DARK = (150, 150, 150), (40, 40, 40)


@dataclass
class CountingTrace:
    """What a chart needs of a counted stream; `add` it sample by sample."""

    title: str
    angle: str
    times: list[float] = field(default_factory=list)
    angles: dict[str, list[float]] = field(default_factory=lambda: {"left": [], "right": []})

    def add(self, t: float, sample: dict[str, float]) -> None:
        self.times.append(t)
        for side, values in self.angles.items():
            values.append(value_of(sample, self.angle, side))


def draw(
    trace: CountingTrace,
    shipped: CounterDef,
    fits: list[tuple[float, str, CounterDef]],
    reps: list[Rep],
) -> np.ndarray:
    """The chart as a BGR image."""
    img: np.ndarray = np.full((HEIGHT, WIDTH, 3), 255, np.uint8)
    t = np.asarray(trace.times, float)
    values = np.concatenate([np.asarray(v, float) for v in trace.angles.values()])
    levels = [
        shipped.start,
        shipped.turn,
        *(c.start for _, _, c in fits),
        *(c.turn for _, _, c in fits),
    ]
    finite = values[np.isfinite(values)]
    lo = min([*levels, *(finite.min(keepdims=True) if finite.size else [])]) - 5
    hi = max([*levels, *(finite.max(keepdims=True) if finite.size else [])]) + 5
    t0, t1 = (float(t[0]), float(t[-1])) if len(t) > 1 else (0.0, 1.0)
    t1 = max(t1, t0 + 1e-6)

    def x(ti: float) -> int:
        return round(LEFT + (ti - t0) / (t1 - t0) * (WIDTH - LEFT - RIGHT))

    def y(v: float) -> int:
        return round(HEIGHT - BOTTOM - (v - lo) / (hi - lo) * (HEIGHT - TOP - BOTTOM))

    for rep in reps:  # the reps, as bands behind the curves
        colour = COUNTED_BY.get(rep.counted_by, GREY)
        band = img.copy()
        cv2.rectangle(band, (x(rep.start), TOP), (x(rep.end), HEIGHT - BOTTOM), colour, -1)
        img = cv2.addWeighted(band, 0.25, img, 0.75, 0)
        cv2.putText(img, str(rep.number), (x(rep.start) + 2, TOP + 14),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.45, DARK, 1, cv2.LINE_AA)  # fmt: skip
    for level in (shipped.start, shipped.turn):  # shipped thresholds, dashed
        for xs in range(LEFT, WIDTH - RIGHT, 12):
            cv2.line(img, (xs, y(level)), (xs + 6, y(level)), GREY, 1)
    for when, side, c in fits:  # fitted thresholds, from the moment of the fit
        for level in (c.start, c.turn):
            cv2.line(img, (x(when), y(level)), (WIDTH - RIGHT, y(level)), SIDES[side], 1)
    for side, raw in trace.angles.items():  # the angle itself
        v = np.asarray(raw, float)
        ok = np.isfinite(v)
        for i in range(1, len(v)):
            if ok[i] and ok[i - 1]:
                cv2.line(img, (x(t[i - 1]), y(v[i - 1])), (x(t[i]), y(v[i])), SIDES[side], 1,
                         cv2.LINE_AA)  # fmt: skip
    cv2.rectangle(img, (LEFT, TOP), (WIDTH - RIGHT, HEIGHT - BOTTOM), DARK, 1)
    for v in np.linspace(lo, hi, 5):
        cv2.putText(img, f"{v:.0f}", (8, y(v) + 4), cv2.FONT_HERSHEY_SIMPLEX, 0.4, DARK, 1)
    for ti in np.linspace(t0, t1, 7):
        cv2.putText(img, f"{ti:.0f}s", (x(ti) - 10, HEIGHT - BOTTOM + 16),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.4, DARK, 1)  # fmt: skip
    legend = (f"{trace.title}: {trace.angle} angle, left blue / right orange; dashed: shipped "
              "start & turn; solid: fitted; bands: reps shipped (green), adapted (teal), "
              "recovered (red), by the set's rhythm (purple)")  # fmt: skip
    cv2.putText(img, legend, (LEFT, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.42, DARK, 1, cv2.LINE_AA)
    return img


def write(path: Path, image: np.ndarray) -> None:
    """Write the chart as a PNG, whole or not at all."""
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise ReptrackError(f"could not encode the chart for {path}")
    try:
        with written_whole(path) as tmp:
            tmp.write_bytes(data.tobytes())
    except OSError as exc:
        raise ReptrackError(f"cannot write {path}: {exc.strerror or exc}") from None
