"""The live workout screen, made to be read from where a person exercises: the count as large as
the terminal allows, the set's progress, the phase, the camera picture with the skeleton, the
angle gauge, the latest form warning as a banner, set and rest timers, speed and the camera's
state. It reads the pose loop's messages and sends it requests; it never waits for the loop."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.events import Resize
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from reptrack.exercise.events import Hold, HoldEnded, Rep
from reptrack.session.engine import Session
from reptrack.session.results import Summary
from reptrack.session.sets import RestOver, RestStarted, SetStarted, WorkoutDone
from reptrack.sinks.voice import Engine, Voice
from reptrack.tui.camera import CameraView
from reptrack.tui.live_options import LiveOptions
from reptrack.tui.loop import (
    BellRung,
    FormWarned,
    FramePictured,
    FrameProcessed,
    HoldMoved,
    LoopControls,
    PersonSeen,
    PoseLoop,
    PreviewUnavailable,
    RepCounted,
    RepTakenBack,
    RuleNotChecked,
    SessionEnded,
    SetMoved,
)
from reptrack.tui.scoreboard import Scoreboard
from reptrack.tui.widgets import AngleGauge, Line, WarningLine

UNARMED = "get into the start position"  # before the counter has seen the start position


class LiveScreen(Screen[Summary | None]):
    """Runs one workout; dismissed with its summary once it has been saved."""

    BINDINGS = [  # in the footer's order: q first, so a narrow terminal never hides it
        Binding("q", "finish", "Finish & save"),
        Binding("space", "pause", "Pause"),
        Binding("n", "next_set", "Next set"),
        Binding("u", "undo", "Undo rep"),
        Binding("v", "view", "Camera view"),
        Binding("m", "voice", "Voice on/off"),
        Binding("p", "preview", "Preview"),
        Binding("ctrl+c", "finish", "Finish & save", show=False, priority=True),
    ]

    count: reactive[int] = reactive(0)
    paused: reactive[bool] = reactive(False)

    def __init__(self, workout: Session, options: LiveOptions = LiveOptions()) -> None:
        super().__init__()
        self.workout = workout
        self.controls = LoopControls.create(options.preview)
        self.record, self.ring_bell = options.record, options.bell
        self.block, self.announce = options.block, options.announce
        self.view_choice = options.view  # None: the camera view is shown where there is room
        self.voice = self._voice(options.speech)
        self.voice.muted = not options.voice  # muted, it starts no engine; `m` unmutes it
        self.clock = options.clock
        self.set_number, self.set_reps = 1, 0
        self.set_started = self.clock()
        self.stopped_at: float | None = None
        self.rest_left: float | None = None  # as the session engine last said
        self.ended: SessionEnded | None = None
        self.finishing = False
        self.seen = False
        self.preview_note = ""
        self.reps: list[Rep] = []  # as the loop reported them, less the undone ones
        self.holds: list[Hold] = []  # a timed hold's stretches in position, as they ended
        self.held = 0.0  # a timed hold's seconds in position in this set

    @property
    def summary(self) -> Summary | None:
        """The saved session's summary, once the loop has ended."""
        return self.ended.summary if self.ended is not None else None

    @property
    def title_line(self) -> str:
        """The screen's first line: the exercise (or the block of a plan) and the source."""
        return f"{self.block or self.workout.spec.title} · {self.workout.source.description}"

    # -- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(self.title_line, id="title", markup=False)
        with VerticalScroll(id="body"):  # gives way first on a small terminal
            with Horizontal(id="stage"):
                yield Scoreboard(id="scoreboard")
                yield CameraView(choice=self.view_choice, id="view")
            yield AngleGauge.for_exercise(self.workout.spec, id="gauge")
            yield WarningLine(id="warning")
        yield Line(id="camera")  # what to do next ("video finished — press q"): always seen
        yield Line(id="speed")
        yield Footer()

    def on_mount(self) -> None:
        for note in self.workout.notes:
            self.notify(note, title="Note", timeout=12, markup=False)
        self._show_set()
        self._show_quality()
        self._show_phase(None)
        self._camera("starting…")
        self._tick()  # the clock shows from the start, not half a second later
        self.set_interval(0.5, self._tick)
        if not self.voice.muted:
            self.voice.start()  # the engine takes a moment: start it before the first rep
        if self.announce:
            self.voice.say(self.announce)
        self.query_one(CameraView).place(self.app.size)
        self.call_after_refresh(self._start_loop)

    def _start_loop(self) -> None:
        """Once laid out: the camera view's size is known before the first frame."""
        self._size_pictures()
        self.run_loop()

    def _voice(self, speech: Callable[[], Engine]) -> Voice:
        def problem(message: str) -> None:  # from the voice's thread
            with contextlib.suppress(RuntimeError):  # the app may be gone already
                self.app.call_from_thread(
                    self.notify, message, title="Voice", severity="warning", markup=False
                )

        return Voice(speech, on_problem=problem)

    def on_resize(self, event: Resize) -> None:
        self._place_view()

    def _place_view(self) -> None:
        """Show or hide the camera view, and tell the loop what size of picture it takes."""
        self.query_one(CameraView).place(self.app.size)
        self.call_after_refresh(self._size_pictures)

    def _size_pictures(self) -> None:
        view = self.query_one(CameraView)
        source = self.workout.source
        self.controls.view_size = view.fit(source.width, source.height) if view.display else None

    # -- the pose loop ------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="pose", description="pose loop")
    def run_loop(self) -> None:
        PoseLoop(self.workout, self, self.controls, record=self.record, voice=self.voice,
                 in_block=self.block is not None, bell=self.ring_bell).run()  # fmt: skip

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "pose" and event.state == WorkerState.ERROR:
            # A bug, not a user error: the loop saved what it had; show it and let them quit.
            self.ended = SessionEnded(self.workout.finish("interrupted"))
            self._camera(f"[red]stopped by an error:[/] {escape(str(event.worker.error))}")

    def on_frame_processed(self, message: FrameProcessed) -> None:
        r = message.result
        captured = r.frame.captured if r.frame is not None else 0.0
        on_screen = (time.monotonic() - captured) * 1000 if captured else 0.0
        self.query_one(AngleGauge).value = r.angle
        self._show_phase(r.phase)
        self.count = r.count
        if r.held is not None and r.set_number >= self.set_number:
            self.held = r.held
            self._show_clock()
        if r.set_number >= self.set_number:  # a frame from before `n` took effect is stale
            self.set_number, self.set_reps = r.set_number, r.set_reps
        self.rest_left = r.rest_left
        self.query_one("#speed", Line).text = (
            f"{r.fps:5.1f} frames/s · pose {r.pose_ms:4.0f} ms · latency {r.latency_ms:4.0f} ms"
            f" · on screen {on_screen:4.0f} ms"
            + (f" · {self.preview_note}" if self.preview_note else "")
        )
        if not self.seen and r.pose is None:
            self._camera("step into view")

    def on_frame_pictured(self, message: FramePictured) -> None:
        view = self.query_one(CameraView)
        if view.display:
            view.show(message.picture)

    def on_rep_counted(self, message: RepCounted) -> None:
        """A rep counted, or taken back: the engine's reps, shown as it has them."""
        self.reps = list(message.reps)
        self.count, self.set_reps = message.count, message.set_reps
        self._show_set()
        if isinstance(message, RepTakenBack):
            self._show_quality()
            self.notify("last rep removed")

    def on_set_moved(self, message: SetMoved) -> None:
        """The session engine's set program: the TUI only shows and says it."""
        e = message.event
        if isinstance(e, WorkoutDone) and not self.block:
            self.query_one(WarningLine).warn("workout complete — press q to save", "info")
        elif isinstance(e, RestStarted):
            self.rest_left = e.until - e.t
            if e.before_block:
                self.query_one(WarningLine).warn(
                    "block done — rest, then the next block (n: start it now)", "info"
                )
        elif isinstance(e, RestOver) and e.before_block:
            self.rest_left = None
        elif isinstance(e, RestOver):
            self.rest_left = None
            self._next_set(e.next_set)
            self.query_one(WarningLine).warn("rest over — next set!", "info")
        elif isinstance(e, SetStarted):  # (after `n`)
            self._next_set(e.number)
        self._show_set()
        self._tick()

    def on_bell_rung(self, message: BellRung) -> None:
        self.app.bell()

    def on_hold_moved(self, message: HoldMoved) -> None:
        if isinstance(message.event, HoldEnded):
            self.holds.append(message.event.hold)
            self._show_quality()

    def on_form_warned(self, message: FormWarned) -> None:
        self.query_one(WarningLine).warn(message.warning.message, message.warning.severity)

    def on_rule_not_checked(self, message: RuleNotChecked) -> None:
        self.notify(message.text, title="Form", markup=False)

    def on_person_seen(self, message: PersonSeen) -> None:
        self.seen = message.seen
        self._camera("tracking" if message.seen else "step into view")

    def on_preview_unavailable(self, message: PreviewUnavailable) -> None:
        self.preview_note = "preview unavailable"
        self.notify(message.reason, title="Preview", severity="warning", markup=False)

    def on_session_ended(self, message: SessionEnded) -> None:
        self.ended = message
        self.stopped_at = self.clock()  # the set's clock stops with the video or camera
        self.rest_left = None
        self._tick()
        summary = message.summary
        if message.error is not None:
            self._camera(f"[red]{escape(message.error.message)}[/]")
            self.notify(
                str(message.error),
                title="Session stopped",
                severity="error",
                timeout=30,
                markup=False,
            )
        elif self.finishing:
            pass
        elif summary and summary.end_reason:
            self._camera(f"[yellow]{escape(summary.end_reason)}[/] — press q to save and leave")
        else:
            self._camera("video finished — press q to leave")
        if summary is not None:
            self.reps = list(summary.reps)
            self.count = len(summary.reps)
            if summary.holds is not None:
                self.holds = list(summary.holds)
                last = summary.set_details[-1] if summary.set_details else {}
                self.held = last.get("held_seconds", self.held)
                self._show_quality()
                self._show_clock()
        w = self.workout
        block_done = self.block and (w.program.done or w.moved_on) and not w.source_ended
        if self.finishing or (block_done and message.error is None):
            self.dismiss(self.summary)  # a block done: the plan's next one follows

    # -- display ------------------------------------------------------------------------
    @property
    def scoreboard(self) -> Scoreboard:
        return self.query_one(Scoreboard)

    def watch_count(self, count: int) -> None:
        if self.workout.spec.is_hold:
            return  # the clock is the big number (`_show_clock`)
        self.scoreboard.count(count)
        self._show_quality()

    def _show_clock(self) -> None:
        self.scoreboard.clock(self.held)
        self._show_set()

    def _show_quality(self) -> None:
        if self.workout.spec.is_hold:
            self.scoreboard.holds(self.holds)
        else:
            self.scoreboard.reps(self.reps)

    def _show_phase(self, phase: str | None) -> None:
        # The exercise's own words ("standing", "bottom", "pushing up"), else the phase's.
        self.scoreboard.phase(UNARMED if phase is None else self.workout.spec.label(phase))

    def _show_set(self) -> None:
        """The set against its target, as the session engine's set program has them."""
        program = self.workout.program
        sets = program.planned_sets
        if program.hold:
            held = int(self.held)
            self.scoreboard.progress(self.set_number, sets, held, program.target_seconds, "s")
        else:
            self.scoreboard.progress(
                self.set_number, sets, self.set_reps, program.target_reps, "reps"
            )

    def _camera(self, text: str) -> None:
        state = "[b]PAUSED[/] · " if self.paused else ""
        self.query_one("#camera", Line).text = f"camera: {state}{text}"

    def _tick(self) -> None:
        now = self.clock() if self.stopped_at is None else self.stopped_at
        self.scoreboard.timers(now - self.set_started, self.rest_left)
        source = self.workout.source
        if self.ended is None and getattr(source, "reconnecting", False):
            self._camera("[yellow]camera lost — reconnecting…[/]")

    # -- keys ---------------------------------------------------------------------------
    def _loop_running(self) -> bool:
        return self.ended is None

    def action_pause(self) -> None:
        if not self._loop_running():
            return
        self.paused = not self.paused
        if self.paused:
            self.controls.pause.set()
        else:
            self.controls.pause.clear()
        self._camera("paused — space to go on" if self.paused else "tracking")

    def _next_set(self, number: int) -> None:
        if number > self.set_number:
            self.set_number, self.set_reps, self.held = number, 0, 0.0
            self.set_started = self.clock()

    def action_next_set(self) -> None:
        """Ask the engine for the next set; the screen shows it when the engine says so."""
        self.rest_left = None
        if self._loop_running():
            self.workout.request("next_set")
        else:
            self.workout.next_set()

    def action_undo(self) -> None:
        if self.set_reps <= 0:
            self.notify("no rep to undo in this set", severity="warning")
            return
        if self._loop_running():
            self.workout.request("undo")  # the engine takes it back and tells the screen
        else:
            self.workout.undo()

    def action_view(self) -> None:
        shown = self.query_one(CameraView).toggle(self.app.size)
        self.call_after_refresh(self._size_pictures)
        self.notify("camera view on" if shown else "camera view off", timeout=2)

    def action_voice(self) -> None:
        self.voice.muted = not self.voice.muted
        if not self.voice.muted:
            self.voice.start()
        self.notify("voice muted" if self.voice.muted else "voice on", timeout=2)

    def action_preview(self) -> None:
        if self.controls.preview.is_set():
            self.controls.preview.clear()
            self.preview_note = "preview off"
        else:
            self.controls.preview.set()
            self.preview_note = "preview on"

    def action_finish(self) -> None:
        if self.ended is not None:
            self.dismiss(self.summary)
            return
        self.finishing = True
        self._camera("saving…")
        self.controls.pause.clear()
        self.controls.stop.set()

    def on_unmount(self) -> None:
        self.controls.stop.set()  # however the screen goes, the loop stops and saves
        self.voice.close(timeout=0)  # what is still waiting is said on its own thread
