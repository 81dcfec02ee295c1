"""The errors a user can cause, each carrying a message that says what to do about it."""

from __future__ import annotations


class ReptrackError(Exception):
    """Base of every error the CLI turns into one clear message and a non-zero exit code."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  → {self.hint}"


class SourceError(ReptrackError):
    """A camera, file or stream could not be opened or stopped delivering frames."""


class ModelError(ReptrackError):
    """Model files are missing, corrupt or cannot be fetched."""


class SpecError(ReptrackError):
    """An exercise definition is invalid; carries every problem found at once."""

    def __init__(self, path: str, problems: list[str]) -> None:
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"{path}: {len(problems)} problem(s) in exercise definition\n{lines}",
            hint="fix the file, then check it with `reptrack exercises check FILE`",
        )
        self.path = path
        self.problems = problems


class StoreError(ReptrackError):
    """The session database cannot be opened, read or written."""

    read_only = False  # the file cannot (or must not) be written: reading may still work
    locked = False  # another program holds the database: writing may work later
