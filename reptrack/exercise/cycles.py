"""The repetitions in one angle stream: resampled to a steady rate, smoothed, cut into cycles
out from the rest level and back, and how regular those cycles are.

Pure functions on arrays of timestamps and angles (degrees, NaN where not measured); learning
an exercise, calibrating one and the counter's live fit all read streams through them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

RATE = 30.0  # streams are resampled to this many samples a second
MAX_GAP = 0.5  # a gap in a stream longer than this (seconds) stays a gap
SMOOTH_SECONDS = 0.2  # running median against landmark jitter
# A cycle leaves the rest level (below REST of the range), passes FAR of the range, and comes
# back below REST: a movement that does not cross the middle of the range firmly is not one.
REST, FAR = 0.3, 0.7


def regular(
    t: np.ndarray, x: np.ndarray, rate: float = RATE, max_gap: float = MAX_GAP
) -> np.ndarray:
    """`x` at `rate` samples a second from t[0]; gaps longer than `max_gap` stay NaN."""
    t, x = np.asarray(t, float), np.asarray(x, float)
    if len(t) == 0:
        return np.array([])
    grid = t[0] + np.arange(int((t[-1] - t[0]) * rate) + 1) / rate
    ok = np.isfinite(x)
    if ok.sum() < 2:
        return np.full(len(grid), np.nan)
    tv, xv = t[ok], x[ok]
    out = np.interp(grid, tv, xv)
    after = np.searchsorted(tv, grid).clip(1, len(tv) - 1)
    before = after - 1
    inside = (tv[before] <= grid) & (grid <= tv[after])
    span = np.where(inside, tv[after] - tv[before], np.inf)
    near = np.minimum(np.abs(grid - tv[before]), np.abs(grid - tv[after]))
    out[(span > max_gap) & (near > 0.5 / rate)] = np.nan
    return out


def smooth(x: np.ndarray, seconds: float = SMOOTH_SECONDS, rate: float = RATE) -> np.ndarray:
    """Running median over `seconds`, ignoring NaN (NaN where the window holds none)."""
    half = max(0, int(seconds * rate) // 2)
    if half == 0 or len(x) == 0:
        return np.asarray(x, float).copy()
    padded = np.pad(np.asarray(x, float), half, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    out = np.full(len(x), np.nan)
    some = np.isfinite(windows).any(axis=1)
    out[some] = np.nanmedian(windows[some], axis=1)
    return out


def correlation(x: np.ndarray, lag: int) -> float:
    """Pearson correlation of `x` with itself `lag` samples later, over the samples both have
    (NaN where under a second of them overlaps)."""
    if not 0 < lag < len(x):
        return math.nan
    a, b = x[:-lag], x[lag:]
    both = np.isfinite(a) & np.isfinite(b)
    if both.sum() < RATE:
        return math.nan
    return correlation_of(a[both], b[both])


def correlation_of(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two equally long series (NaN where either does not vary)."""
    a, b = a - a.mean(), b - b.mean()
    norm = math.sqrt(float((a * a).sum() * (b * b).sum()))
    return float((a * b).sum()) / norm if norm > 0 else math.nan


@dataclass(frozen=True)
class Cycle:
    """One repetition found in a stream: rest → far → rest."""

    start: float  # seconds: leaves the rest level
    turn: float  # seconds: at the far extreme
    end: float  # seconds: back at the rest level
    rest: float  # the angle at rest before it (the extreme on the rest side)
    far: float  # the angle at the far extreme

    @property
    def seconds(self) -> float:
        return self.end - self.start

    @property
    def depth(self) -> float:
        return abs(self.rest - self.far)


def levels(x: np.ndarray) -> tuple[float, float]:
    """The stream's low and high levels (5th and 95th percentiles): robust to a stray sample."""
    ok = x[np.isfinite(x)]
    if len(ok) == 0:
        return math.nan, math.nan
    lo, hi = np.percentile(ok, [5, 95])
    return float(lo), float(hi)


def rests_high(x: np.ndarray, rate: float = RATE) -> bool:
    """Does the person rest at the stream's high level (so a rep decreases the angle)?

    A set starts at rest, ends there and pauses there between reps; but a set may end on a
    rep cut short, and some people pause at the turn (a curl held at the top). So the stream's
    first moments decide, unless both its last moments and the time spent near each level
    say otherwise. A stream not measured at its very start (a side hidden as the set began)
    has no first moments to tell: its last moments decide.
    """
    lo, hi = levels(x)
    ok = x[np.isfinite(x)]
    if not hi > lo or len(ok) == 0:
        return True
    z = (ok - lo) / (hi - lo)
    moment = max(1, int(0.3 * rate))
    last = float(np.median(z[-moment:])) > 0.5
    if not np.isfinite(x[0]):
        return last
    first = float(np.median(z[:moment])) > 0.5
    dwell = float(np.mean(z > 1 - REST)) > float(np.mean(z < REST))
    return first if (last == dwell) == first or last != dwell else last


def find_cycles(
    x: np.ndarray, decrease: bool, rate: float = RATE, max_gap: float = 2.0
) -> list[Cycle]:
    """The repetitions of a regular stream: each leaves the rest level, crosses FAR of the
    stream's range and comes back below REST. A gap (NaN) longer than `max_gap` seconds
    abandons a cycle in progress; a shorter one (hands above the frame at a press's top) is
    stepped over."""
    lo, hi = levels(x)
    if not hi > lo:
        return []
    rest_level = hi if decrease else lo
    depth = (rest_level - x) / (hi - lo) * (1 if decrease else -1)
    outer = np.maximum if decrease else np.minimum
    cycles: list[Cycle] = []
    state = "wait"  # for the rest level: a stream may open in the middle of a rep
    start = turn = 0
    rest_value = far_value = math.nan
    seen = -1  # the last sample with a value
    for i, d in enumerate(depth):
        v = float(x[i])
        if not np.isfinite(d):
            continue
        if seen >= 0 and (i - seen) / rate > max_gap:
            state = "wait"
        seen = i
        if state == "wait":
            if d < REST:
                state, rest_value = "rest", v
            continue
        if state == "rest":
            rest_value = v if math.isnan(rest_value) else float(outer(rest_value, v))
            if d >= REST:
                state, start = "out", i
                far_value, turn = v, i
        else:
            if (v < far_value) == decrease and v != far_value:
                far_value, turn = v, i
            if state == "out" and d >= FAR:
                state = "far"
            elif d < REST:
                if state == "far":
                    cycles.append(Cycle(start / rate, turn / rate, i / rate, rest_value, far_value))
                state, rest_value = "rest", v
    return cycles


def spread(cycles: tuple[Cycle, ...] | list[Cycle]) -> float:
    """How irregular the cycle durations are: see `spread_of`."""
    if len(cycles) < 2:
        return math.inf
    return spread_of(np.array([c.seconds for c in cycles]))


def spread_of(durations: np.ndarray) -> float:
    """How irregular these durations are: median absolute deviation over the median."""
    median = float(np.median(durations))
    return float(np.median(np.abs(durations - median))) / median if median > 0 else math.inf


def likeness(x: np.ndarray, cycles: tuple[Cycle, ...] | list[Cycle], rate: float = RATE) -> float:
    """How much each repetition looks like the next: over the set (first rep's start to last
    rep's end), the stream's correlation with itself one repetition later (the median
    interval between the reps' turns), or two later when that is higher (sides taking turns)."""
    if len(cycles) < 2:
        return 0.0
    span = x[int(cycles[0].start * rate) : int(cycles[-1].end * rate) + 1]
    interval = float(np.median(np.diff([c.turn for c in cycles]))) * rate
    values = [correlation(span, round(k * interval)) for k in (1, 2)]
    return max((v for v in values if not math.isnan(v)), default=0.0)


def shared(a_start: float, a_end: float, b_start: float, b_end: float) -> float:
    """The share of the shorter of two time spans that both cover (0 to 1): two sides' reps
    sharing most of their time are one movement; alternating sides share little."""
    both = min(a_end, b_end) - max(a_start, b_start)
    return max(0.0, both) / max(min(a_end - a_start, b_end - b_start), 1e-9)
