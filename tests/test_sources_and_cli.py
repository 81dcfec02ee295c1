import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time

import cv2
import numpy as np
import pytest

from conftest import ROOT
from fakes import write_video
from reptrack.errors import SourceError
from reptrack.video.sources import FileSource, LiveSource, open_source


def _grey_ramp(frames: int, size: tuple[int, int], step: int) -> list[np.ndarray]:
    """Flat grey frames, frame i at level i * step."""
    return [np.full((size[1], size[0], 3), i * step, np.uint8) for i in range(frames)]


@pytest.fixture
def tiny_video(tmp_path):
    return write_video(tmp_path / "tiny.avi", _grey_ramp(12, (64, 48), 20), fps=10)


def test_a_file_delivers_every_frame_with_its_own_timestamp(tiny_video):
    with FileSource(tiny_video) as src:
        frames = []
        while (f := src.read()) is not None:
            frames.append(f)
    assert len(frames) == 12
    assert [round(f.timestamp, 3) for f in frames[:3]] == [0.0, 0.1, 0.2]
    assert frames[0].image.shape == (48, 64, 3)


def test_missing_and_unreadable_files_say_what_is_wrong(tmp_path):
    with pytest.raises(SourceError, match="not found"):
        open_source(tmp_path / "nope.mp4")
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"definitely not a video" * 100)
    with pytest.raises(SourceError, match="cannot read video"):
        open_source(junk)


def test_a_missing_camera_says_so():
    with pytest.raises(SourceError, match="no camera at index 57"):
        open_source("57")


class _MJPEGHandler(http.server.BaseHTTPRequestHandler):
    frames = 15
    served = 0

    def do_GET(self):
        if type(self).served:  # the phone went away for good: nothing on reconnect
            self.send_error(503)
            return
        type(self).served += 1
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        self.end_headers()
        for i in range(self.frames):
            _, jpg = cv2.imencode(".jpg", np.full((48, 64, 3), i * 10, np.uint8))
            body = jpg.tobytes()
            try:
                self.wfile.write(
                    b"--frame\r\nContent-Type: image/jpeg\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                    + b"\r\n"
                )
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return
            time.sleep(0.03)
        # then the "phone" goes away: the connection closes

    def log_message(self, *args):
        pass


def test_a_stream_that_drops_ends_the_session_with_a_reason():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _MJPEGHandler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        src = LiveSource(
            f"http://127.0.0.1:{port}/video.mjpg", reconnect_seconds=0.5, frame_timeout=2.0
        )
        got = 0
        while src.read() is not None:
            got += 1
        src.close()
    finally:
        server.shutdown()
    assert got >= 1
    assert src.end_reason is not None
    assert "stopped delivering" in src.end_reason or "no frame" in src.end_reason


def test_an_unreachable_stream_says_how_to_fix_it():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SourceError, match="cannot open stream"):
        LiveSource(f"http://127.0.0.1:{port}/video", reconnect_seconds=0.1, open_timeout=1.0)


def _cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "reptrack", *args], capture_output=True, text=True, env=env
    )


def test_help_explains_the_commands():
    proc = _cli("--help")
    assert proc.returncode == 0
    for word in ("models", "pose", "eval", "history", "exercises", "EXERCISE"):
        assert word in proc.stdout
    proc = _cli("squat", "--help")
    assert proc.returncode == 0 and "--source" in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("squat", "--no-tui", "--source", "missing.mp4", "--no-save"), "video file not found"),
        (("sqaut", "--no-tui"), "did you mean 'squat'"),
        (("history", "show", "12345"), "no session with id 12345"),
    ],
)
def test_user_errors_exit_non_zero_with_a_message_not_a_traceback(args, message, tmp_path):
    import os

    env = {**os.environ, "REPTRACK_DB": str(tmp_path / "x.db")}
    proc = _cli(*args, env=env)
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_missing_model_files_name_the_fix(tmp_path):
    import os

    env = {**os.environ, "REPTRACK_CACHE_DIR": str(tmp_path), "REPTRACK_MODELS_DIR": str(tmp_path)}
    proc = _cli("pose", "whatever.mp4", env=env)
    if "is missing" not in proc.stderr:
        # the checkout's models/ folder may hold copies; then the video error comes first
        assert "video file not found" in proc.stderr
    else:
        assert "reptrack models fetch" in proc.stderr
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_the_domain_never_imports_textual():
    """Every module outside reptrack/tui imports without pulling in Textual."""
    package = ROOT / "reptrack"
    modules = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in package.rglob("*.py")
        if "tui" not in path.relative_to(package).parts and path.name != "__main__.py"
    )
    assert "reptrack.video.render" in modules and "reptrack.pose.openpose" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "    assert 'textual' not in sys.modules, name + ' imported textual'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_only_the_preview_module_opens_windows():
    window_calls = ("imshow", "namedWindow", "destroyWindow", "waitKey")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "reptrack").rglob("*.py")
        if path.name != "preview.py" and any(c in path.read_text() for c in window_calls)
    ]
    assert offenders == []


def test_a_file_source_with_read_ahead_gives_every_frame_in_order(tmp_path):
    path = write_video(tmp_path / "numbered.avi", _grey_ramp(40, (32, 32), 6), fps=25)
    for prefetch in (0, 3):
        with FileSource(path, prefetch=prefetch) as source:
            frames = []
            while (frame := source.read()) is not None:
                frames.append(frame)
        assert [f.index for f in frames] == list(range(40))
        assert [f.timestamp for f in frames] == [i / 25 for i in range(40)]
        levels = [int(f.image.mean()) for f in frames]
        assert all(abs(level - i * 6) <= 3 for i, level in enumerate(levels)), prefetch
        assert source.read() is None  # and stays ended


def test_closing_a_file_source_early_stops_its_decoder(shared):
    from reptrack.video.sources import FileSource

    source = FileSource(shared / "videos" / "squat_tommy.mp4", prefetch=2)
    assert source.read() is not None and source.read() is not None
    decoder = source._decoder
    source.close()
    assert decoder is not None and not decoder.is_alive()


def test_eval_scores_every_video_it_can_and_says_which_it_could_not(shared, tmp_path):
    labels = tmp_path / "labels.toml"
    video = shared / "videos" / "squat_tommy.mp4"
    labels.write_text(
        f'[[video]]\nfile = "{video}"\nexercise = "squat"\nreps = 3\n'
        f'[[video]]\nfile = "{video}"\nexercise = "no_such_exercise"\nreps = 3\n'
        f'[[video]]\nfile = "{tmp_path / "missing.mp4"}"\nexercise = "squat"\nreps = 1\n'
    )
    run = _cli("eval", str(labels), "--reference", str(shared / "reference"), "--json")
    assert run.returncode == 1
    rows = json.loads(run.stdout)["videos"]
    assert [r["predicted"] for r in rows] == [3, None, None]
    assert "unknown exercise 'no_such_exercise'" in rows[1]["error"]
    assert "missing.npz" in rows[2]["error"]
    assert "could not be scored" in run.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[[video]]\nfile = "a.mp4"\nexercise = "squat"\nreps = "three"\n', "video[0].reps"),
        ("video = 5\n", "no [[video]] tables"),
        ("", "no [[video]] tables"),
        ("[[video]]\nfile = 3\n", "video[0].file"),
    ],
)
def test_a_bad_label_file_is_one_clear_message(tmp_path, content, message):
    labels = tmp_path / "labels.toml"
    labels.write_text(content)
    run = _cli("eval", str(labels), "--reference", str(tmp_path))
    assert run.returncode == 1
    assert message in run.stderr and "Traceback" not in run.stderr


def test_a_binary_label_file_is_one_clear_message(tmp_path):
    labels = tmp_path / "labels.toml"
    labels.write_bytes(bytes(range(256)) * 4)
    run = _cli("eval", str(labels))
    assert run.returncode == 1
    assert "not a text" in run.stderr and "Traceback" not in run.stderr


def test_a_header_that_claims_a_negative_frame_count_still_gives_every_frame(shared):
    with FileSource(shared / "videos" / "pushup_austin_badheader.mp4") as source:
        assert len(source) == 0  # unknown, not negative: progress bars show no total
        frames = 0
        while source.read() is not None:
            frames += 1
    assert frames == 475


def test_a_package_manager_that_fails_is_quiet_until_it_explains_itself(tmp_path, capfd):
    from reptrack.errors import ModelError
    from reptrack.pose.models import _run

    noisy = (
        "import sys; print('progress 50%'); print('no such package', file=sys.stderr); sys.exit(3)"
    )
    with pytest.raises(ModelError) as info:
        _run([sys.executable, "-c", noisy], tmp_path, "download x")
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")  # nothing scrolls under reptrack's progress display
    assert "exit 3" in info.value.message and "no such package" in info.value.message


def test_a_label_file_s_form_lists_do_not_stop_the_count(shared, tmp_path):
    labels = tmp_path / "labels.toml"
    video = shared / "videos" / "squat_tommy.mp4"
    labels.write_text(
        f'[[video]]\nfile = "{video}"\nexercise = "squat"\nreps = 3\nalso = 2\n'
        'form = { knees_caving = "rep two" }\n'
    )
    run = _cli("eval", str(labels), "--reference", str(shared / "reference"), "--json")
    assert run.returncode == 0 and "form ignored" in run.stderr
    [row] = json.loads(run.stdout)["videos"]
    assert (row["predicted"], row["also"], row["exact"]) == (3, [2], True)


HEAVY = ("numpy", "cv2", "ai_edge_litert", "textual")


@pytest.mark.parametrize(
    ("argv", "heavy"),
    [
        (["--version"], HEAVY),
        (["--help"], HEAVY),
        (["exercises", "list"], HEAVY),
        # sqlite-utils imports numpy itself when it is installed: that one is allowed here
        (["history"], ("cv2", "ai_edge_litert", "textual")),
    ],
)
def test_a_command_that_needs_no_pose_model_imports_none(argv, heavy, tmp_path):
    """Start-up stays quick: no command loads what only another one needs."""
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['reptrack', *{argv!r}]\n"
        "try:\n"
        "    runpy.run_module('reptrack', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"loaded = [m for m in {heavy!r} if m in sys.modules]\n"
        "assert not loaded, f'imported {loaded}'\n"
    )
    env = {**os.environ, "REPTRACK_DB": str(tmp_path / "s.db")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
