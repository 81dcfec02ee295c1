"""The camera picture on the live screen, drawn with the best image protocol the terminal has:
Kitty's or Sixel graphics where it supports them, coloured half-blocks elsewhere.

textual-image asks the terminal what it supports when this module is first imported, which
only works before the app takes the terminal over: the app's module imports this one.
"""

from __future__ import annotations

from PIL import Image as PILImage
from textual.app import ComposeResult
from textual.containers import Container
from textual.widgets import Static
from textual_image.renderable.halfcell import Image as HalfcellDrawing
from textual_image.renderable.unicode import Image as UnicodeDrawing
from textual_image.widget import Image as TerminalImage

# Pixels a character cell shows: with Kitty or Sixel graphics, about a common terminal font's
# cell; drawn with characters, the two halves of a half-block. Frames are sent at this size,
# so that the UI thread never scales a picture down itself.
CELL_PIXELS = (
    (1, 2)
    if getattr(TerminalImage, "_Renderable", None) in (HalfcellDrawing, UnicodeDrawing)
    else (10, 20)
)


class CameraView(Container):
    """The latest annotated frame, as large as the box allows with its shape kept."""

    DEFAULT_CSS = """
    CameraView { align: center middle; }
    CameraView #waiting { width: auto; color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cells = (0, 0)  # the picture's size in character cells

    def compose(self) -> ComposeResult:
        yield Static("waiting for the camera…", id="waiting")
        yield TerminalImage(id="picture")

    def show(self, picture: PILImage.Image) -> None:
        waiting = self.query_one("#waiting", Static)
        if waiting.display:
            waiting.display = False
        self.query_one("#picture", TerminalImage).image = picture

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
            picture = self.query_one("#picture", TerminalImage)
            picture.styles.width, picture.styles.height = columns, rows
        width, height = columns * CELL_PIXELS[0], rows * CELL_PIXELS[1]
        return min(width, frame_width), min(height, frame_height)
