"""Progress over time: the figures per week and per day, the personal bests, `reptrack history
--stats --json`, and the trends screen in the TUI."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
from test_hostile import cli

from reptrack.session.request import Request
from reptrack.store import Store
from reptrack.store.trends import period_start, trends
from reptrack.tui.app import ReptrackApp
from reptrack.tui.history_screen import HistoryScreen
from reptrack.tui.trends_screen import TrendsScreen
from tuikit import SIZE, fake_session, run, until

# Midday UTC, so the local day is the same in any time zone from UTC-11 to UTC+11.
DAYS = ["2026-11-02", "2026-11-12", "2026-11-12", "2026-11-25"]


def logged(db: Path) -> Store:
    """Four squat sessions of three reps over three weeks, and a curl session; the second
    session's first rep flagged, the fourth session's reps in two sets."""
    for _ in range(len(DAYS) + 1):
        fake_session(db).run()
    store = Store(db)
    sql = store.db.execute
    for sid, day in enumerate([*DAYS, "2026-11-26"], start=1):
        sql(
            "UPDATE sessions SET started_at = ?, ended_at = ? WHERE id = ?",
            [f"{day}T12:00:00.000+00:00", f"{day}T12:01:00.000+00:00", sid],
        )
    sql("UPDATE sessions SET exercise = 'curl' WHERE id = 5")
    sql("UPDATE reps SET flags = '[\"not_deep_enough\"]' WHERE session_id = 2 AND n = 1")
    sql("UPDATE sessions SET good_reps = good_reps - 1 WHERE id = 2")
    sql("UPDATE reps SET set_number = 2 WHERE session_id = 4 AND n = 3")
    store.db.conn.commit()
    return store


def column(store: Store, name: str, sessions: tuple[int, ...]) -> list[float]:
    marks = ",".join("?" * len(sessions))
    rows = store.db.execute(f"SELECT {name} FROM reps WHERE session_id IN ({marks})", sessions)
    return [r[0] for r in rows]


def test_weekly_figures_and_personal_bests(tmp_path):
    store = logged(tmp_path / "s.db")
    found = {t.exercise: t for t in trends(store, "week")}
    assert set(found) == {"squat", "curl"}
    squat = found["squat"]
    assert [p.start for p in squat.periods] == ["2026-11-02", "2026-11-09", "2026-11-23"]
    assert [p.sessions for p in squat.periods] == [1, 2, 1]
    assert [p.reps for p in squat.periods] == [3, 6, 3]
    assert [p.clean_reps for p in squat.periods] == [3, 5, 3]
    assert squat.periods[1].clean_share == pytest.approx(5 / 6)
    assert [p.best_set for p in squat.periods] == [3, 3, 2]
    week = squat.periods[1]
    assert week.range_of_motion == round(
        statistics.median(column(store, "range_of_motion", (2, 3))), 1
    )
    assert week.rep_seconds == round(statistics.median(column(store, "duration", (2, 3))), 1)
    assert week.depth == round(statistics.median(column(store, "extreme", (2, 3))), 1)
    best = squat.bests["clean_reps_in_a_session"]
    assert (best.value, best.session_id, best.day) == (3, 1, "2026-11-02")
    assert squat.bests["reps_in_a_set"].value == 3


def test_by_day_and_for_one_exercise_since_a_date(tmp_path):
    store = logged(tmp_path / "s.db")
    (squat,) = trends(store, "day", exercise="squat", since="2026-11-10")
    assert [(p.start, p.sessions) for p in squat.periods] == [("2026-11-12", 2), ("2026-11-25", 1)]


def test_a_week_starts_on_monday_in_local_time():
    assert period_start("2026-11-29T12:00:00+00:00", "week") == "2026-11-23"  # a Sunday
    assert period_start("2026-11-30T12:00:00+00:00", "week") == "2026-11-30"
    assert period_start("not a time", "week") is None


def test_history_stats_json_gives_per_exercise_weekly_figures(tmp_path):
    db = tmp_path / "s.db"
    logged(db).close()
    proc = cli("history", "--stats", "--json", db=db)
    assert proc.returncode == 0, proc.stderr
    data = {t["exercise"]: t for t in json.loads(proc.stdout)}
    assert data["squat"]["period"] == "week"
    weeks = data["squat"]["periods"]
    assert [(w["start"], w["reps"], w["clean_share"]) for w in weeks] == [
        ("2026-11-02", 3, 1.0), ("2026-11-09", 6, 0.833), ("2026-11-23", 3, 1.0),
    ]  # fmt: skip
    assert data["curl"]["bests"]["reps_in_a_session"]["value"] == 3
    text = cli("history", "--stats", db=db)
    assert text.returncode == 0 and "squat by week" in text.stdout and "83 %" in text.stdout


def test_trends_screen_opens_from_the_history_and_switches_to_days(tmp_path):
    db = tmp_path / "s.db"
    logged(db).close()
    app = ReptrackApp(Request("squat", db=str(db)))

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("h")
            await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
            await pilot.press("t")
            await until(pilot, lambda: isinstance(app.screen, TrendsScreen))
            screen = app.screen
            assert list(screen.found) == ["curl", "squat"]
            await pilot.press("down")  # squat
            await pilot.pause()
            assert "personal bests" in str(screen.query_one("#bests").render())
            await pilot.press("b")
            await pilot.pause()
            assert screen.period == "day"
            assert len(screen.found["squat"].periods) == 3  # three days with squats
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, HistoryScreen))

    run(scenario())


def test_snapshot_trends_screen(snap_compare, tmp_path):
    db = tmp_path / "s.db"
    logged(db).close()

    async def run_before(pilot) -> None:
        await pilot.press("h")
        await until(pilot, lambda: isinstance(pilot.app.screen, HistoryScreen))
        await pilot.press("t", "down")
        await until(pilot, lambda: isinstance(pilot.app.screen, TrendsScreen))
        await pilot.pause()

    assert snap_compare(ReptrackApp(Request("squat", db=str(db))), terminal_size=SIZE,
                        run_before=run_before)  # fmt: skip
