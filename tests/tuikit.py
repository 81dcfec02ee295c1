"""What the TUI tests share: a terminal size, a synthetic workout, and waiting for the app."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from fakes import BlankSource, Squatter, session
from reptrack.exercise import spec as specs
from reptrack.session.engine import Session
from reptrack.store import Store
from reptrack.tui import camera
from reptrack.tui.app import ReptrackApp

SIZE = (120, 40)

camera.probe()  # as tui.app.run does before the app starts (here: no terminal to ask)


class SteadySession(Session):
    """Reports fixed speed figures, so snapshots do not depend on the machine's pace."""

    def _count(self, *args, **kwargs):
        r = super()._count(*args, **kwargs)
        if r.frame is not None:
            r.fps, r.pose_ms, r.latency_ms = 30.0, 12.0, 15.0
            r.frame = replace(r.frame, captured=0.0)
        return r


def fake_session(db: Path, frames: int = 30 * 7, *, live: bool = False, **kw) -> Session:
    engine = kw.pop("cls", Session)
    return session(BlankSource(frames, live=live), Squatter(), specs.load("squat"),
                   store=Store(db), engine=engine, **kw)  # fmt: skip


def at_camera_pace(monkeypatch) -> None:
    """Every session's frames at a camera's pace (30 a second), not as fast as the machine
    reads a file: a test that presses a key during the first set is there before it ends."""
    step = Session.step

    def paced(self):
        time.sleep(1 / 30)
        return step(self)

    monkeypatch.setattr(Session, "step", paced)


def text(app: ReptrackApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def until(pilot, condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.05)


def run(coro) -> None:
    asyncio.run(coro)


def shown_screens(app: ReptrackApp, kind: type) -> list:
    """Every screen of `kind` the app pushes, in order, recorded as it is pushed: a test reads
    what each showed however fast the session behind it ran (no polling race)."""
    pushed: list = []
    push = app.push_screen

    def recording(screen, *args, **kwargs):
        if isinstance(screen, kind):
            pushed.append(screen)
        return push(screen, *args, **kwargs)

    app.push_screen = recording  # type: ignore[method-assign]
    return pushed


def title_of(screen) -> str:
    """A live screen's title line (what its `#title` shows), once it has closed too."""
    return screen.title_line


def live_titles(app: ReptrackApp, each: Callable[[], None] = lambda: None) -> list[str]:
    """Run `app` to its end, leaving each live screen with `q` once its video has finished
    (as a person would); the title line of each live screen shown, in order. `each` looks
    at the app between steps."""
    from reptrack.tui.live import LiveScreen

    screens = shown_screens(app, LiveScreen)

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            while app.is_running:
                each()
                if isinstance(app.screen, LiveScreen) and "video finished" in text(app, "#camera"):
                    await pilot.press("q")
                await pilot.pause(0.05)

    run(scenario())
    return [title_of(screen) for screen in screens]
