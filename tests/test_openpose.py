"""The OpenPose backend: heat-map post-processing on synthetic maps, part mapping, file
finding and import, the missing-weights message, and the real cv2.dnn Caffe path on a tiny
network built here (CMU's weights are not redistributable, so the tests never use them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from conftest import ROOT
from fakes import write_video
from reptrack.errors import ModelError, ReptrackError
from reptrack.exercise import spec as specs
from reptrack.exercise.measure import sample, support_notes, unsupported_angles
from reptrack.pose import openpose
from reptrack.pose.openpose import COCO, MPI, OpenPose, OpenPoseSettings, part_peaks, to_pose
from reptrack.pose.types import INDEX


@pytest.fixture
def models_home(tmp_path, monkeypatch) -> Path:
    """An empty model cache and extra models folder, so nothing on this machine leaks in."""
    monkeypatch.setenv("REPTRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("REPTRACK_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setattr("reptrack.paths.project_models_dir", lambda: None)
    (tmp_path / "models").mkdir()
    return tmp_path / "models"


# -- post-processing ------------------------------------------------------------------------
def test_each_part_is_at_its_maps_global_maximum_scaled_to_the_frame():
    maps = np.zeros((3, 46, 46), np.float32)
    maps[0, 10, 20] = 0.9  # row 10, column 20
    maps[0, 30, 5] = 0.4  # a lower second peak is ignored
    maps[1, 0, 45] = 0.3
    maps[2] = 0.05  # never above the threshold
    peaks = part_peaks(maps, threshold=0.1)
    assert peaks[0] == pytest.approx([20.5 / 46, 10.5 / 46, 0.9])
    assert peaks[1] == pytest.approx([45.5 / 46, 0.5 / 46, 0.3])
    assert np.isnan(peaks[2, :2]).all() and peaks[2, 2] == pytest.approx(0.05)


def test_the_threshold_decides_what_is_found():
    maps = np.zeros((2, 8, 8), np.float32)
    maps[0, 1, 1], maps[1, 2, 2] = 0.25, 0.15
    assert np.isnan(part_peaks(maps, 0.2)[:, 0]).tolist() == [False, True]
    assert np.isnan(part_peaks(maps, 0.1)[:, 0]).tolist() == [False, False]


def test_coco_parts_land_on_blazepose_names_and_the_neck_is_dropped():
    peaks = np.full((18, 3), np.nan)
    peaks[:, 2] = 0.0
    peaks[1] = (0.5, 0.2, 0.9)  # neck: BlazePose has none
    peaks[2] = (0.4, 0.3, 0.8)  # OpenPose RShoulder: the person's right shoulder
    peaks[13] = (0.6, 0.9, 0.7)  # LAnkle
    pose = to_pose(peaks, COCO, 640, 480)
    assert pose.image[INDEX["right_shoulder"]].tolist() == pytest.approx([0.4, 0.3, 0.0, 1.0])
    assert pose.image[INDEX["left_ankle"], :2].tolist() == pytest.approx([0.6, 0.9])
    assert pose.xy("right_shoulder").tolist() == pytest.approx([256.0, 144.0])
    assert np.isnan(pose.image[INDEX["left_heel"], 0]) and pose.visibility("left_heel") == 0
    assert pose.world is None
    assert sum(pose.image[:, 3] > 0) == 2  # the neck went nowhere


def test_mpi_has_no_face_points_and_coco_no_feet():
    assert "nose" not in MPI.keypoints and "nose" in COCO.keypoints
    assert {"left_knee", "right_ankle", "left_wrist"} <= MPI.keypoints
    assert not {"left_heel", "left_foot_index"} & COCO.keypoints
    assert len(COCO.parts) == 18 and len(MPI.parts) == 15


# -- exercises against what a backend can see -----------------------------------------------
def test_squat_with_coco_counts_but_says_the_heel_check_is_off():
    spec = specs.load("squat")
    gaps = unsupported_angles(spec, COCO.keypoints)
    assert set(gaps) == {"heel"} and "left_heel" in gaps["heel"]
    notes = support_notes(spec, COCO.keypoints, COCO.title)
    assert notes == [
        "heels_lifting is not checked: OpenPose COCO-18 has no left_foot_index, "
        "left_heel, right_foot_index, right_heel"
    ]


def test_an_exercise_counted_on_a_point_the_format_lacks_is_refused():
    text = specs.load("squat").text.replace('angle = "knee"', 'angle = "heel"', 1)
    spec = specs.parse(text, "heel-counter.toml")
    with pytest.raises(ReptrackError, match=r"counts on the heel angle.*does not find"):
        support_notes(spec, COCO.keypoints, COCO.title)


def test_angles_work_unchanged_on_an_openpose_pose():
    spec = specs.load("squat")
    peaks = np.full((18, 3), np.nan)
    peaks[:, 2] = 0
    # right side of a standing person, side view: hip above knee above ankle
    peaks[8], peaks[9], peaks[10] = (0.5, 0.5, 1), (0.52, 0.7, 1), (0.5, 0.9, 1)
    peaks[2] = (0.5, 0.25, 1)
    s = sample(to_pose(peaks, COCO, 480, 480), spec)
    assert s["knee.right"] == pytest.approx(168.6, abs=0.5)  # image angle: no world points
    assert np.isnan(s["knee.left"]) and np.isnan(s["heel.right"])


# -- files ----------------------------------------------------------------------------------
TINY_PROTOTXT = """name: "tiny-openpose"
input: "image"
input_shape { dim: 1 dim: 3 dim: 64 dim: 64 }
layer {
  name: "maps"
  type: "Convolution"
  bottom: "image"
  top: "maps"
  convolution_param { num_output: 19 kernel_size: 8 stride: 8 }
}
"""


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _blob(array: np.ndarray) -> bytes:
    """caffe.BlobProto: shape (7) as BlobShape with packed dims (1), packed float data (5)."""
    shape = _field(1, b"".join(_varint(d) for d in array.shape))
    return _field(7, shape) + _field(5, array.astype("<f4").tobytes())


def tiny_caffemodel() -> bytes:
    """caffe.NetParameter with one layer (100): map k averages colour channel k % 3 over each
    8×8 cell, so a blue, green or red patch lights up every third part at its position."""
    weights = np.zeros((19, 3, 8, 8), np.float32)
    for k in range(18):
        weights[k, k % 3] = 1.0 / 64
    layer = (
        _field(1, b"maps")
        + _field(2, b"Convolution")
        + _field(7, _blob(weights))
        + _field(7, _blob(np.zeros(19, np.float32)))
    )
    return _field(100, layer)


def install_tiny_coco(folder: Path) -> None:
    (folder / COCO.prototxts[0]).write_text(TINY_PROTOTXT)
    (folder / COCO.caffemodel).write_bytes(tiny_caffemodel())


def test_prototxt_format_is_read_from_the_size_of_the_part_maps():
    assert openpose.prototxt_format(TINY_PROTOTXT) == "coco"
    assert openpose.prototxt_format(TINY_PROTOTXT.replace("19", "16")) == "mpi"
    assert openpose.prototxt_format("layer { }") is None


def test_without_the_weights_the_message_names_the_files_and_where_they_go(models_home):
    with pytest.raises(ModelError) as info:
        OpenPose("coco")
    text = str(info.value)
    assert "pose_deploy_linevec.prototxt" in text and "pose_iter_440000.caffemodel" in text
    assert str(Path("openpose") / "coco") in text and "non-commercial" in text
    with pytest.raises(ModelError, match=r"pose_iter_160000\.caffemodel"):
        OpenPose("mpi")


def test_the_cli_says_what_is_missing_without_a_traceback(tmp_path):
    video = tmp_path / "clip.avi"
    write_video(video, [np.zeros((64, 64, 3), np.uint8)] * 3)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "REPTRACK_CACHE_DIR": str(tmp_path / "cache"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "reptrack", "pose", str(video), "--backend", "openpose"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "pose_iter_440000.caffemodel" in result.stderr


def test_a_file_with_the_right_names_but_not_a_caffe_model_is_reported(models_home):
    (models_home / COCO.prototxts[0]).write_text(TINY_PROTOTXT)
    (models_home / COCO.caffemodel).write_bytes(b"\x00\x01garbage" * 10)
    with pytest.raises(ModelError, match="holds no weights"):
        OpenPose("coco")


def test_import_puts_files_under_their_format(models_home, tmp_path):
    src = tmp_path / "download"
    src.mkdir()
    install_tiny_coco(src)
    assert openpose.import_file(src / COCO.prototxts[0]) == (
        "OpenPose COCO-18: pose_deploy_linevec.prototxt"
    )
    openpose.import_file(src / COCO.caffemodel)
    found = openpose.find_files(COCO)
    assert found is not None and found[0].parent.parts[-2:] == ("openpose", "coco")
    renamed = tmp_path / "my_model.caffemodel"
    renamed.write_bytes(b"x")
    with pytest.raises(ModelError, match="keep the file's original name"):
        openpose.import_file(renamed)
    not_openpose = tmp_path / "other.prototxt"
    not_openpose.write_text('layer { name: "fc" }')
    with pytest.raises(ModelError, match="not an OpenPose COCO or MPI"):
        openpose.import_file(not_openpose)


def test_an_mpi_description_is_not_taken_for_coco(models_home):
    (models_home / COCO.prototxts[0]).write_text(TINY_PROTOTXT.replace("19", "16"))
    (models_home / COCO.caffemodel).write_bytes(tiny_caffemodel())
    assert openpose.find_files(COCO) is None


# -- the real cv2.dnn path --------------------------------------------------------------------
def coloured_frame() -> np.ndarray:
    """128×128 (cells of 16 px at the net's 8×8 output): blue at cell (row 1, col 2), green at
    cell (row 5, col 6), no red anywhere."""
    frame = np.zeros((128, 128, 3), np.uint8)
    frame[16:32, 32:48] = (255, 0, 0)
    frame[80:96, 96:112] = (0, 255, 0)
    return frame


def test_the_caffe_network_runs_through_cv2_dnn_and_parts_come_out_where_they_are(models_home):
    install_tiny_coco(models_home)
    estimator = OpenPose("coco", settings=OpenPoseSettings(input_width=64, input_height=64))
    maps = estimator.confidence_maps(coloured_frame())
    assert maps.shape == (18, 8, 8)
    pose = estimator.estimate(coloured_frame(), 0.0)
    assert pose is not None and (pose.width, pose.height) == (128, 128)
    blue_parts = [COCO.parts[k] for k in range(0, 18, 3) if COCO.parts[k]]
    green_parts = [COCO.parts[k] for k in range(1, 18, 3) if COCO.parts[k]]
    red_parts = [COCO.parts[k] for k in range(2, 18, 3) if COCO.parts[k]]
    for name in blue_parts:
        assert pose.xy(name).tolist() == pytest.approx([40.0, 24.0]), name  # the cell's centre
    for name in green_parts:
        assert pose.xy(name).tolist() == pytest.approx([104.0, 88.0]), name
    for name in red_parts:
        assert pose.visibility(name) == 0 and np.isnan(pose.image[INDEX[name], 0]), name


def test_a_network_failing_on_a_frame_says_so_once_without_opencv_log_lines(models_home, capfd):
    install_tiny_coco(models_home)
    # A 4×4 input is smaller than the 8×8 kernel: the layer has no output.
    estimator = OpenPose("coco", settings=OpenPoseSettings(input_width=4, input_height=4))
    with pytest.raises(ModelError, match="network failed on a frame"):
        estimator.estimate(coloured_frame(), 0.0)
    assert "[ERROR" not in capfd.readouterr().err
    assert cv2.utils.logging.getLogLevel() != cv2.utils.logging.LOG_LEVEL_SILENT  # restored


def test_nobody_in_a_black_frame(models_home):
    install_tiny_coco(models_home)
    estimator = OpenPose("coco", settings=OpenPoseSettings(input_width=64, input_height=64))
    assert estimator.estimate(np.zeros((128, 128, 3), np.uint8), 0.0) is None


def test_a_workout_runs_on_the_openpose_backend_and_tells_the_user(models_home, tmp_path):
    install_tiny_coco(models_home)
    video = tmp_path / "clip.avi"
    write_video(video, [coloured_frame()] * 12)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "REPTRACK_CACHE_DIR": str(tmp_path / "cache"),
        "REPTRACK_MODELS_DIR": str(models_home),
        "REPTRACK_DB": str(tmp_path / "s.db"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "reptrack", "squat", "--source", str(video), "--no-tui",
         "--json", "--backend", "openpose", "--openpose-size", "64x64"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["frames"] == 12 and summary["reps"] == 0
    assert "about a second per frame" in result.stderr
    assert "heels_lifting is not checked" in result.stderr
    history = subprocess.run(
        [sys.executable, "-m", "reptrack", "export", "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    session = json.loads(history.stdout)[0]
    assert (session["backend"], session["model"]) == ("openpose", "coco")


def test_a_garbage_network_description_is_reported_as_damaged_not_missing(models_home):
    (models_home / COCO.prototxts[0]).write_text("this is not a network {{{")
    (models_home / COCO.caffemodel).write_bytes(b"weights")
    with pytest.raises(ModelError) as info:
        OpenPose("coco")
    assert "cannot be used" in info.value.message and "not installed" not in info.value.message
    assert COCO.prototxts[0] in info.value.message
