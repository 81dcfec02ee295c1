"""Where reptrack keeps its files: user cache, data and config directories, and shipped data."""

from __future__ import annotations

import contextlib
import difflib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from reptrack.errors import ReptrackError

APP = "reptrack"


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / fallback


def cache_dir() -> Path:
    """Fetched model files live here (override with REPTRACK_CACHE_DIR)."""
    if value := os.environ.get("REPTRACK_CACHE_DIR"):
        return Path(value)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / APP
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / APP / "cache"
    return _xdg("XDG_CACHE_HOME", ".cache") / APP


def data_dir() -> Path:
    """The session database lives here (override with REPTRACK_DATA_DIR)."""
    if value := os.environ.get("REPTRACK_DATA_DIR"):
        return Path(value)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP
    if os.name == "nt":
        return Path(os.environ.get("APPDATA", Path.home())) / APP
    return _xdg("XDG_DATA_HOME", ".local/share") / APP


def config_dir() -> Path:
    """User exercise files live in `exercises/` here (override with REPTRACK_CONFIG_DIR)."""
    if value := os.environ.get("REPTRACK_CONFIG_DIR"):
        return Path(value)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP
    if os.name == "nt":
        return Path(os.environ.get("APPDATA", Path.home())) / APP
    return _xdg("XDG_CONFIG_HOME", ".config") / APP


def shipped(*parts: str) -> Path:
    """A file shipped with reptrack: `models/…` or `exercises/…`.

    An installed wheel carries them under `reptrack/_data/`; a source checkout (and an
    editable install) has them at the top of the repository.
    """
    packaged = Path(__file__).parent / "_data" / Path(*parts)
    if packaged.exists():
        return packaged
    return Path(__file__).resolve().parent.parent / Path(*parts)


def project_models_dir() -> Path | None:
    """The checkout's `models/` folder, where users may drop model files by hand."""
    candidate = Path(__file__).resolve().parent.parent / "models"
    return candidate if candidate.is_dir() else None


def shown(path: str | Path) -> str:
    """A path as text that any terminal can print: bytes that are not UTF-8 as \\xNN."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


def checked(path: str | Path, what: str) -> Path:
    """`path` as the system will see it, or one ReptrackError for a name longer than the file
    system allows. Any name the system accepts is fine, bytes that are not UTF-8 included
    (a file from an old camera): OpenCV, which cannot take one, is given an alias
    (`opencv_name`)."""
    text = str(path)
    p = Path(text)
    try:
        p.exists()
    except OSError as exc:  # ENAMETOOLONG, ELOOP, …
        raise ReptrackError(
            f"{what} {shown(text)[:80]}…: {exc.strerror or exc}",
            hint="use a shorter name, or a file nearer the top of the disk",
        ) from None
    return p


def is_text(path: str | Path) -> bool:
    """Is the name UTF-8 text (as OpenCV needs it), not bytes the system kept as they were?"""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@contextlib.contextmanager
def opencv_name(path: Path) -> Iterator[str]:
    """A name of `path` that OpenCV can open (it crashes on a name that is not UTF-8 text):
    the path itself, or a link to it in a private temporary folder, removed afterwards. The
    file itself is never renamed or touched."""
    if is_text(path):
        yield str(path)
        return
    with tempfile.TemporaryDirectory(prefix="reptrack-") as folder:
        alias = Path(folder) / f"file{path.suffix if is_text(path.suffix) else ''}"
        os.symlink(path.resolve(), alias)
        yield str(alias)


def toml_files(folders: list[Path]) -> dict[str, Path]:
    """The TOML files in `folders` by name; a later folder's file overrides an earlier one's
    (the user's exercises and plans override the shipped ones)."""
    found: dict[str, Path] = {}
    for folder in folders:
        if folder.is_dir():
            for f in sorted(folder.glob("*.toml")):
                found[f.stem] = f
    return found


def named(name: str, files: dict[str, Path], what: str, listed_by: str) -> Path:
    """The file called `name`, or one error naming the closest and the known ones."""
    if name in files:
        return files[name]
    close = difflib.get_close_matches(name, list(files), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ReptrackError(
        f"unknown {what} {name!r}",
        hint=f"{hint}known: {', '.join(files) or 'none'}; `{listed_by}` shows them",
    )
