"""Whether this run can show the full-screen TUI, and why not where it cannot: every
command that has one asks here, so a pipe, a script or a terminal that cannot draw it get
the text output alike."""

from __future__ import annotations

import os
import sys

from reptrack.commands.common import err, esc


def interactive() -> bool:
    """Can this run show the TUI? Not in a pipe or a script (no terminal), and not in a
    terminal that cannot draw it: then the text output is given instead, and a terminal is
    told why in one line."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return False
    why = terminal_unfit()
    if why is not None:
        err.print(f"reptrack: {esc(why)}: text output instead of the full-screen view")
        return False
    return True


def terminal_unfit() -> str | None:
    """Why this terminal cannot draw the full-screen view, or None where it can."""
    term = os.environ.get("TERM", "")
    if term in ("", "dumb", "unknown"):
        return f"the terminal cannot draw a full-screen view (TERM={term or 'unset'})"
    try:
        size = os.get_terminal_size(sys.stdout.fileno())
    except OSError:
        return "the terminal does not say its size"
    if size.columns < 20 or size.lines < 5:
        return f"the terminal is too small for the full-screen view ({size.columns}×{size.lines})"
    return None
