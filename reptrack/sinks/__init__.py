"""Where a session goes: every listener is a sink that receives each step's `FrameResult`
(a frame's picture, pose, sample and events, or events with no frame of their own), in
stream order, on the session loop's thread, from the engine (`session.engine`), which knows
none of them: the store (`store`), the CSV and JSON-lines logs (`logs`), the printer, the
voice, the bell and the preview (`presenting`), the TUI's bridge (`tui.loop`), the
recogniser that watches a plan's block (a `Calls`).

Adding an output is one class and one line where the session is assembled
(`session.request.open_outputs`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from reptrack.errors import ReptrackError
from reptrack.exercise.events import Event

if TYPE_CHECKING:
    from reptrack.session.results import FrameResult


@dataclass(frozen=True)
class SinkNotice(Event):
    """Something an output wants the person to know (the log is busy, and free again)."""

    message: str


class Sink(Protocol):
    def frame(self, result: FrameResult) -> None:
        """One step of the session: a frame, or (`result.frame` None) events without one."""
        ...

    def close(self, status: str, reason: str | None) -> None:
        """The session ended (`status`: completed or interrupted; `reason`: why, if early)."""
        ...

    def notices(self) -> list[str]:
        """What the person should be told (once each) since the last call."""
        ...


class Guarded:
    """A sink whose failure (a disk that fills under a log, a pipe closed) is said once and
    ends only that sink: the session and the other sinks go on."""

    def __init__(self, sink: Sink, name: str) -> None:
        self.sink, self.name = sink, name
        self.failed = False
        self._notices: list[str] = []

    def _failed(self, exc: Exception) -> None:
        if not self.failed:
            self.failed = True
            message = exc.message if isinstance(exc, ReptrackError) else f"{exc}"
            self._notices.append(f"{self.name} stopped: {message}; the session goes on")

    def frame(self, result: FrameResult) -> None:
        if self.failed:
            return
        try:
            self.sink.frame(result)
        except Exception as exc:  # one output's fault is not the session's
            self._failed(exc)

    def close(self, status: str, reason: str | None) -> None:
        """Closed even after it failed (a recording's file is let go); said once."""
        try:
            self.sink.close(status, reason)
        except Exception as exc:
            self._failed(exc)

    def notices(self) -> list[str]:
        told = [] if self.failed else self.sink.notices()
        out, self._notices = [*told, *self._notices], []
        return out


class Calls:
    """A sink that hands each step to a function (a test's probe, a recogniser watching a
    plan's block); `frames_only`: only the steps with a frame."""

    def __init__(self, each: Callable[[FrameResult], None], *, frames_only: bool = False) -> None:
        self.each, self.frames_only = each, frames_only

    def frame(self, result: FrameResult) -> None:
        if result.frame is not None or not self.frames_only:
            self.each(result)

    def close(self, status: str, reason: str | None) -> None:
        pass

    def notices(self) -> list[str]:
        return []
