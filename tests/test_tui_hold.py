"""The live screen during a timed hold (a plank), under Textual's Pilot: the clock as the big
number, standing still while the position is lost, going on when it is back."""

from __future__ import annotations

import threading

import numpy as np

from fakes import BlankSource, RecordedPoses, recorded_session, session
from reptrack.clock import clock_text
from reptrack.exercise import spec as specs
from reptrack.session.request import Request
from reptrack.store import Store
from reptrack.tui.app import ReptrackApp
from reptrack.tui.widgets import BigCount
from tuikit import SIZE, run, text, until

FPS = 25.0  # plank_akshathak's rate
PLANK = list(range(100, 350))  # 4-14 s of plank_akshathak: a straight plank
LYING = list(range(0, 40))  # its first 1.6 s: lying on the forearms, hips down


class SplicedPoses(RecordedPoses):
    """The recorded landmarks of the frames `order` names, one after another."""

    def __init__(self, npz, order: list[int]) -> None:
        super().__init__(npz)
        self.order = order

    def estimate(self, frame, timestamp):
        i, self._i = self._i, self._i + 1
        self._i, real = self.order[i], self._i
        try:
            return super().estimate(frame, timestamp)
        finally:
            self._i = real


class GatedSource(BlankSource):
    """A video that stops before frame `gate` until the test lets it go on."""

    def __init__(self, frames: int, gate: int) -> None:
        super().__init__(frames, FPS)
        self.gate = gate
        self.waiting, self.go_on = threading.Event(), threading.Event()

    def read(self):
        if self._index == self.gate:
            self.waiting.set()
            self.go_on.wait(timeout=30)
        return super().read()


def test_the_plank_clock_stops_while_out_of_position_and_goes_on(shared, tmp_path):
    order = PLANK + LYING + PLANK
    source = GatedSource(len(order), gate=len(PLANK) + len(LYING))
    db = tmp_path / "s.db"
    workout = session(
        source,
        SplicedPoses(shared / "reference" / "plank_akshathak.npz", order),
        specs.load("plank"),
        store=Store(db),
        target_seconds=60,
    )
    app = ReptrackApp(Request("plank", db=str(db), target_seconds=60), workout=workout)
    clock = lambda: app.screen.query_one("#count", BigCount).value  # noqa: E731
    shown: list[str] = []

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, source.waiting.is_set, timeout=60)
            await until(pilot, lambda: "holds 1" in text(app, "#quality"))
            # 10 s in position, then out of it: the clock stands at what was held
            assert clock() == "0:10"
            assert "GET INTO POSITION" in text(app, "#phase")
            assert "10/60 s" in text(app, "SetProgress")
            await pilot.pause(0.3)
            assert clock() == "0:10"
            source.go_on.set()
            await until(pilot, lambda: "video finished" in text(app, "#camera"), timeout=60)
            shown.append(clock())
            assert "holds 2" in text(app, "#quality") and "best 0:10" in text(app, "#quality")
            await pilot.press("q")
            await until(pilot, lambda: app.return_value is not None)

    run(scenario())
    summary = app.return_value
    assert len(summary.holds) == 2 and 19.5 <= summary.held_seconds <= 20.5
    assert shown == [clock_text(summary.held_seconds)]  # the clock ends on the time held
    assert np.isclose(Store(db).sessions()[0]["held_seconds"], summary.held_seconds)


def test_a_hold_session_in_the_history_screen_shows_its_holds(shared, tmp_path):
    from textual.widgets import DataTable

    from reptrack.tui.history_screen import HistoryScreen, SessionScreen

    db = tmp_path / "s.db"
    recorded_session(shared, "plank_warteg", "plank", store=Store(db)).run()
    app = ReptrackApp(Request("plank", db=str(db)))

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            app.push_screen(HistoryScreen(Store(db)))
            await pilot.pause()
            table = app.screen.query_one(DataTable)
            cells = [str(c) for c in table.get_row_at(0)]
            assert cells[2:5] == ["plank", "8.9 s", "—"]
            await pilot.press("enter")
            assert isinstance(app.screen, SessionScreen)
            holds = app.screen.query_one("#reps", DataTable)
            columns = [str(c.label) for c in holds.columns.values()]
            assert holds.row_count == 1 and columns[:2] == ["hold", "set"]
            assert "held 8.9 s in 1 hold(s)" in text(app, "#title")

    run(scenario())


def test_the_trends_screen_plots_a_hold_by_its_time_held(shared, tmp_path):
    from textual_plotext import PlotextPlot

    from reptrack.tui.trends_screen import TrendsScreen

    db = tmp_path / "s.db"
    for video in ("plank_warteg", "plank_warteg_b"):
        recorded_session(shared, video, "plank", store=Store(db)).run()
    app = ReptrackApp(Request("plank", db=str(db)))

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            app.push_screen(TrendsScreen(Store(db)))
            await pilot.pause()
            screen = app.screen
            assert screen.found["plank"].is_hold
            await pilot.pause()
            drawn = str(screen.query_one("#plot-reps", PlotextPlot).render())
            assert "time held (s) by week" in drawn
            bests = str(screen.query_one("#bests").render())
            assert "longest hold, s: 12" in bests and "time held in a session, s" in bests

    run(scenario())
