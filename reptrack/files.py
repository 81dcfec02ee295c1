"""The files reptrack writes for the user (exports, landmark dumps, recordings): checked before
the work starts, never one of the command's inputs, and written whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from reptrack.errors import ReptrackError
from reptrack.paths import is_text


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def check_output(
    path: str | Path,
    *,
    what: str,
    suffixes: tuple[str, ...] = (),
    inputs: Iterable[str | Path | None] = (),
) -> Path:
    """The output path, once it is sure it can be written without harm; else ReptrackError.

    `inputs` are the files the command reads (its video, its database, its labels): an
    output that is one of them, by any name, is refused.
    """
    target = Path(path).expanduser()
    if not str(path).strip():
        raise ReptrackError(f"{what}: the file name is empty")
    for source in inputs:
        if source is not None and _same_file(target, Path(source)):
            raise ReptrackError(
                f"{what} {target} is the file this command reads",
                hint="write to another file name; reptrack never writes over its input",
            )
    if target.is_dir():
        raise ReptrackError(f"{what} {target} is a directory", hint="give a file name inside it")
    if target.exists() and not target.is_file():  # a device or a pipe is never replaced
        raise ReptrackError(f"{what} {target} is not a regular file")
    if suffixes and target.suffix.lower() not in suffixes:
        raise ReptrackError(f"{what} {target}: use a file name ending in {' or '.join(suffixes)}")
    folder = target.parent
    if not folder.is_dir():
        raise ReptrackError(f"{what} {target}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ReptrackError(f"{what} {target}: the folder {folder} is not writable")
    if target.exists() and not os.access(target, os.W_OK):
        raise ReptrackError(f"{what} {target} exists and is not writable")
    return target


def temp_beside(target: Path) -> Path:
    """A new, empty, hidden file beside `target` with the same suffix, to write to before it is
    renamed onto `target`."""
    # the temporary name is text, whatever the target's (OpenCV writes recordings to it)
    stem = target.stem if is_text(target.stem) else "reptrack"
    suffix = target.suffix if is_text(target.suffix) else ""
    fd, name = tempfile.mkstemp(prefix=f".{stem}.", suffix=f".part{suffix}", dir=target.parent)
    os.close(fd)
    return Path(name)


@contextlib.contextmanager
def written_whole(target: Path) -> Iterator[Path]:
    """A temporary path beside `target` (same suffix) to write to; renamed onto `target` when
    the block ends normally and removed when it fails, so `target` is never half written."""
    tmp = temp_beside(target)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(target: Path, text: str) -> None:
    try:
        with written_whole(target) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ReptrackError(f"cannot write {target}: {exc.strerror or exc}") from None


def read_text(path: Path, what: str, format_name: str, *, encoding: str = "utf-8") -> str:
    """A user's text file (`what`: "label file"; `format_name`: "TOML"), or one ReptrackError
    that says what is wrong with it: missing, a folder, not text, unreadable."""
    try:
        return path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise ReptrackError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        article = "an" if what[:1] in "aeiou" else "a"
        raise ReptrackError(f"{path} is a directory, not {article} {what}") from None
    except UnicodeDecodeError:
        raise ReptrackError(f"{path} is not a text (UTF-8 {format_name}) file") from None
    except OSError as exc:
        raise ReptrackError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
