"""Recognising the exercise: what carries each exercise, what tells the look-alikes apart,
what is named on real videos (live: before the set ends), and the `eval --auto` report."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from fakes import RATE, cycles, feed
from reptrack.evaluation.labels import load_labels
from reptrack.exercise import spec as specs
from reptrack.exercise.counters import make
from reptrack.exercise.events import Rep
from reptrack.exercise.measure import sample
from reptrack.exercise.recognition import (
    DECIDE_REPS,
    Recognizer,
    alike,
    carried_by,
    lone,
    recognize,
)
from reptrack.exercise.rep_counter import RepCounter
from reptrack.pose.dump import load_landmarks, replay


@pytest.mark.parametrize(
    ("exercise", "carrier"),
    [("squat", "body"), ("deadlift", "body"), ("burpee", "body"), ("calf_raise", "body"),
     ("plank", "body"), ("curl", "arms"), ("lateral_raise", "arms"), ("pullup", "arms"),
     ("pushup", "arms"), ("jumping_jack", "arms")],
)  # fmt: skip
def test_what_carries_an_exercise_is_read_from_its_shown_angle(exercise, carrier):
    assert carried_by(specs.load(exercise)) == carrier


@pytest.fixture(scope="module")
def candidates():
    return [specs.load(name) for name in specs.available()]


# Each pair is a look-alike the exercise files' [[recognize]] conditions tell apart: a squat's
# counter and a deadlift's both count a squat; a lunge's, a squat's and a deadlift's a lunge;
# a lateral raise's a jumping jack; a press's and a curl's a pull-up; a lateral raise's a dip.
# The last two hold one rep each, named once the stream has ended; in the second, a slow
# squat whose hidden knee let a calf raise's counter count its shin tipping forward.
@pytest.mark.parametrize(
    ("video", "named"),
    [("pushup_tayyab", "pushup"), ("deadlift_catalina", "deadlift"),
     ("lateral_raise_noor", "lateral_raise"), ("plank_akshathak", "plank"),
     ("squat_joe1", "squat"), ("deadlift_kantesh", "deadlift"), ("lunge_vengaza", "lunge"),
     ("jumping_jack_venkat", "jumping_jack"), ("pullup_rohith", "pullup"),
     ("dip_prakhar", "dip"), ("shoulder_press_sumukh", "shoulder_press"),
     ("shoulder_press_pratham_1", "shoulder_press"), ("pullup_divy_b", "pullup"),
     ("burpee_hanshitha", "burpee"), ("walking_silhouette", None),
     ("curl_suyog", "curl"), ("squat_dillonS", "squat")],
)  # fmt: skip
def test_a_video_is_named(shared, candidates, video, named):
    found = recognize(replay(load_landmarks(shared / "reference" / f"{video}.npz")), candidates)
    assert found.exercise == named


def _recognizing_count(exercise: str, angles: dict[str, np.ndarray]) -> int:
    """Reps the exercise's recognising counter counts on these streams (both sides alike)."""
    counter = RepCounter(specs.load(exercise).recognizing())
    n = len(next(iter(angles.values())))
    for i in range(n):
        s = {"vis.left": 0.9, "vis.right": 0.9, "view": 0.0}
        for name, x in angles.items():
            s[f"{name}.left"] = s[f"{name}.right"] = s[name] = float(x[i])
        counter.update(i / RATE, s)
    counter.finish(n / RATE)
    return counter.count


@pytest.mark.parametrize(("rise", "counted"), [(0.05, 0), (0.8, 4)])
def test_a_pullup_is_the_body_rising_a_press_from_the_front_is_not(rise, counted):
    # The same arms, elbows above the shoulders and back down four times; in a pull-up the
    # shoulders rise most of a trunk's length with them, in a press they stay put.
    arms = cycles(4, 150, 50, period=2.0)
    moving = (150 - arms) / 100  # 0 at the hang, 1 at the top
    streams = {"upper_arm": arms, "forearm": np.full_like(arms, 170.0),
               "elbow": 170 - 90 * moving, "trunk": np.full_like(arms, 10.0),
               "rise": 2.0 + rise * moving}  # fmt: skip
    assert _recognizing_count("pullup", streams) == counted


@pytest.mark.parametrize(("deepest_trunk", "counted"), [(80.0, 3), (105.0, 0)])
def test_a_deadlift_keeps_the_shoulders_above_the_hips_a_burpee_does_not(deepest_trunk, counted):
    hip = cycles(3, 170, 70, period=3.0)
    down = (170 - hip) / 100
    still = np.full_like(hip, 5.0)  # forearms hanging, thighs side by side
    streams = {"hip": hip, "trunk": 5 + (deepest_trunk - 5) * down, "forearm": still,
               "thigh_split": still}  # fmt: skip
    assert _recognizing_count("deadlift", streams) == counted


def test_a_set_is_named_live_once_it_has_repeated(shared, candidates):
    stream = list(replay(load_landmarks(shared / "reference" / "jumping_jack_ahmedlila.npz")))
    recognizer = Recognizer(candidates)
    named = next(n for t, pose in stream if (n := recognizer.update(t, pose)) is not None)
    assert named.exercise == "jumping_jack"
    assert named.at is not None and named.at < stream[-1][0] / 2  # 12 jacks: named early
    assert named.count is not None and DECIDE_REPS - 1 <= named.count < 12
    assert recognizer.poses[0][0] == stream[0][0]  # kept: the set counts from its first rep


def rep(start: float, end: float) -> Rep:
    return Rep(1, "left", start, end, (start + end) / 2, 90.0, 170.0)


def test_reps_alike_in_length_make_a_set_and_a_stray_one_does_not():
    assert alike([rep(0, 2), rep(3, 5.5), rep(6, 7.8)]) == 3
    assert alike([rep(0, 8.2), rep(9, 9.6)]) == 1  # an arm swung once while walking
    assert alike([]) == 0


def test_a_lone_rep_is_named_once_the_stream_has_ended_and_only_as_all_it_held(shared, candidates):
    recognizer = Recognizer(candidates)
    for t, pose in replay(load_landmarks(shared / "reference" / "curl_suyog.npz")):
        assert recognizer.update(t, pose) is None  # one rep: nothing repeats while it goes on
    assert recognizer.finish(whole=False) is None  # after a set: a stray movement at its end
    found = recognizer.finish()
    assert found is not None and found.exercise == "curl" and found.count == 1


def test_a_lone_rep_is_one_deliberate_rep_only_one_exercise_counted():
    def curl(period: float) -> RepCounter:
        return feed("curl", cycles(1, 160, 40, period=period))[0]

    slow = curl(3.0)
    assert lone([slow]) is slow
    assert curl(0.8).count == 1 and lone([curl(0.8)]) is None  # a swing: as quick as it counts
    assert lone([curl(3.0), curl(0.8)]) is not None  # another's quick swing does not matter
    squat = feed("squat", cycles(1, 170, 80, period=3.0))[0]
    assert squat.count == 1 and lone([slow, squat]) is None  # two exercises: which one?
    assert lone([feed("curl", cycles(2, 160, 40, period=3.0))[0]]) is None  # two: a set's


# The stretches of the labelled videos outside their reps (getting into position before the
# first, walking off after the last): recordings of nothing much, like the negatives. What is
# named there takes a stray movement for a lone rep: a landmine bar put down read as a
# push-up, the camera moved at the end as a jumping jack. Strict: a stretch no longer named (or
# named otherwise) fails the test, so that the list only shrinks.
NAMED_AT_THE_EDGES = {("squat_joe1", "after"): "pushup", ("squat_dillon0", "after"): "jumping_jack"}


def _edges(poses: list, exercise: str) -> dict[str, list]:
    """The stretches before the first rep and after the last that the exercise's own counter
    counts (half a second away from them, at least a second long), each from time 0."""
    counter = make(specs.load(exercise))
    for t, pose in poses:
        counter.update(t, sample(pose, counter.spec))
    counter.finish(poses[-1][0])
    if not counter.reps:
        return {}
    first, last = counter.reps[0].start - 0.5, counter.reps[-1].end + 0.5
    stretches = {"before": [(t, p) for t, p in poses if t < first],
                 "after": [(t - last, p) for t, p in poses if t > last]}  # fmt: skip
    return {k: v for k, v in stretches.items() if v and v[-1][0] - v[0][0] >= 1.0}


def test_the_stretches_outside_the_labelled_reps_are_named_nothing(shared, candidates):
    named = {}
    for label in load_labels(shared / "labels.toml"):
        if not label.reps:
            continue
        poses = list(replay(load_landmarks(shared / "reference" / f"{label.file.stem}.npz")))
        for where, stretch in _edges(poses, label.exercise).items():
            if (found := recognize(stretch, candidates).exercise) is not None:
                named[(label.file.stem, where)] = found
    assert named == NAMED_AT_THE_EDGES


def test_nothing_is_named_when_nobody_is_there(candidates):
    found = recognize(((i / 30, None) for i in range(300)), candidates)
    assert found.exercise is None and found.counter is None and found.count is None


def test_eval_auto_reports_what_it_named_and_a_confusion_table(shared):
    run = subprocess.run(
        [sys.executable, "-m", "reptrack", "eval", str(shared / "labels.toml"), "--reference",
         str(shared / "reference"), "--auto", "--json", "--only", "plank", "--only", "dip"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    report = json.loads(run.stdout)
    rows = {v["file"]: v for v in report["videos"]}
    assert all("recognized" in v for v in rows.values())
    assert rows["plank_warteg_b.mp4"]["recognized"] == "plank"
    summary = report["summary"]
    named = {truth: sum(row.values()) for truth, row in summary["confusion"].items()}
    assert named == {"plank": 4, "dip": 2}
    assert summary["named_right"] == sum(v["recognized"] == v["exercise"] for v in rows.values())
