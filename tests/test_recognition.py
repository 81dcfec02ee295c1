"""Recognising the exercise (a first version, measured by `eval --auto`): what carries each
exercise, what is named on real videos, and the report."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from reptrack.exercise import spec as specs
from reptrack.exercise.recognition import carried_by, recognize
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


@pytest.mark.parametrize(
    ("video", "named", "count"),
    [("pushup_tayyab", "pushup", 4), ("deadlift_catalina", "deadlift", 3),
     ("lateral_raise_noor", "lateral_raise", 4), ("plank_akshathak", "plank", 33.0)],
)  # fmt: skip
def test_a_video_is_named_and_counted(shared, candidates, video, named, count):
    found = recognize(replay(load_landmarks(shared / "reference" / f"{video}.npz")), candidates)
    assert found.exercise == named
    assert found.count == pytest.approx(count, abs=0.5)
    assert found.counts[named] == found.count


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
