"""Numbers drawn as large as a box allows, in block characters: a 5×7 pixel font scaled by a
whole factor, two pixel rows to a character cell (▀ ▄ █), so a pixel is square on screen."""

from __future__ import annotations

GLYPHS = {
    "0": (" ### ", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "),
    "1": ("  #  ", " ##  ", "# #  ", "  #  ", "  #  ", "  #  ", "#####"),
    "2": (" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"),
    "3": ("#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "),
    "4": ("   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "),
    "5": ("#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "),
    "6": ("  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "),
    "7": ("#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "),
    "8": (" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "),
    "9": (" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "),
    "-": ("     ", "     ", "     ", "#####", "     ", "     ", "     "),
    ":": ("     ", "  #  ", "  #  ", "     ", "  #  ", "  #  ", "     "),
}
WIDTH, HEIGHT = 5, 7  # a glyph's pixels
GAP = 1  # pixels between glyphs


def pixels(text: str) -> list[str]:
    """The text's pixel rows ('#' on, ' ' off); characters without a glyph are left out."""
    glyphs = [GLYPHS[c] for c in text if c in GLYPHS]
    return [(" " * GAP).join(g[row] for g in glyphs) for row in range(HEIGHT)]


def fit(text: str, columns: int, rows: int) -> int:
    """The largest whole scale at which `text` fits in `columns` × `rows` cells (0: none)."""
    wide = len(pixels(text)[0])
    if wide == 0:
        return 0
    return max(0, min(columns // wide, (2 * rows) // HEIGHT))


def draw(text: str, scale: int) -> list[str]:
    """`text` at `scale` cells a pixel across and half-cells a pixel down, as lines of text."""
    if scale <= 0:
        return []
    grid = [
        "".join(ch * scale for ch in row) for row in pixels(text) for _ in range(scale)
    ]  # every pixel becomes scale × scale
    if len(grid) % 2:
        grid.append(" " * len(grid[0]))
    cells = {("#", "#"): "█", ("#", " "): "▀", (" ", "#"): "▄", (" ", " "): " "}
    return [
        "".join(cells[pair] for pair in zip(top, bottom, strict=True))
        for top, bottom in zip(grid[::2], grid[1::2], strict=True)
    ]
