"""The sinks that present a session to the person as it happens — the voice, the terminal's
bell, the preview window and the recording — wired in one place (`presenting`) for the TUI
and the headless run alike, so that an option does the same in both."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from reptrack.session.results import FrameResult
from reptrack.sinks import Guarded, Sink
from reptrack.sinks.voice import rings

if TYPE_CHECKING:
    from reptrack.sinks.voice import Voice
    from reptrack.video.preview import AnnotatedOutput


class Spoken:
    """`--voice`: what each step's events call for, said (`voice.Voice.hear`)."""

    def __init__(self, voice: Voice, *, in_block: bool = False) -> None:
        self.voice, self.in_block = voice, in_block

    def frame(self, result: FrameResult) -> None:
        self.voice.hear(result.events, result.set_reps, in_block=self.in_block)

    def close(self, status: str, reason: str | None) -> None:
        pass  # the voice is the run's: a plan's next block speaks on

    def notices(self) -> list[str]:
        return []


class Bell:
    """`--bell`: `ring` called once for each rep and each rest over (`voice.rings`)."""

    def __init__(self, ring: Callable[[], None]) -> None:
        self.ring = ring

    def frame(self, result: FrameResult) -> None:
        for _ in range(rings(result.events)):
            self.ring()

    def close(self, status: str, reason: str | None) -> None:
        pass

    def notices(self) -> list[str]:
        return []


class Annotated:
    """`--preview` and `--record`: each frame with the skeleton, the angles and the count, to
    the window while `window()` says so and to the recording. A window that cannot be shown
    (no display, closed with the mouse) is handed to `lost` with why, if known."""

    def __init__(
        self,
        output: AnnotatedOutput,
        window: Callable[[], bool],
        lost: Callable[[str | None], None],
    ) -> None:
        self.output, self.window, self.lost = output, window, lost

    def frame(self, result: FrameResult) -> None:
        if result.frame is None:
            return
        if not self.output.frame(result, window=self.window()):
            self.lost(self.output.window.problem)

    def close(self, status: str, reason: str | None) -> None:
        self.output.close()

    def notices(self) -> list[str]:
        return []


def presenting(
    *,
    voice: Voice | None = None,
    in_block: bool = False,
    ring: Callable[[], None] | None = None,
    output: AnnotatedOutput | None = None,
    window: Callable[[], bool] = lambda: False,
    lost: Callable[[str | None], None] = lambda problem: None,
) -> list[Sink]:
    """The sinks that show and say a session as the person asked: the voice (`in_block`: the
    session is a block of a plan, whose sets done end the block), the bell (`ring`), the
    preview window and the recording (`output`)."""
    sinks: list[Sink] = []
    if voice is not None:
        sinks.append(Spoken(voice, in_block=in_block))
    if ring is not None:
        sinks.append(Bell(ring))
    if output is not None:
        sinks.append(Guarded(Annotated(output, window, lost), "the preview and recording"))
    return sinks
