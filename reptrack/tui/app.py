"""The reptrack Textual app: home, live workout and history screens. The CLI and the tests
build it the same way, the tests injecting a fake source and pose model through the plan's
opener or a ready workout."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from textual import work
from textual.app import App
from textual.worker import Worker, WorkerState

from reptrack import paths
from reptrack.errors import ReptrackError
from reptrack.plan import Plan, open_workout
from reptrack.plan_runner import PlanRun
from reptrack.sources import source_text
from reptrack.stopping import stop_signals_call
from reptrack.store import Store
from reptrack.tui import camera
from reptrack.tui.history_screen import HistoryScreen
from reptrack.tui.home import HomeScreen
from reptrack.tui.live import LiveOptions, LiveScreen
from reptrack.tui.teach_screen import Recorder
from reptrack.workout import Summary, Workout

Opener = Callable[[Plan], Workout]


class ReptrackApp(App[Summary | None]):
    """With a workout: its live screen, and the app ends with the session's summary.
    Without: the home screen, from which workouts and the history are opened."""

    CSS_PATH = "app.tcss"
    TITLE = "reptrack"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        plan: Plan,
        *,
        workout: Workout | None = None,
        opener: Opener = open_workout,
        live: LiveOptions = LiveOptions(),
        recorder: Recorder | None = None,
        plan_run: PlanRun | None = None,
    ) -> None:
        """`plan_run`: a workout plan's blocks, each on a live screen of its own, one after
        another; the app ends with the last."""
        super().__init__()
        self.plan, self.workout, self.opener = plan, workout, opener
        self.plan_run = plan_run
        self.recorder = recorder  # how Learn and Calibrate record (the tests replay landmarks)
        self.live = live
        self.summaries: list[Summary] = []
        self.stopping = False  # a stop signal came: finish, save and quit
        self._loop: asyncio.AbstractEventLoop | None = None

    def stop_soon(self) -> None:
        """Finish and save as `q` would, then quit. Safe in a signal handler: it only
        schedules the work on the app's event loop."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._stop)

    def _stop(self) -> None:
        self.stopping = True
        if isinstance(self.screen, LiveScreen):
            self.screen.action_finish()  # the session saves, then the screen closes
        else:
            self.exit()

    def on_mount(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.plan_run is not None:
            self._next_block()
        elif self.workout is not None:
            self._live(self.workout, then_exit=True)
        else:
            self.push_screen(HomeScreen(self.plan, voice=self.live.voice))

    def _live(self, workout: Workout, *, then_exit: bool) -> None:
        def done(summary: Summary | None) -> None:
            if summary is not None:
                self.summaries.append(summary)
            if then_exit or self.stopping:
                self.exit(summary)
            elif summary is not None and isinstance(self.screen, HomeScreen):
                self.screen.show_saved(summary)

        self.push_screen(LiveScreen(workout, self.live), done)

    # -- from the home screen -----------------------------------------------------------
    def _next_block(self) -> None:
        """The plan's next block on a live screen; at the end (or on `q`), the app ends."""
        run = self.plan_run
        assert run is not None
        workout = None if self.stopping else run.next_block()
        if workout is None:
            run.close()
            self.exit(self.summaries[-1] if self.summaries else None)
            return
        screen = LiveScreen(workout, replace(self.live, block=str(run.shown(run.index))))

        def done(summary: Summary | None) -> None:
            if summary is not None:
                self.summaries.append(summary)
                run.summaries.append(summary)
            if screen.finishing or workout.source_ended:
                self.stopping = True  # q ends the whole workout, as does the video's end
            self._next_block()

        self.push_screen(screen, done)

    def on_home_screen_start(self, message: HomeScreen.Start) -> None:
        self.live = replace(self.live, voice=message.voice)
        self.notify(f"opening {source_text(message.plan.source)}…", timeout=3, markup=False)
        self.open_session(message.plan)

    @work(thread=True, exclusive=True, exit_on_error=False, group="open", description="open")
    def open_session(self, plan: Plan) -> Workout:
        """Opening a camera or loading a model can take seconds: not on the UI's thread."""
        return self.opener(plan)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "open":
            return
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self._live(event.worker.result, then_exit=False)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            text = str(error) if isinstance(error, ReptrackError) else repr(error)
            self.notify(text, title="Cannot start", severity="error", timeout=20, markup=False)

    def action_history(self) -> None:
        try:
            store = Store(self.plan.db)
            store.recover_interrupted()
        except ReptrackError as exc:
            self.notify(str(exc), title="History", severity="error", timeout=20, markup=False)
            return
        self.push_screen(HistoryScreen(store))


@contextlib.contextmanager
def native_stderr_to(path: Path) -> Iterator[None]:
    """Send what native libraries write to file descriptor 2 (LiteRT, Qt) to `path` while the
    TUI owns the terminal, so they cannot scribble over the screen. Textual draws on
    `sys.__stderr__`, which meanwhile writes to a duplicate of the terminal's descriptor."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError:
        yield
        return
    original = sys.__stderr__
    sys.stderr.flush()
    terminal_fd = os.dup(2)
    terminal = os.fdopen(terminal_fd, "w", encoding=getattr(original, "encoding", None) or "utf-8")
    os.dup2(log, 2)
    sys.__stderr__ = terminal  # type: ignore[misc]  # where Textual draws
    try:
        yield
    finally:
        terminal.flush()
        os.dup2(terminal_fd, 2)
        sys.__stderr__ = original  # type: ignore[misc]
        terminal.close()
        os.close(log)


def stderr_log() -> Path:
    return paths.cache_dir() / "tui-stderr.log"


def run(app: ReptrackApp) -> Summary | None:
    """Run the app in this terminal; native libraries' messages go to a log file meanwhile.
    The terminal is asked how it draws pictures first, while it still can answer."""
    with native_stderr_to(stderr_log()), stop_signals_call(app.stop_soon):
        camera.probe()
        return app.run()
