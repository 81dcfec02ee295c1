"""Recognising the exercise: what carries each exercise, what tells the look-alikes apart,
what is named on real videos (live: before the set ends), and the `eval --auto` report."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from reptrack.exercise import spec as specs
from reptrack.exercise.events import Rep
from reptrack.exercise.recognition import DECIDE_REPS, Recognizer, alike, carried_by, recognize
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
@pytest.mark.parametrize(
    ("video", "named"),
    [("pushup_tayyab", "pushup"), ("deadlift_catalina", "deadlift"),
     ("lateral_raise_noor", "lateral_raise"), ("plank_akshathak", "plank"),
     ("squat_joe1", "squat"), ("deadlift_kantesh", "deadlift"), ("lunge_vengaza", "lunge"),
     ("jumping_jack_venkat", "jumping_jack"), ("pullup_rohith", "pullup"),
     ("dip_prakhar", "dip"), ("shoulder_press_sumukh", "shoulder_press"),
     ("walking_silhouette", None)],
)  # fmt: skip
def test_a_video_is_named(shared, candidates, video, named):
    found = recognize(replay(load_landmarks(shared / "reference" / f"{video}.npz")), candidates)
    assert found.exercise == named


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
    assert named == {"plank": 3, "dip": 2}
    assert summary["named_right"] == sum(v["recognized"] == v["exercise"] for v in rows.values())
