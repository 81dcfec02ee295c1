"""Drawing, the preview window on a virtual screen (Xvfb), --record, and the TUI in a real
terminal (tmux)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import struct
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import ROOT, require
from fakes import BlankSource, Squatter, session, stick_figure
from reptrack.exercise import spec as specs
from reptrack.exercise.events import FormWarning
from reptrack.exercise.measure import sample
from reptrack.session.request import Request
from reptrack.store import Store
from reptrack.tui.app import ReptrackApp
from reptrack.tui.live_options import LiveOptions
from reptrack.video.render import Annotator, Style

BONE = Style().bone  # BGR


def bone_pixels(image_bgr: np.ndarray) -> int:
    diff = np.abs(image_bgr[..., :3].astype(int) - np.array(BONE)).sum(axis=-1)
    return int((diff < 40).sum())


def colour_pixels(image_bgr: np.ndarray, colour: tuple[int, int, int]) -> int:
    return int((np.abs(image_bgr.astype(int) - np.array(colour)).sum(-1) < 40).sum())


GO_DEEPER = FormWarning(0.0, "left", "not_deep_enough", "go deeper", "warning")


def test_the_annotator_draws_the_skeleton_angles_and_count():
    spec = specs.load("squat")
    pose = stick_figure(100.0)
    blank = np.zeros((240, 240, 3), np.uint8)
    out = Annotator(spec).annotate(blank, pose, sample(pose, spec), 7)
    assert blank.sum() == 0  # drawn on a copy
    assert bone_pixels(out) > 200
    # The shin runs from the ankle to the knee: bone colour half-way along it.
    ankle, knee = pose.xy("left_ankle"), pose.xy("left_knee")
    x, y = ((ankle + knee) / 2).astype(int)  # pixels
    assert bone_pixels(out[y - 3 : y + 4, x - 3 : x + 4]) > 0
    assert colour_pixels(out, Style().arc) > 20  # the knee angle's arc
    assert colour_pixels(out, Style().warning) == 0  # no warning, nothing in its colour
    # Nothing drawn for the skeleton when there is no pose, but the count still is, top right.
    empty = Annotator(spec).annotate(blank, None, {}, 7)
    assert bone_pixels(empty) == 0
    assert empty[:, 120:].sum() > 0 and empty[120:, :].sum() == 0


def test_a_warning_colours_the_joints_it_concerns_and_is_written():
    spec = specs.load("squat")
    pose = stick_figure(100.0)
    blank = np.zeros((240, 240, 3), np.uint8)
    out = Annotator(spec).annotate(blank, pose, sample(pose, spec), 7, GO_DEEPER)
    warning = Style().warning
    # The knee angle's shin and thigh are in the warning colour; the trunk stays a bone.
    ankle, knee = pose.xy("left_ankle"), pose.xy("left_knee")
    x, y = ((ankle + knee) / 2).astype(int)
    assert colour_pixels(out[y - 2 : y + 3, x - 2 : x + 3], warning) > 0
    shoulder, hip = pose.xy("left_shoulder"), pose.xy("left_hip")
    x, y = (hip + 0.3 * (shoulder - hip)).astype(int)  # clear of the elbow
    patch = out[y - 2 : y + 3, x - 2 : x + 3]
    assert colour_pixels(patch, warning) == 0 and bone_pixels(patch) > 0
    assert colour_pixels(out[200:], warning) > 20  # the message along the bottom


def test_the_drawing_is_thick_enough_to_see_across_a_room():
    # On a 720-pixel frame a limb is several pixels wide, not a hairline.
    spec = specs.load("squat")
    pose = stick_figure(100.0)
    out = Annotator(spec).annotate(np.zeros((720, 720, 3), np.uint8), pose, {}, 3)
    ankle, knee = pose.xy("left_ankle") * 3, pose.xy("left_knee") * 3  # 240 → 720 pixels
    x, y = ((ankle + knee) / 2).astype(int)
    row = out[y, x - 20 : x + 21]
    assert bone_pixels(row[None]) >= 6


# -- a virtual screen -------------------------------------------------------------------------
def read_xwd(path: Path) -> np.ndarray:
    """The screen Xvfb keeps in `-fbdir` (an XWD image) as an (h, w, 4) BGRA array."""
    data = path.read_bytes()
    header = struct.unpack(">25I", data[:100])
    header_size, width, height = header[0], header[4], header[5]
    bytes_per_line, colours = header[12], header[19]
    offset = header_size + colours * 12
    pixels = np.frombuffer(data, np.uint8, count=bytes_per_line * height, offset=offset)
    return pixels.reshape(height, bytes_per_line // 4, 4)[:, :width]


@pytest.fixture
def xvfb(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    require(shutil.which("Xvfb") is not None, "Xvfb is not installed (Debian package xvfb)")
    fbdir = tmp_path / "fb"
    fbdir.mkdir()
    display = f":{90 + os.getpid() % 500}"
    proc = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "800x600x24", "-fbdir", str(fbdir), "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    screen = fbdir / "Xvfb_screen0"
    deadline = time.monotonic() + 10
    while not screen.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield display, screen
    finally:
        proc.terminate()
        proc.wait(5)


def test_the_preview_window_opens_and_draws_the_skeleton(xvfb, tmp_path):
    display, screen = xvfb
    before = bone_pixels(read_xwd(screen))
    script = textwrap.dedent(
        """
        import sys, time
        import numpy as np
        sys.path.insert(0, "tests")
        from fakes import stick_figure
        from reptrack.exercise import spec as specs
        from reptrack.exercise.measure import sample
        from reptrack.video.preview import PreviewWindow
        from reptrack.video.render import Annotator

        spec = specs.load("squat")
        pose = stick_figure(100.0)
        image = Annotator(spec).annotate(np.zeros((360, 360, 3), np.uint8), pose,
                                         sample(pose, spec), 3)
        window = PreviewWindow()
        assert window.problem is None, window.problem
        for _ in range(40):
            assert window.show(image)
            time.sleep(0.02)
        print("shown", flush=True)
        time.sleep(3)
        window.close()
        """
    )
    env = {**os.environ, "DISPLAY": display}
    proc = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "shown"
    shot = read_xwd(screen)
    proc.wait(20)
    assert proc.returncode == 0
    assert before == 0 and bone_pixels(shot) > 200


def test_preview_without_a_display_is_reported_not_fatal(monkeypatch):
    from reptrack.video.preview import PreviewWindow

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    window = PreviewWindow()
    assert not window.show(np.zeros((10, 10, 3), np.uint8))
    assert "no display" in (window.problem or "")


# -- --record -----------------------------------------------------------------------------------
def frames_of(path: Path) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


def test_the_tui_records_every_frame_annotated(tmp_path):
    out = tmp_path / "rec.mp4"
    workout = session(BlankSource(90), Squatter(), specs.load("squat"), store=Store(memory=True))
    app = ReptrackApp(Request("squat"), workout=workout, live=LiveOptions(record=str(out)))

    async def scenario():
        async with app.run_test() as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("q")

    asyncio.run(scenario())
    frames = frames_of(out)
    assert len(frames) == 90
    assert all(f.shape == (240, 240, 3) for f in frames)
    assert all(bone_pixels(f) > 50 for f in frames[::10])


def test_record_headless_on_a_real_video(shared, blazepose_models, tmp_path):
    video, out = shared / "videos" / "squat_tommy.mp4", tmp_path / "tommy.mp4"
    result = subprocess.run(
        [sys.executable, "-m", "reptrack", "squat", "--source", str(video), "--no-tui",
         "--no-save", "--json", "--record", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["reps"] == 3
    frames, source = frames_of(out), frames_of(video)
    assert len(frames) == len(source)
    assert all(f.shape == source[0].shape for f in frames)
    assert sum(bone_pixels(f) > 100 for f in frames) > 0.9 * len(frames)


def test_record_to_a_folder_that_does_not_exist_is_refused(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "reptrack", "squat", "--source", "missing.mp4", "--no-tui",
         "--record", str(tmp_path / "nope" / "x.mp4")],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


# -- a real terminal ----------------------------------------------------------------------------
def test_the_tui_in_a_real_terminal_counts_a_video_and_saves_q(shared, blazepose_models, tmp_path):
    require(shutil.which("tmux") is not None, "tmux is not installed (Debian package tmux)")
    video, db = shared / "videos" / "squat_tommy.mp4", tmp_path / "t.db"
    session = f"reptrack-test-{os.getpid()}"
    reptrack = Path(sys.executable).with_name("reptrack")
    command = f"{reptrack} squat --source {video} --db {db}; echo EXIT=$?; sleep 60"
    tmux = ["tmux", "-L", session]
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command],
        check=True, cwd=ROOT, env={**os.environ, "TERM": "xterm-256color"},
    )  # fmt: skip

    def screen() -> str:
        return subprocess.run(
            [*tmux, "capture-pane", "-p", "-t", session], capture_output=True, text=True
        ).stdout

    try:
        deadline = time.monotonic() + 120
        while "video finished" not in screen():
            assert time.monotonic() < deadline, screen()
            time.sleep(0.5)
        text = screen()
        assert "Squat" in text and "3 clean" in text and "Finish & save" in text
        subprocess.run([*tmux, "send-keys", "-t", session, "q"], check=True)
        while "EXIT=" not in screen():
            assert time.monotonic() < deadline, screen()
            time.sleep(0.2)
        assert "EXIT=0" in screen() and "3 reps" in screen()
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
    history = subprocess.run(
        [sys.executable, "-m", "reptrack", "history", "--json", "--db", str(db)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    sessions = json.loads(history.stdout)
    assert [(s["status"], s["reps"]) for s in sessions] == [("completed", 3)]


def test_a_recording_of_a_plank_shows_the_clock_where_the_count_goes(shared):
    from fakes import recorded_session
    from reptrack.video.preview import AnnotatedOutput

    workout = recorded_session(shared, "plank_warteg_b", "plank")
    overlay = AnnotatedOutput(workout.spec, workout.source.fps, None).overlay
    while (r := workout.step()) is not None and (r.held or 0) < 11:
        pass
    workout.finish()
    assert r is not None and r.held is not None and r.count == 0
    drawn = overlay.draw(r)
    clock = overlay.annotator.annotate(r.frame.image, r.pose, r.sample, "0:11", overlay.warning)
    count = overlay.annotator.annotate(r.frame.image, r.pose, r.sample, 0, overlay.warning)
    assert np.array_equal(drawn, clock) and not np.array_equal(drawn, count)
