"""The reptrack Textual app: home, live workout and history screens. The CLI and the tests
build it the same way, the tests injecting a fake source and pose model through the plan's
opener or a ready workout."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from textual import work
from textual.app import App
from textual.worker import Worker, WorkerState

from reptrack import paths
from reptrack.errors import ReptrackError
from reptrack.session import plans
from reptrack.session.auto_run import ANY_EXERCISE, AutoRun, open_auto_run
from reptrack.session.engine import Session
from reptrack.session.plan_run import PlanRun, open_plan_run
from reptrack.session.request import Request, open_exercise
from reptrack.session.results import Summary
from reptrack.session.stopping import stop_signals_call
from reptrack.store import Store
from reptrack.tui import camera
from reptrack.tui.history_screen import HistoryScreen
from reptrack.tui.home import HomeScreen
from reptrack.tui.live import LiveScreen
from reptrack.tui.live_options import LiveOptions
from reptrack.tui.teach_screen import Recorder
from reptrack.tui.watch_screen import WatchScreen
from reptrack.video.sources import source_text

Opener = Callable[[Request], Session]


class ReptrackApp(App[Summary | None]):
    """With a workout: its live screen, and the app ends with the session's summary.
    Without: the home screen, from which workouts and the history are opened."""

    CSS_PATH = "app.tcss"
    TITLE = "reptrack"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        plan: Request,
        *,
        workout: Session | None = None,
        opener: Opener = open_exercise,
        live: LiveOptions = LiveOptions(),
        recorder: Recorder | None = None,
        plan_run: PlanRun | None = None,
        auto_run: AutoRun | None = None,
    ) -> None:
        """`plan_run`: a workout plan's blocks, each on a live screen of its own, one after
        another; the app ends with the last. `auto_run`: the sets of the exercises
        recognised, each on a live screen, watching for the next between them."""
        super().__init__()
        self.plan, self.workout, self.opener = plan, workout, opener
        self.plan_run, self.auto_run = plan_run, auto_run
        self.watch_stop = threading.Event()  # ends the watching for the next exercise
        # started by `reptrack workout` or `reptrack auto`: the app ends with the run; from
        # the home screen, the run ends back there
        self.run_then_exit = plan_run is not None or auto_run is not None
        self.run_over = False  # q on a plan's block or a recognised set: the run ends
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
        self.watch_stop.set()
        if isinstance(self.screen, LiveScreen):
            self.screen.action_finish()  # the session saves, then the screen closes
        else:
            self.exit()

    def on_mount(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.plan_run is not None:
            self._next_block()
        elif self.auto_run is not None:
            self._next_auto_set()
        elif self.workout is not None:
            self._live(self.workout, then_exit=True)
        else:
            self.push_screen(HomeScreen(self.plan, voice=self.live.voice))

    def _live(self, workout: Session, *, then_exit: bool) -> None:
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
        """The plan's next block on a live screen; at the end (or on `q`), the run ends."""
        run = self.plan_run
        assert run is not None
        workout = None if self.stopping or self.run_over else run.next_block()
        if workout is None:
            run.close()
            self.plan_run = None
            self._run_done()
            return
        shown = run.shown(run.index)
        screen = LiveScreen(workout, replace(self.live, block=str(shown), announce=shown.spoken))

        def done(summary: Summary | None) -> None:
            if summary is not None:
                self.summaries.append(summary)
                run.summaries.append(summary)
            if screen.finishing or workout.source_ended:
                self.run_over = True  # q ends the whole workout, as does the video's end
            self._next_block()

        self.push_screen(screen, done)

    def _run_done(self) -> None:
        """A plan or a recognising run ended: the app too when it was started for it (or was
        told to stop), else back home, showing the last set saved."""
        self.run_over = False
        if self.run_then_exit or self.stopping:
            self.exit(self.summaries[-1] if self.summaries else None)
        elif self.summaries and isinstance(self.screen, HomeScreen):
            self.screen.show_saved(self.summaries[-1])

    # -- recognising the exercise (`reptrack auto`, or "any exercise" at home) ------------
    def _next_auto_set(self) -> None:
        """Watch for the next exercise (off the UI's thread), then count it on a live screen;
        when the source ends or on `q`, back home (or, from `reptrack auto`, the app ends)."""
        run = self.auto_run
        assert run is not None
        if self.stopping or self.run_over or (run.source_ended and not run.pending):
            self._auto_done()
            return
        self.push_screen(WatchScreen(run.source.description, len(run.summaries)))
        self.watch_for_set()

    @work(thread=True, exclusive=True, exit_on_error=False, group="watch", description="watch")
    def watch_for_set(self) -> Session | None:
        assert self.auto_run is not None
        return self.auto_run.next_set(self.watch_stop)

    def _auto_set(self, workout: Session | None) -> None:
        run = self.auto_run
        assert run is not None
        if isinstance(self.screen, WatchScreen):
            self.pop_screen()
        if workout is None:
            self._auto_done()
            return
        label = f"set {len(run.summaries) + 1} · {workout.spec.title} · recognised"
        screen = LiveScreen(workout, replace(self.live, block=label, announce=workout.spec.title))

        def done(summary: Summary | None) -> None:
            if summary is not None:
                self.summaries.append(summary)
                run.ended(workout, summary)
            if screen.finishing and not workout.source_ended:
                self.run_over = True  # q ends the whole run (at the video's end, a set the
            self._next_auto_set()  # stream ended in is still to come)

        self.push_screen(screen, done)

    def _auto_done(self) -> None:
        run = self.auto_run
        assert run is not None
        run.close()
        self.auto_run = None
        self._run_done()

    def on_home_screen_start(self, message: HomeScreen.Start) -> None:
        self.live = replace(self.live, voice=message.voice)
        self.notify(f"opening {source_text(message.plan.source)}…", timeout=3, markup=False)
        self.open_session(message.plan, message.workout_plan)

    @work(thread=True, exclusive=True, exit_on_error=False, group="open", description="open")
    def open_session(
        self, plan: Request, workout_plan: str | None = None
    ) -> Session | AutoRun | PlanRun:
        """Opening a camera or loading a model can take seconds: not on the UI's thread.
        `workout_plan`: that plan's blocks, on `plan`'s source."""
        if workout_plan is not None:
            return open_plan_run(plans.load(workout_plan), plan)
        if plan.exercise == ANY_EXERCISE:
            return open_auto_run(plan)
        return self.opener(plan)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "watch" and event.state == WorkerState.SUCCESS:
            self._auto_set(event.worker.result)
            return
        if event.worker.group == "watch" and event.state == WorkerState.ERROR:
            self._auto_done()
        if event.worker.group not in ("open", "watch"):
            return
        if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, AutoRun):
            self.auto_run = event.worker.result
            self.watch_stop.clear()
            self._next_auto_set()
        elif event.state == WorkerState.SUCCESS and isinstance(event.worker.result, PlanRun):
            self.plan_run = event.worker.result
            self._next_block()
        elif event.state == WorkerState.SUCCESS and event.worker.result is not None:
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
