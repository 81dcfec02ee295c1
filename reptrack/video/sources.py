"""Frame sources: a camera index, a video file or a stream URL, behind one `read()`.

Files deliver every frame with its own timestamp (deterministic, comparable results). Live
sources read in a thread and keep only the newest frame (latency beats completeness); a live
source that stops delivering is reconnected for a while, then ends with a reason.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from reptrack import paths
from reptrack.errors import SourceError

MAX_CAMERA_INDEX = 99  # OpenCV reads larger numbers as a camera API plus an index
# A file that delivers fewer than this share of the frames its header announces is cut short
# (headers round; a damaged tail loses much more).
TRUNCATED_SHARE = 0.9


@dataclass(frozen=True)
class Frame:
    image: np.ndarray  # BGR, uint8
    timestamp: float  # seconds since the source started
    index: int
    captured: float = 0.0  # time.monotonic() when the frame was grabbed (for latency)


class FrameSource(Protocol):
    description: str
    live: bool
    fps: float
    width: int
    height: int
    # Why the source ended, when it did not end normally (a camera pulled out, say).
    end_reason: str | None

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...


class FileSource:
    """Every frame of a video file, timestamped from its frame rate.

    A thread decodes up to `prefetch` frames ahead (OpenCV releases the GIL while it
    decodes), so decoding overlaps the pose model instead of adding to it; frames still come
    out one by one, in order, all of them.
    """

    live = False

    def __init__(self, path: str | Path, *, prefetch: int = 4) -> None:
        self.path = paths.checked(path, "video file")
        self.description = paths.shown(path)  # text, whatever bytes the name holds
        self.end_reason: str | None = None
        if not self.path.exists():
            raise SourceError(
                f"video file not found: {path}",
                hint="check the path; use --source 0 for the first camera or a URL for a stream",
            )
        if not self.path.is_file():
            raise SourceError(f"{path} is not a file")
        unreadable = SourceError(
            f"cannot read video {path}: not a video OpenCV can decode, or the file is damaged",
            hint="try converting it, e.g. `ffmpeg -i IN -c:v libx264 OUT.mp4`",
        )
        try:
            with paths.opencv_name(self.path) as name:  # an alias for a name not UTF-8
                self._cap = cv2.VideoCapture(name)
                ok, first = self._cap.read() if self._cap.isOpened() else (False, None)
        except cv2.error:
            raise unreadable from None
        if not ok or first is None:
            self._cap.release()
            raise unreadable
        if self._cap.get(cv2.CAP_PROP_FRAME_COUNT) <= 1 and cv2.haveImageReader(str(self.path)):
            self._cap.release()
            raise SourceError(
                f"{path} is a still image, not a video",
                hint="give a video file, a camera index or a stream URL",
            )
        self._first: np.ndarray | None = first
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = fps if fps and 0 < fps < 1000 else 30.0
        self.height, self.width = first.shape[:2]
        # Some headers claim a negative or absurd count; it only sizes progress bars.
        self.frame_count = max(0, int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0))
        self._index = 0
        self._stopped = threading.Event()
        self._ahead: queue.Queue[np.ndarray | None] | None = None
        self._decoder: threading.Thread | None = None
        if prefetch > 0:
            self._ahead = queue.Queue(maxsize=prefetch)
            self._decoder = threading.Thread(
                target=self._decode, name="reptrack-decode", daemon=True
            )
            self._decoder.start()

    def __len__(self) -> int:
        return self.frame_count

    def _decode(self) -> None:
        assert self._ahead is not None
        while not self._stopped.is_set():
            ok, image = self._cap.read()
            item = image if ok else None
            while not self._stopped.is_set():
                try:
                    self._ahead.put(item, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if item is None:
                return

    def _next_image(self) -> np.ndarray | None:
        if self._ahead is None:
            ok, image = self._cap.read()
            return image if ok else None
        if self._decoder is None:  # the decoder has already delivered the end
            return None
        ahead: np.ndarray | None = self._ahead.get()
        if ahead is None:
            self._decoder = None
        return ahead

    def read(self) -> Frame | None:
        image: np.ndarray | None
        if self._first is not None:
            image, self._first = self._first, None
        else:
            image = self._next_image()
            if image is None:
                self._note_early_end()
                return None
        frame = Frame(image, self._index / self.fps, self._index, time.monotonic())
        self._index += 1
        return frame

    def _note_early_end(self) -> None:
        """A file that stops well before the frames its header announces is cut short."""
        if self.frame_count and self._index < self.frame_count * TRUNCATED_SHARE:
            self.end_reason = (
                f"the video ended after {self._index} of the {self.frame_count} frames its "
                "header announces: the file may be cut short or damaged"
            )

    def close(self) -> None:
        self._stopped.set()
        decoder = self._decoder
        if decoder is not None:
            decoder.join(timeout=2)
        self._cap.release()

    def __enter__(self) -> FileSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LiveSource:
    """A camera or stream read in a background thread; `read()` returns the newest frame."""

    live = True

    def __init__(
        self,
        target: int | str,
        *,
        reconnect_seconds: float = 10.0,
        frame_timeout: float = 5.0,
        open_timeout: float = 10.0,
    ) -> None:
        self.target = target
        self.description = f"camera {target}" if isinstance(target, int) else str(target)
        self.reconnect_seconds = reconnect_seconds
        self.frame_timeout = frame_timeout
        self.end_reason: str | None = None
        self.reconnecting = False
        self._cap = self._open(open_timeout)
        ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            raise self._cannot_open()
        self.height, self.width = first.shape[:2]
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = fps if fps and 0 < fps < 1000 else 30.0
        self._t0 = time.monotonic()
        self._cond = threading.Condition()
        self._latest: np.ndarray | None = first
        self._latest_t = 0.0
        self._seq = 1
        self._delivered = 0
        self._stopped = False
        self._dead = False
        self.dropped = 0
        self._thread = threading.Thread(target=self._loop, name="reptrack-capture", daemon=True)
        self._thread.start()

    def _cannot_open(self) -> SourceError:
        if isinstance(self.target, int):
            return SourceError(
                f"no camera at index {self.target}",
                hint="is it connected and not used by another program? try --source 1, "
                "a video file, or a stream URL",
            )
        return SourceError(
            f"cannot open stream {self.target}",
            hint="check the URL (http://…/video for MJPEG, rtsp://…) and that the phone "
            "and this computer are on the same network",
        )

    def _open(self, timeout: float) -> cv2.VideoCapture:
        try:
            if isinstance(self.target, int):
                cap = cv2.VideoCapture(self.target)
            else:
                params = [
                    cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
                    int(timeout * 1000),
                    cv2.CAP_PROP_READ_TIMEOUT_MSEC,
                    int(self.frame_timeout * 1000),
                ]
                cap = cv2.VideoCapture(self.target, cv2.CAP_ANY, params)
        except cv2.error:
            raise self._cannot_open() from None
        if not cap.isOpened():
            cap.release()
            raise self._cannot_open()
        return cap

    def _loop(self) -> None:
        while not self._stopped:
            ok, image = self._cap.read()
            if ok and image is not None:
                with self._cond:
                    if self._seq > self._delivered:
                        self.dropped += 1
                    self._latest = image
                    self._latest_t = time.monotonic() - self._t0
                    self._seq += 1
                    self._cond.notify_all()
                continue
            if self._stopped or not self._reconnect():
                break
        with self._cond:
            self._dead = True
            self._cond.notify_all()

    def _reconnect(self) -> bool:
        self.reconnecting = True
        self._cap.release()
        deadline = time.monotonic() + self.reconnect_seconds
        while not self._stopped and time.monotonic() < deadline:
            try:
                cap = self._open(min(2.0, self.reconnect_seconds))
            except SourceError:
                time.sleep(0.5)
                continue
            self._cap = cap
            self.reconnecting = False
            return True
        self.end_reason = (
            f"{self.description} stopped delivering frames and did not come back "
            f"within {self.reconnect_seconds:.0f} s"
        )
        return False

    def read(self) -> Frame | None:
        with self._cond:
            deadline = time.monotonic() + self.frame_timeout + self.reconnect_seconds
            while self._seq <= self._delivered and not self._dead:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.end_reason = f"{self.description} delivered no frame for too long"
                    return None
                self._cond.wait(remaining)
            if self._seq <= self._delivered or self._latest is None:
                return None
            self._delivered = self._seq
            return Frame(self._latest, self._latest_t, self._seq - 1, self._t0 + self._latest_t)

    def close(self) -> None:
        self._stopped = True
        self._thread.join(timeout=self.frame_timeout + 1)
        self._cap.release()

    def __enter__(self) -> LiveSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_source(spec: str | int, **live_options: float) -> FileSource | LiveSource:
    """A camera index ("0"), a URL ("http://…", "rtsp://…") or a video file path."""
    text = str(spec).strip()
    if not text:
        raise SourceError(
            "no source given",
            hint="--source takes a camera index (0), a video file or a stream URL",
        )
    if text.isdigit():
        if int(text) > MAX_CAMERA_INDEX:
            raise SourceError(
                f"{text} is not a camera index (0 to {MAX_CAMERA_INDEX})",
                hint="--source takes a camera index (0), a video file or a stream URL",
            )
        return LiveSource(int(text), **live_options)
    if "://" in text:
        return LiveSource(text, **live_options)
    return FileSource(text)


def source_text(source: str) -> str:
    """A source as a person says it: "camera 0", a stream's address, a file's path."""
    return f"camera {source.strip()}" if source.strip().isdigit() else source
