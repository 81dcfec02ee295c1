import subprocess
import sys

import pytest

from reptrack.errors import SpecError
from reptrack.exercise import spec as specs

GOOD = """
name = "mini"
[angles.knee]
points = ["hip", "knee", "ankle"]
[counter]
angle = "knee"
direction = "decrease"
start = 150
turn = 100
"""

EVERY_MISTAKE = """
name = "broken"
sidee = "left"
[angles.knee]
points = ["hip", "kne", "ankle"]
[angles.trunk]
kind = "segmant"
points = ["shoulder"]
[counter]
angle = "knees"
direction = "decrease"
start = "high"
turn = 160
[[rules]]
name = "depth"
angle = "knee"
measure = "average"
message = "go deeper"
"""


def test_shipped_exercises_are_valid():
    names = set(specs.available())
    assert {
        "squat", "curl", "pushup", "lunge", "shoulder_press",
        "jumping_jack", "situp", "lateral_raise", "deadlift",
    } <= names  # fmt: skip
    for name in names:
        assert specs.load(name).counter.angle in specs.load(name).angles


def test_a_minimal_file_parses_with_defaults():
    s = specs.parse(GOOD, "mini.toml")
    assert s.side == "auto" and s.counter.hysteresis == 5.0 and s.rules == ()


def test_a_file_with_every_mistake_reports_them_all_with_key_and_expectation():
    with pytest.raises(SpecError) as info:
        specs.parse(EVERY_MISTAKE, "broken.toml")
    problems = "\n".join(info.value.problems)
    expected = [
        "sidee",
        "did you mean 'side'",  # unknown key + suggestion
        "angles.knee.points[1]",
        "'kne'",
        "did you mean 'knee'",  # bad keypoint
        "angles.trunk.kind",
        "segment",  # bad choice
        "counter.angle",
        "'knees'",  # reference to a missing angle
        "counter.start",
        "expected number, found 'high'",  # wrong type
        "rules[0].measure",
        "'average'",  # bad measure
        "rules[0] (line 14): needs `above` or `below`",  # missing limit, with its line
    ]
    for fragment in expected:
        assert fragment in problems, fragment
    assert "broken.toml" in str(info.value)
    assert len(info.value.problems) >= 7


def test_turn_must_lie_beyond_start():
    text = GOOD.replace("turn = 100", "turn = 170")
    with pytest.raises(SpecError, match="must be below start"):
        specs.parse(text, "x.toml")


def test_invalid_toml_is_a_spec_error_with_the_file_name():
    with pytest.raises(SpecError, match=r"(?s)bad\.toml.*not valid TOML"):
        specs.parse("name = ", "bad.toml")


def test_user_files_override_shipped_ones(tmp_home):
    folder = tmp_home / "config" / "exercises"
    folder.mkdir(parents=True)
    (folder / "squat.toml").write_text(GOOD.replace('"mini"', '"squat"'))
    assert specs.load("squat").counter.turn == 100


def test_check_command_exits_non_zero_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(EVERY_MISTAKE)
    proc = subprocess.run(
        [sys.executable, "-m", "reptrack", "exercises", "check", str(bad)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "counter.start" in proc.stderr


DIFFERENCE = (
    GOOD
    + """
[angles.hip]
points = ["shoulder", "hip", "knee"]
[angles.knee_lead]
kind = "difference"
of = ["knee", "hip"]
"""
)


def test_a_difference_of_two_angles_is_measured_per_side():
    import math

    from fakes import stick_figure
    from reptrack.exercise.measure import sample

    spec = specs.parse(DIFFERENCE, "lead.toml")
    s = sample(stick_figure(100.0), spec)
    assert math.isclose(s["knee_lead.left"], s["knee.left"] - s["hip.left"])
    assert not math.isnan(s["knee_lead.left"])
    assert math.isnan(s["knee_lead.right"])  # the figure's right side is barely visible


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('kind = "difference"\nof = ["knee", "hips"]', "no angle named 'hips'"),
        ('kind = "difference"\nof = ["knee"]', "expected two angle names"),
        ('kind = "difference"\npoints = ["hip", "knee"]\nof = ["knee", "knee"]', "has no points"),
        ('points = ["hip", "knee", "ankle"]\nof = ["knee", "knee"]', "only a difference"),
        ('kind = "difference"', "angles.lead.of"),
    ],
)
def test_a_bad_difference_says_what_is_wrong(body, problem):
    with pytest.raises(SpecError) as info:
        specs.parse(GOOD + f"[angles.lead]\n{body}\n", "bad.toml")
    assert problem in "\n".join(info.value.problems)
