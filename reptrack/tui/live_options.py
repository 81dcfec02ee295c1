"""What a live screen is asked to do beyond the request: the options the command line and
the home screen give it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from reptrack.sinks.voice import Engine, SpeechProcess


@dataclass(frozen=True)
class LiveOptions:
    """How a live screen runs, beyond the plan: the preview window (it can be toggled with
    `p`), the camera view in the terminal (`v`; None: shown where there is room), a recording
    file, a bell on each rep and at the end of a rest, the voice, and the clock the rest
    timer reads (tests pass their own)."""

    preview: bool = False
    view: bool | None = None
    record: str | None = None
    bell: bool = False
    voice: bool = False
    clock: Callable[[], float] = time.monotonic
    speech: Callable[[], Engine] = SpeechProcess  # the voice's engine (tests pass a fake)
    block: str | None = None  # one block of a workout plan: "block 2/4 · Push-up 3 × 10 reps"
    announce: str | None = None  # what the voice says as it opens: "Push-up, 3 times 10 reps"
