"""The camera picture on the live screen, drawn with the best image protocol the terminal has:
Kitty's or Sixel graphics where it supports them, coloured half-blocks elsewhere.

textual-image asks the terminal what it supports when it is imported, and that only works
before the app takes the terminal over; a terminal that does not answer makes it wait, log a
warning with a traceback, or fail outright (a pseudo-terminal of no size divides by zero).
So it is imported only by `probe()`, which `tui.app.run` calls just before a session's app
starts, with its logging kept off the screen; when the probe fails, or was never made, the
picture is drawn with half-blocks of our own.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from PIL import Image as PILImage
from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.containers import Container
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

log = logging.getLogger(__name__)

_TerminalImage: Any = None  # textual-image's widget, once a probe found the terminal's drawing
# Pixels a character cell shows: with Kitty or Sixel graphics, about a common terminal font's
# cell; drawn with characters, the two halves of a half-block. Frames are sent at this size,
# so that the UI thread never scales a picture down itself.
HALF_BLOCK_CELL = (1, 2)
GRAPHICS_CELL = (10, 20)
_cell = HALF_BLOCK_CELL


def probe() -> bool:
    """Ask the terminal how it draws pictures (textual-image's import does). Call it before
    the app takes the terminal; on any failure the half-blocks of `HalfBlocks` are used."""
    global _TerminalImage, _cell
    if _TerminalImage is not None:
        return True
    try:
        from textual_image.renderable.halfcell import Image as HalfcellDrawing
        from textual_image.renderable.unicode import Image as UnicodeDrawing
        from textual_image.widget import Image as TerminalImage
    except Exception as exc:  # a terminal that answers nothing, or has no size
        log.info("the terminal's picture support is unknown (%s): drawing half-blocks", exc)
        return False
    _TerminalImage = TerminalImage
    drawing = getattr(TerminalImage, "_Renderable", None)
    _cell = HALF_BLOCK_CELL if drawing in (HalfcellDrawing, UnicodeDrawing) else GRAPHICS_CELL
    return True


class HalfBlocks(Widget):
    """A picture drawn with '▀': each cell shows two pixels, the top one as the character's
    colour and the bottom one as its background. Needs nothing from the terminal."""

    DEFAULT_CSS = "HalfBlocks { width: auto; height: auto; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[Strip] = []
        self._picture: PILImage.Image | None = None

    @property
    def image(self) -> PILImage.Image | None:
        return self._picture

    @image.setter
    def image(self, picture: PILImage.Image | None) -> None:
        self._picture = picture
        width, height = self.size
        self._rows = [] if picture is None else _half_blocks(picture, width, height)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        return self._rows[y] if y < len(self._rows) else Strip.blank(self.size.width)


def _half_blocks(picture: PILImage.Image, columns: int, rows: int) -> list[Strip]:
    if columns <= 0 or rows <= 0:
        return []
    pixels = np.asarray(picture.convert("RGB").resize((columns, rows * 2)))
    strips = []
    for row in range(rows):
        segments = []
        for x in range(columns):
            top, bottom = pixels[2 * row, x], pixels[2 * row + 1, x]
            style = Style(color=f"rgb({top[0]},{top[1]},{top[2]})",
                          bgcolor=f"rgb({bottom[0]},{bottom[1]},{bottom[2]})")  # fmt: skip
            segments.append(Segment("▀", style))
        strips.append(Strip(segments, columns))
    return strips


# Shown by default when the terminal has room for it beside a big count.
VIEW_MIN_SIZE = (100, 30)


class CameraView(Container):
    """The latest annotated frame, as large as the box allows with its shape kept; shown
    where the terminal has room, or as the person chose (`v`)."""

    DEFAULT_CSS = """
    CameraView { align: center middle; }
    CameraView #waiting { width: auto; color: $text-muted; }
    """

    def __init__(self, *, choice: bool | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cells = (0, 0)  # the picture's size in character cells
        self.choice = choice  # None until the person chooses: by the terminal's size

    def wanted(self, terminal: tuple[int, int]) -> bool:
        if self.choice is not None:
            return self.choice
        return terminal[0] >= VIEW_MIN_SIZE[0] and terminal[1] >= VIEW_MIN_SIZE[1]

    def place(self, terminal: tuple[int, int]) -> None:
        """Shown or hidden, as wanted in a terminal of this size."""
        self.display = self.wanted(terminal)

    def toggle(self, terminal: tuple[int, int]) -> bool:
        """The person's choice: the other way round from now; returns it."""
        self.choice = not self.wanted(terminal)
        self.place(terminal)
        return self.choice

    def compose(self) -> ComposeResult:
        yield Static("waiting for the camera…", id="waiting")
        yield (_TerminalImage or HalfBlocks)(id="picture")

    def show(self, picture: PILImage.Image) -> None:
        waiting = self.query_one("#waiting", Static)
        if waiting.display:
            waiting.display = False
        self.query_one("#picture").image = picture  # type: ignore[attr-defined]

    def fit(self, frame_width: int, frame_height: int) -> tuple[int, int] | None:
        """Size the picture to the box, the frame's shape kept (a cell is twice as tall as
        wide); returns the size to send frames at, in pixels, or None while there is no box."""
        columns, rows = self.content_size
        if columns < 4 or rows < 2 or frame_width <= 0 or frame_height <= 0:
            return None
        rows = min(rows, round(columns * frame_height / (2 * frame_width)))
        columns = min(columns, round(2 * rows * frame_width / frame_height))
        if (columns, rows) != self.cells:
            self.cells = (columns, rows)
            picture = self.query_one("#picture")
            picture.styles.width, picture.styles.height = columns, rows
        width, height = columns * _cell[0], rows * _cell[1]
        return min(width, frame_width), min(height, frame_height)
