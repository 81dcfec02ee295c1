"""Progress over time from the session log: per exercise and per day or week, the sessions,
reps and clean share, the median range of motion, depth and rep time, a timed hold's time
held and longest hold; and the personal bests.
Read-only; the figures come from one query over the reps and their sessions."""

from __future__ import annotations

import math
import sqlite3
import statistics
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from reptrack.errors import StoreError
from reptrack.store import Store
from reptrack.store.queries import session_filter

PERIODS = ("day", "week")
# The personal bests, by their names in `Trend.bests` and the JSON.
BEST_NAMES = {
    "reps_in_a_session": "reps in a session",
    "clean_reps_in_a_session": "clean reps in a session",
    "reps_in_a_set": "reps in a set",
    "range_of_motion": "median range of motion, °",
    "longest_hold": "longest hold, s",
    "held_in_a_session": "time held in a session, s",
}


@dataclass
class Period:
    """One day or week (`start` is its first day, a Monday for a week) of one exercise."""

    start: str
    sessions: int = 0
    reps: int = 0
    clean_reps: int = 0
    best_set: int = 0  # most reps in one set
    range_of_motion: float | None = None  # median over the reps, degrees
    depth: float | None = None  # median of the counting angle at each rep's turning point
    rep_seconds: float | None = None  # median rep time
    held_seconds: float = 0.0  # a timed hold's time in position, all sessions
    best_hold: float = 0.0  # the longest single hold

    @property
    def clean_share(self) -> float | None:
        return self.clean_reps / self.reps if self.reps else None

    def to_json(self) -> dict:
        return {**asdict(self), "clean_share": _rounded(self.clean_share, 3)}


@dataclass
class Best:
    value: float
    session_id: int
    day: str


@dataclass
class Trend:
    """An exercise's periods, oldest first, and its personal bests."""

    exercise: str
    period: str
    periods: list[Period] = field(default_factory=list)
    bests: dict[str, Best] = field(default_factory=dict)

    @property
    def is_hold(self) -> bool:
        """A timed hold's trend: time held, no reps."""
        return all(p.reps == 0 for p in self.periods) and any(p.held_seconds for p in self.periods)

    def to_json(self) -> dict:
        return {
            "exercise": self.exercise,
            "period": self.period,
            "periods": [p.to_json() for p in self.periods],
            "bests": {name: asdict(best) for name, best in self.bests.items()},
        }


def _rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _median(values: list[float]) -> float | None:
    finite = [v for v in values if isinstance(v, int | float) and math.isfinite(v)]
    return round(statistics.median(finite), 1) if finite else None


def period_start(started_at: str, period: str) -> str | None:
    """The local day (or the Monday of the week) a session started on; None if unreadable."""
    try:
        moment = datetime.fromisoformat(started_at)
    except (TypeError, ValueError):
        return None
    day = (moment.astimezone() if moment.tzinfo else moment).date()
    if period == "week":
        day -= timedelta(days=day.weekday())
    return day.isoformat()


_QUERY = """
SELECT s.id, s.exercise, s.started_at, r.set_number, r.flags, r.range_of_motion, r.extreme,
       r.duration
FROM sessions s LEFT JOIN reps r ON r.session_id = s.id
{where}
ORDER BY s.started_at, s.id
"""


_HOLDS = """
SELECT s.id, h.seconds FROM sessions s JOIN holds h ON h.session_id = s.id {where}
"""


def trends(
    store: Store, period: str = "week", exercise: str | None = None, since: str | None = None
) -> list[Trend]:
    """Every exercise's trend (or one exercise's), from sessions started on or after `since`."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")
    where, args = session_filter(exercise, since, table="s")
    sql = _QUERY.format(where=f"WHERE {where}" if where else "")
    try:
        rows = store.db.execute(sql, args).fetchall()
    except sqlite3.Error as exc:
        raise StoreError(
            f"{store.path}: cannot read the sessions for the trends ({exc})",
            hint="the log was changed by another tool; `reptrack history` shows what is left",
        ) from None
    try:
        held = store.db.execute(_HOLDS.format(where=f"WHERE {where}" if where else ""), args)
        hold_rows = held.fetchall()
    except sqlite3.Error:
        hold_rows = []  # a log from before holds, or one another tool changed: no holds
    sessions: dict[int, dict | None] = {}  # None: its start time cannot be read
    for sid, name, started_at, set_number, flags, rom, extreme, duration in rows:
        if sid not in sessions:  # a row a rep: the session's dates are read once
            start = period_start(started_at, period)
            sessions[sid] = None
            if start is not None:
                sessions[sid] = {
                    "exercise": name,
                    "start": start,
                    "day": period_start(started_at, "day"),
                    "reps": [],
                    "sets": {},
                    "holds": [],
                }
        s = sessions[sid]
        if s is None or set_number is None:  # unreadable, or a session without reps
            continue
        s["reps"].append((flags in ("[]", None), rom, extreme, duration))
        s["sets"][set_number] = s["sets"].get(set_number, 0) + 1
    for sid, seconds in hold_rows:
        if (s := sessions.get(sid)) is not None and isinstance(seconds, int | float):
            s["holds"].append(float(seconds))
    return _gather({sid: s for sid, s in sessions.items() if s is not None}, period)


def _gather(sessions: dict[int, dict], period: str) -> list[Trend]:
    found: dict[str, Trend] = {}
    grouped: dict[tuple[str, str], list[dict]] = {}
    for sid, s in sessions.items():
        trend = found.setdefault(s["exercise"], Trend(s["exercise"], period))
        grouped.setdefault((s["exercise"], s["start"]), []).append(s)
        reps = s["reps"]
        candidates = {
            "reps_in_a_session": len(reps),
            "clean_reps_in_a_session": sum(r[0] for r in reps),
            "reps_in_a_set": max(s["sets"].values(), default=0),
            "range_of_motion": _median([r[1] for r in reps]) or 0.0,
            "longest_hold": round(max(s["holds"], default=0.0), 1),
            "held_in_a_session": round(sum(s["holds"]), 1),
        }
        for name, value in candidates.items():
            best = trend.bests.get(name)
            if value > 0 and (best is None or value > best.value):
                trend.bests[name] = Best(value, sid, s["day"])
    for (name, start), group in sorted(grouped.items()):
        reps = [r for s in group for r in s["reps"]]
        found[name].periods.append(
            Period(
                start=start,
                sessions=len(group),
                reps=len(reps),
                clean_reps=sum(r[0] for r in reps),
                best_set=max((n for s in group for n in s["sets"].values()), default=0),
                range_of_motion=_median([r[1] for r in reps]),
                depth=_median([r[2] for r in reps]),
                rep_seconds=_median([r[3] for r in reps]),
                held_seconds=round(sum(h for s in group for h in s["holds"]), 1),
                best_hold=round(max((h for s in group for h in s["holds"]), default=0.0), 1),
            )
        )
    return [found[name] for name in sorted(found)]
