"""The real TUI on a pseudo-terminal that answers no queries (as many terminals do not): no
traceback, a saved session, and no terminal query at all before an error or `--help`."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from conftest import ROOT
from reptrack.store import Store


def _on_a_silent_terminal(
    args: list[str],
    *,
    size: tuple[int, int],
    until: str | None = None,
    timeout: float = 180.0,
    term: str = "xterm-256color",
) -> tuple[int, str]:
    """Run reptrack on a new pseudo-terminal of `size` (columns, rows; (0, 0): none) that
    never answers; once `until` is on the screen, press q. Returns exit code and output."""
    master, slave = os.openpty()
    columns, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {**os.environ, "TERM": term, "COLUMNS": str(columns), "LINES": str(rows)}
    proc = subprocess.Popen([sys.executable, *args], stdin=slave, stdout=slave, stderr=slave,
                            cwd=ROOT, env=env, close_fds=True, start_new_session=True)  # fmt: skip
    os.close(slave)
    out = b""
    pressed = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the other end closed
                    break
                if not chunk:
                    break
                out += chunk
            if until and not pressed and until.encode() in out:
                os.write(master, b"q")
                pressed = True
            if proc.poll() is not None and not ready:
                break
        else:
            pytest.fail(f"still running after {timeout:g} s: {out[-400:]!r}")
        return proc.wait(timeout=30), out.decode("utf-8", "replace")
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)


def test_a_session_on_a_terminal_that_answers_nothing(shared, blazepose_models, tmp_path):
    db = tmp_path / "s.db"
    video = shared / "videos" / "squat_tommy.mp4"
    code, out = _on_a_silent_terminal(
        ["-m", "reptrack", "squat", "--source", str(video), "--db", str(db)],
        size=(100, 30), until="press q",
    )  # fmt: skip
    assert "Traceback" not in out and "Error" not in out, out[-2000:]
    assert code == 0
    (row,) = Store(db).sessions()
    assert (row["status"], row["reps"]) == ("completed", 3)


@pytest.mark.parametrize(
    ("term", "size", "why"),
    [("dumb", (100, 30), "TERM=dumb"), ("xterm-256color", (0, 0), "too small")],
    ids=["TERM=dumb", "no-size"],
)
def test_a_terminal_that_cannot_draw_the_tui_gets_the_text_output_and_why(
    shared, blazepose_models, tmp_path, term, size, why
):
    db = tmp_path / "s.db"
    video = shared / "videos" / "squat_tommy.mp4"
    code, out = _on_a_silent_terminal(
        ["-m", "reptrack", "squat", "--source", str(video), "--db", str(db)],
        size=size, term=term,
    )  # fmt: skip
    assert code == 0 and "Traceback" not in out, out[-2000:]
    assert why in out and "text output instead" in out
    assert "\x1b[?1049h" not in out  # no switch to the full-screen buffer
    assert "rep 3" in out.lower() or "3 reps" in out, out[-2000:]
    (row,) = Store(db).sessions()
    assert (row["status"], row["reps"]) == ("completed", 3)


def test_an_error_or_help_asks_the_terminal_nothing():
    # Picture support is asked only when a session's TUI starts: an unknown exercise, or
    # --help, never imports textual-image (whose import is the query).
    for args in (["squatt"], ["--help"]):
        code, out = _on_a_silent_terminal(["-X", "importtime", "-m", "reptrack", *args],
                                          size=(100, 30), timeout=60)  # fmt: skip
        assert "textual_image" not in out and "Traceback" not in out, out[-2000:]
        assert (code != 0) == (args == ["squatt"])


def test_library_logging_goes_to_the_log_file_not_the_screen(tmp_path):
    code = (
        "import logging; from reptrack.logfile import send_logging_to_file, log_path;"
        "send_logging_to_file();"
        "logging.getLogger('textual_image').warning('no answer', exc_info=TimeoutError('x'));"
        "print(log_path())"
    )
    env = {**os.environ, "REPTRACK_CACHE_DIR": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=60)  # fmt: skip
    assert run.stderr == "" and run.returncode == 0
    logged = Path(run.stdout.strip()).read_text(encoding="utf-8")
    assert "no answer" in logged and "TimeoutError" in logged


def test_half_blocks_draw_two_pixels_a_cell_without_asking_the_terminal():
    from PIL import Image

    from reptrack.tui.camera import _half_blocks

    picture = Image.new("RGB", (2, 4))
    picture.putpixel((0, 0), (255, 0, 0))  # the first cell's top half: red
    picture.putpixel((0, 1), (0, 0, 255))  # and its bottom half: blue
    strips = _half_blocks(picture, 2, 2)
    assert len(strips) == 2
    first = next(iter(strips[0]))
    assert first.text == "▀"
    assert first.style.color.triplet == (255, 0, 0) and first.style.bgcolor.triplet == (0, 0, 255)
