"""OpenPose's Caffe models through OpenCV's dnn module — the method reptrack grew out of.

As in the article: the frame goes in as a blob scaled by 1/255 at 368×368, each body part's
confidence map comes out, and the part is where that map has its global maximum, if the
maximum clears a threshold. reptrack then names the parts in BlazePose's vocabulary so the
angles and exercises work unchanged. One refinement: a map cell is taken at its centre,
not its corner, when scaling back to the frame.

CMU licenses these weights for non-commercial research only: reptrack never downloads or
ships them. The user places them under a models folder or imports them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from reptrack.errors import ModelError
from reptrack.pose import models
from reptrack.pose.types import INDEX, NUM_LANDMARKS, Pose

SECONDS_PER_FRAME_NOTE = (
    "OpenPose runs at about a second per frame on a CPU: a video file is processed frame by "
    "frame (slowly), a camera skips to its newest frame; --backend blazepose is far faster"
)


@dataclass(frozen=True)
class OpenPoseFormat:
    name: str  # coco | mpi
    title: str
    prototxts: tuple[str, ...]  # accepted file names, preferred first
    caffemodel: str
    parts: tuple[str | None, ...]  # BlazePose name of each confidence map (None: no such point)

    @property
    def keypoints(self) -> frozenset[str]:
        return frozenset(p for p in self.parts if p)


_LIMBS = (
    "right_shoulder",
    "right_elbow",
    "right_wrist",
    "left_shoulder",
    "left_elbow",
    "left_wrist",
    "right_hip",
    "right_knee",
    "right_ankle",
    "left_hip",
    "left_knee",
    "left_ankle",
)
COCO = OpenPoseFormat(
    "coco",
    "OpenPose COCO-18",
    ("pose_deploy_linevec.prototxt",),
    "pose_iter_440000.caffemodel",
    # nose, neck, the limbs, then eyes and ears (OpenPose's R/L are the person's right/left)
    ("nose", None, *_LIMBS, "right_eye", "left_eye", "right_ear", "left_ear"),
)
MPI = OpenPoseFormat(
    "mpi",
    "OpenPose MPI-15",
    ("pose_deploy_linevec_faster_4_stages.prototxt", "pose_deploy_linevec.prototxt"),
    "pose_iter_160000.caffemodel",
    # head top, neck, the limbs, chest: BlazePose has none of head top, neck or chest
    (None, None, *_LIMBS, None),
)
FORMATS = {f.name: f for f in (COCO, MPI)}


@dataclass(frozen=True)
class OpenPoseSettings:
    input_width: int = 368
    input_height: int = 368
    threshold: float = 0.1  # a part's map must peak above this to count as found
    min_parts: int = 4  # fewer parts found than this: nobody is there


# -- files ------------------------------------------------------------------------------------
def prototxt_format(text: str) -> str | None:
    """Which format a network description is, from the size of its part confidence maps."""
    outputs = {int(n) for n in re.findall(r"num_output\s*:\s*(\d+)", text)}
    if 19 in outputs and 16 not in outputs:
        return "coco"
    if 16 in outputs and 19 not in outputs:
        return "mpi"
    return None


def folders(fmt: OpenPoseFormat) -> list[Path]:
    """Where the files of `fmt` are looked for, in order."""
    out = []
    for base in models.search_dirs():
        out += [base / "openpose" / fmt.name, base / "pose" / fmt.name, base]
    return out


def find_files(fmt: OpenPoseFormat) -> tuple[Path, Path] | None:
    """The network description and weights of `fmt`, if both are in one folder we search."""
    for folder in folders(fmt):
        weights = folder / fmt.caffemodel
        if not weights.is_file():
            continue
        for name in fmt.prototxts:
            prototxt = folder / name
            if prototxt.is_file() and prototxt_format(_read(prototxt)) == fmt.name:
                return prototxt, weights
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def unusable_files(fmt: OpenPoseFormat) -> list[str]:
    """Why files of `fmt` that are there cannot be used (a damaged or wrong description)."""
    found = []
    for folder in folders(fmt):
        for name in fmt.prototxts:
            prototxt = folder / name
            if prototxt.is_file() and prototxt_format(_read(prototxt)) != fmt.name:
                found.append(
                    f"{prototxt} is not an {fmt.title} network description (no "
                    f"{len(fmt.parts) + 1}-map output): damaged, or another network's"
                )
    return found


def missing_message(fmt: OpenPoseFormat) -> ModelError:
    target = models.models_dir() / "openpose" / fmt.name
    if problems := unusable_files(fmt):
        return ModelError(
            f"the {fmt.title} model files cannot be used: {problems[0]}",
            hint=f"get {fmt.prototxts[0]} again from CMU's OpenPose and put it in {target}",
        )
    return ModelError(
        f"the {fmt.title} model files are not installed: reptrack needs {fmt.prototxts[0]} and "
        f"{fmt.caffemodel}",
        hint=f"put both in {target} (or the project's models/ folder), or run `reptrack models "
        "import FILE` for each. They come with CMU's OpenPose (its models/getModels script); "
        "CMU licenses them for non-commercial research only, so reptrack does not download them",
    )


def import_file(path: Path) -> str:
    """Copy a .prototxt or .caffemodel into the cache under its format; returns a description."""
    if path.suffix == ".prototxt":
        fmt_name = prototxt_format(_read(path))
        if fmt_name is None:
            raise ModelError(
                f"{path} is not an OpenPose COCO or MPI network description "
                "(no 19- or 16-part confidence map output)"
            )
        fmt = FORMATS[fmt_name]
        name = path.name if path.name in fmt.prototxts else fmt.prototxts[0]
    else:
        by_weights = {f.caffemodel: f for f in FORMATS.values()}
        if path.name not in by_weights:
            raise ModelError(
                f"cannot tell which OpenPose model {path.name} is",
                hint="reptrack knows pose_iter_440000.caffemodel (COCO) and "
                "pose_iter_160000.caffemodel (MPI); keep the file's original name",
            )
        fmt, name = by_weights[path.name], path.name
    target = models.models_dir() / "openpose" / fmt.name / name
    models.copy_into_cache(path, target)
    return f"{fmt.title}: {name}"


# -- post-processing (pure) -------------------------------------------------------------------
def part_peaks(maps: np.ndarray, threshold: float) -> np.ndarray:
    """(P, H, W) confidence maps → (P, 3): x and y of each map's global maximum, normalized to
    the map (cell centres), and the maximum itself; x and y are NaN where it is below
    `threshold`."""
    parts, height, width = maps.shape
    flat = maps.reshape(parts, -1)
    best = flat.argmax(axis=1)
    confidence = flat[np.arange(parts), best].astype(np.float64)
    rows, cols = np.divmod(best, width)
    peaks = np.column_stack([(cols + 0.5) / width, (rows + 0.5) / height, confidence])
    peaks[confidence < threshold, :2] = np.nan
    return peaks


def to_pose(peaks: np.ndarray, fmt: OpenPoseFormat, width: int, height: int) -> Pose:
    """Place the found parts at their BlazePose names; all other landmarks are NaN and unseen.

    The blob is the whole frame resized, so map coordinates are frame coordinates."""
    image = np.full((NUM_LANDMARKS, 4), np.nan, dtype=np.float32)
    image[:, 3] = 0.0
    for (x, y, _), name in zip(peaks, fmt.parts, strict=True):
        if name is not None and not np.isnan(x):
            image[INDEX[name]] = (x, y, 0.0, 1.0)
    return Pose(image=image, world=None, presence=1.0, width=width, height=height)


# -- the estimator ----------------------------------------------------------------------------
class OpenPose:
    """`estimate(frame, t)` → the pose of the most confident person, or None."""

    name = "openpose"
    note: str | None = SECONDS_PER_FRAME_NOTE

    def __init__(
        self,
        fmt: str = "coco",
        *,
        settings: OpenPoseSettings = OpenPoseSettings(),
        files: tuple[Path, Path] | None = None,
    ) -> None:
        if fmt not in FORMATS:
            raise ModelError(
                f"unknown OpenPose model {fmt!r}", hint=f"choose one of {', '.join(FORMATS)}"
            )
        self.format = FORMATS[fmt]
        self.settings = settings
        self.keypoints = self.format.keypoints
        self.title = self.format.title
        found = files or find_files(self.format)
        if found is None:
            raise missing_message(self.format)
        prototxt, weights = found
        try:
            self.net = cv2.dnn.readNetFromCaffe(str(prototxt), str(weights))
        except cv2.error as exc:
            raise ModelError(
                f"OpenCV cannot load the {self.format.title} model from {prototxt} and "
                f"{weights}: {exc.err or exc}",
                hint="the files may be damaged or not a matching pair: get them again",
            ) from None
        # OpenCV accepts a weights file that fills no layer and fails only at inference.
        layers = [self.net.getLayer(name) for name in self.net.getLayerNames()]
        if not any(len(layer.blobs) for layer in layers):
            raise ModelError(
                f"{weights} holds no weights for the layers of {prototxt}",
                hint="the .caffemodel is damaged or belongs to another network: get it again",
            )
        self.net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        self.net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)

    def confidence_maps(self, frame: np.ndarray) -> np.ndarray:
        """The network's part confidence maps for `frame`: (parts, H, W)."""
        s = self.settings
        blob = cv2.dnn.blobFromImage(
            frame, 1.0 / 255, (s.input_width, s.input_height), (0, 0, 0), swapRB=False, crop=False
        )
        self.net.setInput(blob)
        # A failing layer makes OpenCV log its shapes as [ERROR:…] lines on stderr before it
        # raises; the exception says the same, and the user gets it as one clear message.
        level = cv2.utils.logging.getLogLevel()
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
        try:
            out = self.net.forward()
        except cv2.error as exc:
            raise ModelError(
                f"the {self.format.title} network failed on a frame: {exc.err or exc}"
            ) from None
        finally:
            cv2.utils.logging.setLogLevel(level)
        parts = len(self.format.parts)
        if out.ndim != 4 or out.shape[1] < parts:
            raise ModelError(
                f"the {self.format.title} network gave output of shape {out.shape}, expected "
                f"at least {parts} confidence maps"
            )
        return out[0, :parts]

    def estimate(self, frame: np.ndarray, timestamp: float) -> Pose | None:
        peaks = part_peaks(self.confidence_maps(frame), self.settings.threshold)
        height, width = frame.shape[:2]
        pose = to_pose(peaks, self.format, width, height)
        found = int((pose.image[:, 3] > 0).sum())  # mapped parts only: the neck does not count
        return pose if found >= self.settings.min_parts else None

    def close(self) -> None:
        self.net = None  # type: ignore[assignment]  # the network is let go; never used again
