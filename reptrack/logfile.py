"""Where the libraries' logging goes: a file in reptrack's cache folder, never the terminal.

Without a handler, Python prints a library's warning, traceback and all, on stderr (its
"last resort"): textual-image does that on every terminal that does not answer its query.
"""

from __future__ import annotations

import logging
from pathlib import Path

from reptrack import paths


def log_path() -> Path:
    return paths.cache_dir() / "reptrack.log"


class _QuietFileHandler(logging.FileHandler):
    """A file handler that opens its file at the first record and never complains: a log
    that cannot be written must not put a traceback on the screen either."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def send_logging_to_file() -> None:
    """Route every logger's warnings and errors to `log_path()`, once."""
    root = logging.getLogger()
    if any(isinstance(h, _QuietFileHandler) for h in root.handlers):
        return
    handler = _QuietFileHandler(log_path(), delay=True, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
