"""Published landmark sets (the PoseRAC/RepCount format): the proportions brought back,
the annotation read, the clips counted and scored, in parallel as in one process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import NOT_YET, ROOT
from reptrack.errors import ReptrackError
from reptrack.evaluation.evaluate import Result, evaluate
from reptrack.evaluation.labels import Label, load_labels
from reptrack.evaluation.published_sets import (
    EXERCISES,
    NO_LANDMARKS,
    Clip,
    evaluate_clips,
    load_annotation,
    matched,
    report,
)
from reptrack.exercise.events import Rep
from reptrack.pose import published
from reptrack.pose.dump import load_landmarks
from reptrack.pose.landmarks import INDEX

HEADER = ",type,name,count,L1,L2,L3,L4\r\n"


def _angle(p: np.ndarray, a: str, b: str, c: str) -> np.ndarray:
    u = p[:, INDEX[a], :2] - p[:, INDEX[b], :2]
    v = p[:, INDEX[c], :2] - p[:, INDEX[b], :2]
    with np.errstate(invalid="ignore", divide="ignore"):  # a folded joint: NaN
        cos = (u * v).sum(1) / np.linalg.norm(u, axis=1) / np.linalg.norm(v, axis=1)
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


def _unit(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    v = np.stack([x, y, z], 1)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _body(frames: int, rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A body with the segment lengths of `published.SEGMENT_LENGTHS`, squatting and bending
    its elbows (knees forward toward the camera), as normalized landmarks of a `width` ×
    `height` picture: (frames, 33, 3), z on the scale of x as MediaPipe gives it."""
    p = np.zeros((frames, 33, 3))
    bend = np.linspace(0, np.pi, frames)
    zero = 0 * bend
    for side, dx in (("left", 0.325), ("right", -0.325)):
        shoulder, hip = np.array([dx, 0.0, 0]), np.array([dx * 0.43 / 0.65, 1.0, 0])
        p[:, INDEX[f"{side}_shoulder"]] = shoulder
        p[:, INDEX[f"{side}_hip"]] = hip
        elbow = shoulder + 0.49 * _unit(0.6 * np.sin(bend), np.cos(0.5 * bend), 0.3 + zero)
        p[:, INDEX[f"{side}_elbow"]] = elbow
        wrist = elbow + 0.45 * _unit(np.sin(bend), -np.cos(bend), 0.2 + zero)
        p[:, INDEX[f"{side}_wrist"]] = wrist
        knee = hip + 0.79 * _unit(0.3 * np.sin(bend), 1 + zero, -np.sin(bend))
        p[:, INDEX[f"{side}_knee"]] = knee
        p[:, INDEX[f"{side}_ankle"]] = knee + 0.765 * _unit(0.1 + zero, 1 + zero, zero)
    rest = [i for i in range(33) if not p[:, i].any()]  # the face, hands and feet: somewhere
    p[:, rest] = p[:, [INDEX["left_shoulder"]]] + rng.uniform(-0.2, 0.1, (1, len(rest), 3))
    pixels = 150.0  # a torso length in the picture
    return (p * pixels + [width / 2, height / 4, 0]) / [width, height, width]


@pytest.mark.parametrize("width, height", [(1280, 720), (720, 1280), (640, 640)])
def test_recovered_angles_match_the_true_ones_on_a_body_of_known_proportions(width, height):
    truth = _body(60, np.random.default_rng(1), width, height)
    true_px = truth[..., :2] * [width, height]
    flat = published.flatten(truth, width, height)
    assert flat.min() == 0 and flat.max() == 1  # the format: every frame fills the unit cube
    back = published.recover(flat)
    for joint in (("hip", "knee", "ankle"), ("shoulder", "elbow", "wrist")):
        names = [f"left_{n}" for n in joint]
        raw_error = np.abs(_angle(flat, *names) - _angle(true_px, *names))
        error = np.abs(_angle(back, *names) - _angle(true_px, *names))
        assert np.nanmedian(error) < 1.0, joint
        if width != height:
            assert np.nanmedian(raw_error) > 3 * np.nanmedian(error) + 1, joint


def test_recovered_angles_on_real_landmarks_are_within_a_few_degrees(shared):
    """MediaPipe's landmarks of real videos (other people, cameras), flattened and brought
    back: the knee and elbow angles in the picture within 2.5° in the median, where read
    straight off the format they are off by 10° and more."""
    for video in ("squat_tommy", "pushup_tayyab", "curl_vaid_bc", "lunge_ambaks"):
        run = load_landmarks(shared / "reference" / f"{video}.npz")
        image = run.image[run.present]
        true_px = image[..., :2] * [run.width, run.height]
        flat = published.flatten(image, run.width, run.height)
        back = published.recover(flat)
        errors, raw = [], []
        for side in ("left", "right"):
            for joint in (("hip", "knee", "ankle"), ("shoulder", "elbow", "wrist")):
                names = [f"{side}_{n}" for n in joint]
                truth = _angle(true_px, *names)
                errors.append(np.nanmedian(np.abs(_angle(back, *names) - truth)))
                raw.append(np.nanmedian(np.abs(_angle(flat, *names) - truth)))
        assert np.median(errors) < 2.5, (video, errors)
        assert np.median(raw) > 2 * np.median(errors), (video, raw, errors)


def test_rows_of_zeros_are_frames_without_a_person_and_extra_values_are_ignored():
    rows = np.zeros((4, 99 + 5), dtype=np.float32)
    flat = published.flatten(_body(4, np.random.default_rng(2), 640, 360), 640, 360)
    flat = flat.reshape(4, 99)
    rows[[0, 2], :99] = flat[[0, 2]]
    rows[:, 99:] = 7.0  # what a set may append after the landmarks
    frames = published.rows_to_frames(rows)
    poses = list(published.poses(published.recover(frames), fps=25))
    assert [p is None for _, p in poses] == [False, True, False, True]
    assert [t for t, _ in poses] == [0, 0.04, 0.08, 0.12]
    with pytest.raises(ValueError, match="at least 99 values"):
        published.rows_to_frames(np.zeros((3, 98)))


def test_the_annotation_is_read_with_its_rep_bounds_and_every_bad_row_reported(tmp_path):
    good = tmp_path / "test.csv"
    good.write_text(HEADER + "0,squat,squat1.mp4,2,10,40,50,80\r\n\r\n1,lunge,l.mp4,3,,,,\r\n")
    clips = load_annotation(good)
    assert clips == [
        Clip("squat1.mp4", "squat", 2, ((10, 40), (50, 80))),
        Clip("l.mp4", "lunge", 3),
    ]
    assert [c.exercise for c in clips] == ["squat", "lunge"]
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "0,squat,a.mp4,two\n1,,b.mp4,3\n2,lunge,c.mp4,3,10\n")
    with pytest.raises(ReptrackError) as caught:
        load_annotation(bad)
    assert "3 problem(s)" in caught.value.message
    assert all(f"row {n}" in caught.value.message for n in (2, 3, 4))
    other = tmp_path / "labels.csv"
    other.write_text("file,exercise,reps\nx.mp4,squat,3\n")
    with pytest.raises(ReptrackError, match="not an annotation of the published format"):
        load_annotation(other)


def test_the_table_of_names_covers_the_sets_names_and_guesses_none():
    for name in ("squant", "pullups", "pull_ups", "jumpjacks", "frontraise", "benchpressing"):
        assert name in EXERCISES
    assert Clip("x.mp4", "battle_rope", 3).exercise is None


def _rep(start: float, end: float) -> Rep:
    return Rep(1, "left", start, end, (start + end) / 2, 90.0, 170.0)


def test_a_labelled_rep_is_matched_by_one_counted_rep_that_shares_its_time():
    clip = Clip("c.mp4", "squat", 3, ((0, 30), (30, 60), (60, 90)))  # frames, at 30 a second
    # one counted rep over the first, one that overlaps the second by a fifth only, and one
    # long rep across the second and third: it can match only one of them
    counted = [_rep(0.1, 1.0), _rep(1.8, 2.6), _rep(2.0, 3.0)]
    result = Result(Label(Path("c.npy"), "squat", 3), counted, 90, 0.0)
    assert matched(clip, result, fps=30) == 2


def _clips_from_reference(shared: Path, folder: Path, videos: dict[str, tuple[str, int]]) -> Path:
    """The labelled videos' reference landmarks written as a published set: an annotation
    and one NAME.npy per clip."""
    lines = [HEADER.strip()]
    for i, (video, (kind, reps)) in enumerate(videos.items()):
        run = load_landmarks(shared / "reference" / f"{video}.npz")
        flat = published.flatten(run.image, run.width, run.height).reshape(-1, 99)
        np.save(folder / f"{video}.npy", np.nan_to_num(flat, nan=0.0).astype(np.float32))
        lines.append(f"{i},{kind},{video}.mp4,{reps},,,,")
    annotation = folder / "test.csv"
    annotation.write_text("\n".join(lines) + "\n")
    return annotation


def test_a_published_set_counts_the_same_in_parallel_and_reports_what_it_cannot_count(
    shared, tmp_path
):
    videos = {
        "squat_tommy": ("squant", 3),
        "pushup_tayyab": ("push_up", 4),
        "lunge_ambaks": ("lunge", 11),
        "situp_sumukh": ("sit_up", 7),
    }
    annotation = _clips_from_reference(shared, tmp_path, videos)
    np.save(tmp_path / "pull_up1.npy", np.zeros((0,), dtype=np.float32))
    with annotation.open("a") as f:
        f.write("4,pull_ups,pull_up1.mp4,5,,,,\n5,battle_rope,rope1.mp4,9,,,,\n")
    clips = load_annotation(annotation)
    one = evaluate_clips(clips, tmp_path, fps=30, jobs=1)
    two = evaluate_clips(clips, tmp_path, fps=30, jobs=2)
    assert [s.result.reps for s in one] == [s.result.reps for s in two]
    assert [s.result.error for s in one] == [s.result.error for s in two]
    summ = report(one)
    assert summ["videos"] == 4
    assert summ["exact"] >= 3  # the format costs at most one of these four (see the README)
    assert summ["not_counted"].keys() == {
        NO_LANDMARKS,
        "the set's exercise “battle_rope” is not in reptrack's table of names",
    }
    for row in summ["per_exercise"].values():
        assert row["mae"] >= 0 and row["obo"] == row["within_one"] / row["videos"]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reptrack", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)  # fmt: skip


def test_eval_of_a_published_set_from_the_command_line(shared, tmp_path):
    annotation = _clips_from_reference(shared, tmp_path, {"squat_tommy": ("squat", 3)})
    run = _cli("eval", str(annotation), "--poses", str(tmp_path), "--json", "--jobs", "1")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["clips"][0]["predicted"] == 3
    assert report["summary"]["per_exercise"]["squat"]["obo"] == 1.0
    text = _cli("eval", str(annotation), "--poses", str(tmp_path), "--fps", "25")
    assert "exact 1/1" in text.stdout and "25 frames a second" in text.stdout
    assert _cli("eval", str(annotation)).returncode != 0  # no --poses: said, not a traceback
    mixed = _cli("eval", str(annotation), "--poses", str(tmp_path), "--auto")
    assert mixed.returncode != 0 and "--auto" in mixed.stderr
    assert "Traceback" not in mixed.stderr


# The labelled videos whose reference landmarks, given as the published sets give them, are
# not counted right yet (the list shrinks to NOT_YET's as the counting issue, #32, lands).
AS_PUBLISHED_NOT_YET = {
    "squat_dillon0.mp4": "one rep, then a bar walked out of the rack: 4 counted",
    "situp_junghoon3.mp4": "sit-ups filmed from the feet: none counted",
}


@pytest.fixture(scope="module")
def as_published(shared: Path) -> dict[str, Result]:
    labels = load_labels(shared / "labels.toml")
    results = evaluate(labels, reference=shared / "reference", as_published=True)
    return {r.label.file.name: r for r in results}


def test_the_labelled_videos_count_as_listed_when_given_in_the_published_format(as_published):
    wrong = {name for name, r in as_published.items() if not r.exact}
    expected_wrong = set(AS_PUBLISHED_NOT_YET) | set(NOT_YET)
    assert wrong == expected_wrong, (
        f"newly wrong: {sorted(wrong - expected_wrong)}; "
        f"now right (take them off the lists): {sorted(expected_wrong - wrong)}"
    )


# Countix-Fitness (../shared/data/external), counted as published: each exercise's exact
# counts and counts within one as measured when they were last improved. Counting may only
# get better here; the README's accuracy section has the figures beside the published ones.
COUNTIX_AT_LEAST = {  # exercise: (clips, exact, within one)
    "bench_press": (22, 4, 11),
    "front_raise": (29, 18, 25),
    "pullup": (6, 4, 5),
    "pushup": (19, 6, 14),
    "situp": (13, 6, 8),
    "squat": (19, 11, 14),
    "triceps_pushdown": (20, 14, 17),
    "lunge": (20, 8, 13),
}


def test_countix_fitness_counts_no_worse_than_recorded(shared):
    folder = shared / "external" / "countix_fitness"
    clips = load_annotation(folder / "annotation" / "test.csv")
    summ = report(evaluate_clips(clips, folder / "test_poses", fps=30, jobs=2))
    assert summ["videos"] + len(summ["not_counted"].get(NO_LANDMARKS, [])) == len(clips)
    assert set(summ["not_counted"]) == {NO_LANDMARKS}  # every exercise named is counted
    got = {
        name: (row["videos"], row["exact"], row["within_one"])
        for name, row in summ["per_exercise"].items()
    }
    worse = {
        name: (want, got.get(name))
        for name, want in COUNTIX_AT_LEAST.items()
        if got.get(name, (0, 0, 0))[0] != want[0]
        or any(g < w for g, w in zip(got.get(name, (0, 0, 0))[1:], want[1:], strict=True))
    }
    assert not worse, f"(clips, exact, within one) recorded → now: {worse}"
