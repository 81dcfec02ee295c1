"""Speaking to the person exercising: each rep's number, each new form warning, "set done",
"rest over" (and, for the same events, how often `--bell` rings). Phrases wait in a short
queue that a thread of their own empties, so speech never holds up the pose loop; the engine
itself runs in a child process (`reptrack.sinks.speech`).

When no engine can be started (no espeak-ng, no pyttsx3), `on_problem` is told once and the
voice stays silent: a session never fails for want of speech.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from reptrack.exercise.events import Event, FormWarning, HoldStarted, HoldTick, RepCompleted
from reptrack.session.sets import RestOver, RestStarted, WorkoutDone

# A warning said again within this many seconds is not new: it is not said twice.
WARNING_REPEAT_SECONDS = 10.0


def rings(events: list[Event]) -> int:
    """How many times `--bell` rings for a frame's events: once a rep, once a rest over. The
    live screen and the headless runs both ring this way."""
    return sum(isinstance(e, RepCompleted | RestOver) for e in events)


def spoken_time(seconds: float) -> str:
    """Seconds held as a coach says them: "10 seconds", "1 minute", "2 minutes 30"."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} seconds"
    minutes, rest = divmod(whole, 60)
    said = f"{minutes} minute{'s' if minutes > 1 else ''}"
    return f"{said} {rest}" if rest else said


class VoiceUnavailable(Exception):
    """No speech engine could be started; the message says why."""


class Engine(Protocol):
    def say(self, text: str) -> None:
        """Speak `text`, returning when it has been spoken."""

    def close(self) -> None: ...


class SpeechProcess:
    """pyttsx3 in a child process (see `reptrack.sinks.speech`); `to` writes a WAV file instead."""

    def __init__(
        self, to: str | Path | None = None, driver: str | None = None, timeout: float = 20.0
    ) -> None:
        command = [sys.executable, "-m", "reptrack.sinks.speech"]
        command += ["--to", str(to)] if to else []
        command += ["--driver", driver] if driver else []
        try:
            self.proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                bufsize=1,
            )
        except OSError as exc:
            raise VoiceUnavailable(f"the voice is unavailable: {exc}") from None
        first = self._answer()
        if first != "ready":
            self.close()
            reason = first.removeprefix("unavailable: ") if first else "the speech engine stopped"
            raise VoiceUnavailable(f"the voice is unavailable: {reason}")

    def _answer(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def say(self, text: str) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(" ".join(text.split()) + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            raise VoiceUnavailable("the speech engine stopped") from None
        if self._answer() != "done":
            raise VoiceUnavailable("the speech engine stopped")

    def close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()  # the child finishes its file and leaves
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@dataclass
class _Phrase:
    text: str
    kind: str  # "rep", "warning" or "event"


class Voice:
    """A queue of phrases spoken one after another on a thread of its own.

    A rep's number replaces one still waiting (only the newest count is worth saying), a
    warning already waiting is not queued twice, and at most `backlog` phrases wait.
    `make_engine` is called on the speech thread when the first phrase comes."""

    def __init__(
        self,
        make_engine: Callable[[], Engine] = SpeechProcess,
        on_problem: Callable[[str], None] = lambda message: None,
        backlog: int = 3,
    ) -> None:
        self.make_engine, self.on_problem, self.backlog = make_engine, on_problem, backlog
        self.muted = False
        self.spoken: list[str] = []  # what was said, in order
        self._pending: list[_Phrase] = []
        self._wake = threading.Condition()
        self._closing = False
        self._failed = False
        self._thread: threading.Thread | None = None
        self._warned: dict[str, float] = {}  # warning → when it was last queued

    # -- what to say --------------------------------------------------------------------
    def hear(self, events: list[Event], set_reps: int, *, in_block: bool = False) -> None:
        """Say what a frame's events call for: the set's rep count, a new warning, a hold's
        time, a set done, a rest over, the end (`in_block`: of a workout plan's block). The
        live screen and the headless runs both say it this way."""
        for e in events:
            if isinstance(e, RepCompleted):
                self.rep(set_reps)
            elif isinstance(e, FormWarning):
                self.warning(e.message)
            elif isinstance(e, HoldTick):
                self.held(e.seconds)
            elif isinstance(e, HoldStarted):
                self.say("hold")
            elif isinstance(e, RestStarted) and e.before_block:
                self.say(f"rest {spoken_time(e.until - e.t)}, then the next exercise")
            elif isinstance(e, RestStarted):
                self.say("set done")
            elif isinstance(e, RestOver) and not e.before_block:  # (the next block is said)
                self.say("rest over")
            elif isinstance(e, WorkoutDone):
                self.say("block done" if in_block else "workout complete")

    def held(self, seconds: float) -> None:
        """A hold's time so far, as a coach says it: "ten seconds", "one minute 30"."""
        self._queue(_Phrase(spoken_time(seconds), "rep"))

    def rep(self, number: int) -> None:
        self._queue(_Phrase(str(number), "rep"))

    def warning(self, message: str) -> None:
        """Say `message` unless it was said in the last `WARNING_REPEAT_SECONDS`."""
        now = time.monotonic()
        last = self._warned.get(message)
        if last is not None and now - last < WARNING_REPEAT_SECONDS:
            return
        if self._queue(_Phrase(message, "warning")):  # one not said (muted) is still new
            self._warned[message] = now

    def say(self, text: str) -> None:
        self._queue(_Phrase(text, "event"))

    def start(self) -> None:
        """Start the engine now rather than at the first phrase (it takes a moment). Safe
        from any thread: the live screen unmutes on its own, the pose loop queues on its."""
        with self._wake:
            if self._thread is None and not self._closing:
                self._thread = threading.Thread(target=self._run, name="voice", daemon=True)
                self._thread.start()

    def _queue(self, phrase: _Phrase) -> bool:
        """Queue `phrase`; False when it is not (muted, no engine, closing, already waiting)."""
        if self.muted or self._failed or self._closing:
            return False
        with self._wake:
            pending = self._pending
            if phrase.kind == "rep":
                pending[:] = [p for p in pending if p.kind != "rep"]
            elif any(p.text == phrase.text for p in pending):
                return False
            pending.append(phrase)
            del pending[: -self.backlog]
            self._wake.notify()
        self.start()
        return True

    # -- the speech thread --------------------------------------------------------------
    def _run(self) -> None:
        try:
            engine = self.make_engine()
        except VoiceUnavailable as exc:
            self._give_up(str(exc))
            return
        try:
            while True:
                with self._wake:
                    while not self._pending and not self._closing:
                        self._wake.wait()
                    if not self._pending:
                        return
                    phrase = self._pending.pop(0)
                if self.muted:
                    continue
                engine.say(phrase.text)
                self.spoken.append(phrase.text)
        except VoiceUnavailable as exc:
            self._give_up(str(exc))
        finally:
            engine.close()

    def _give_up(self, message: str) -> None:
        self._failed = True
        with self._wake:
            self._pending.clear()
        self.on_problem(f"{message}; counting goes on without it")

    def close(self, timeout: float = 10.0) -> None:
        """Say what is waiting (for up to `timeout` s), then stop the engine."""
        with self._wake:
            self._closing = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout)
