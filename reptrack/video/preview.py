"""Where annotated frames go: an OpenCV window on screen, and a video file (`--record`).

This is the only module that opens OpenCV windows. Both sinks are driven from the pose loop's
thread; a window that cannot be shown (no display) says why instead of taking the session down.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import cv2
import numpy as np

from reptrack import paths
from reptrack.errors import ReptrackError
from reptrack.exercise.spec import ExerciseSpec
from reptrack.files import check_output, temp_beside
from reptrack.session.results import FrameResult
from reptrack.video.render import Overlay

WINDOW = "reptrack preview"


def display_problem() -> str | None:
    """Why no window can be shown here, or None when a display is available."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return "no display (DISPLAY is not set): the preview window is unavailable"
    return None


def _quiet_qt() -> None:
    """OpenCV's Qt build complains on stderr about fonts it does not ship; use the system's."""
    os.environ.setdefault("QT_LOGGING_RULES", "*.debug=false;qt.qpa.*=false")
    for fonts in ("/usr/share/fonts/truetype", "/usr/share/fonts"):
        if Path(fonts).is_dir():
            os.environ.setdefault("QT_QPA_FONTDIR", fonts)
            break


class PreviewWindow:
    """A window showing frames as they come; `show()` returns False once the user closed it."""

    def __init__(self) -> None:
        self.open = False
        self.problem = display_problem()

    def show(self, image: np.ndarray) -> bool:
        if self.problem:
            return False
        try:
            if not self.open:
                _quiet_qt()
                cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO)
                h, w = image.shape[:2]
                cv2.resizeWindow(WINDOW, w, h)
                self.open = True
            cv2.imshow(WINDOW, image)
            cv2.waitKey(1)
            if cv2.getWindowProperty(WINDOW, cv2.WND_PROP_VISIBLE) < 1:
                self.close()  # closed with the mouse
                return False
        except cv2.error as exc:
            self.problem = f"the preview window failed: {exc.msg or exc}"
            self.open = False
            return False
        return True

    def close(self) -> None:
        if self.open:
            self.open = False
            try:
                cv2.destroyWindow(WINDOW)
                cv2.waitKey(1)
            except cv2.error:
                pass


class VideoRecorder:
    """Writes frames to `path` at `fps`; the frame size is fixed by the first frame.

    Frames go to a hidden temporary file beside `path`, renamed onto it when the recording
    is closed: an existing file of that name is only replaced by a whole recording.
    """

    def __init__(self, path: str | Path, fps: float) -> None:
        self.path = check_output(path, what="--record", suffixes=(".mp4", ".avi"))
        self.fps = fps if fps > 0 else 30.0
        self.frames = 0
        self._writer: cv2.VideoWriter | None = None
        self._tmp = temp_beside(self.path)

    def write(self, image: np.ndarray) -> None:
        if self._writer is None:
            h, w = image.shape[:2]
            fourcc = cv2.VideoWriter.fourcc(*("mp4v" if self.path.suffix == ".mp4" else "MJPG"))
            with paths.opencv_name(self._tmp) as name:  # an alias for a folder not UTF-8
                self._writer = cv2.VideoWriter(name, fourcc, self.fps, (w, h))
            if not self._writer.isOpened():
                self._writer = None
                raise ReptrackError(
                    f"cannot record to {self.path}",
                    hint="use a .mp4 or .avi file name in a writable folder",
                )
        self._writer.write(image)
        self.frames += 1

    def close(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        if self._tmp.exists():
            if self.frames:
                os.replace(self._tmp, self.path)
            else:
                self._tmp.unlink()


class AnnotatedOutput:
    """A workout's frames, annotated, to the preview window (when wanted) and the recording.

    `frame(r, window=…)` returns False when the window was wanted but could not be shown
    (no display, closed with the mouse); `window.problem` then says why, if there was one.
    """

    def __init__(self, spec: ExerciseSpec, fps: float, record: str | Path | None = None) -> None:
        self.overlay = Overlay(spec)
        self.window = PreviewWindow()
        self.recorder = VideoRecorder(record, fps) if record else None

    def frame(self, r: FrameResult, *, window: bool) -> bool:
        self.overlay.note(r)  # every frame, so the latest warning is known when drawing resumes
        if not window and self.window.open:
            self.window.close()
        if not window and self.recorder is None:
            return True
        image = self.overlay.draw(r)
        if self.recorder is not None:
            self.recorder.write(image)
        return self.window.show(image) if window else True

    def close(self) -> None:
        self.window.close()
        if self.recorder is not None:
            self.recorder.close()
