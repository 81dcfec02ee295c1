import math
import subprocess
import sys

import numpy as np
import pytest

from reptrack.errors import SpecError
from reptrack.exercise import spec as specs
from reptrack.pose.types import INDEX

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
        "pullup", "dip", "glute_bridge", "calf_raise", "burpee",
        "plank", "side_plank", "wall_sit",
    } <= names  # fmt: skip
    for name in names:
        spec = specs.load(name)
        assert spec.shown_angle in spec.angles
        assert spec.is_hold == (name in ("plank", "side_plank", "wall_sit"))
        assert (spec.counter is None) == spec.is_hold
        assert all(c.angle in spec.angles for c in spec.position)


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


def test_an_opposite_is_the_angle_on_the_other_side():
    """A lunge's back knee: the knee angle of the side not being counted."""
    from fakes import stick_figure
    from reptrack.exercise.measure import sample

    spec = specs.parse(GOOD + '[angles.other_knee]\nkind = "opposite"\nof = ["knee"]\n', "o.toml")
    s = sample(stick_figure(100.0), spec)
    assert s["other_knee.right"] == s["knee.left"] == pytest.approx(100.0, abs=1)
    assert math.isnan(s["other_knee.left"]) and math.isnan(s["knee.right"])


def test_a_point_of_the_other_side_is_named_other_():
    """A front raise's upper arm against the shoulder line: the other shoulder is a point."""
    from reptrack.exercise.measure import landmark, landmarks_of

    spec = specs.load("front_raise")
    assert landmark("other_shoulder", "left") == "right_shoulder"
    assert landmark("other_shoulder", "right") == "left_shoulder"
    assert landmarks_of(spec, spec.angles["arm_out"], "left") == {
        "left_elbow", "left_shoulder", "right_shoulder"
    }  # fmt: skip
    with pytest.raises(SpecError, match="unknown keypoint 'other_shoulders'"):
        specs.parse(GOOD + '[angles.x]\npoints = ["elbow", "shoulder", "other_shoulders"]\n', "x")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('kind = "difference"\nof = ["knee", "hips"]', "no angle named 'hips'"),
        ('kind = "difference"\nof = ["knee"]', "expected two angles by name"),
        ('kind = "difference"\npoints = ["hip", "knee"]\nof = ["knee", "knee"]', "has no points"),
        ('points = ["hip", "knee", "ankle"]\nof = ["knee", "knee"]', "only a difference"),
        ('kind = "difference"', "angles.lead.of"),
        ('kind = "opposite"\nof = ["knee", "knee"]', "expected one angle by name"),
        ('kind = "opposite"\nof = ["knees"]', "no angle named 'knees'"),
        ('kind = "opposite"\npoints = ["hip", "knee", "ankle"]\nof = ["knee"]', "has no points"),
    ],
)
def test_a_bad_difference_says_what_is_wrong(body, problem):
    with pytest.raises(SpecError) as info:
        specs.parse(GOOD + f"[angles.lead]\n{body}\n", "bad.toml")
    assert problem in "\n".join(info.value.problems)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("start = nan", "counter.start (line 6): expected a finite number"),
        ("start = inf", "expected a finite number"),
        ("start = 1e308", "expected -360 to 360"),
        ("hysteresis = -5", "counter.hysteresis (line 6): expected 0 to 90"),
        ("hysteresis = 60", "no phase could change"),
        ("min_rep_seconds = -1", "counter.min_rep_seconds"),
        ("max_gap = -0.5", "counter.max_gap"),
        ("max_rep_seconds = 0.2\nmin_rep_seconds = 0.5", "must be above min_rep_seconds"),
        ("filter_seconds = 0", None),
        ("filter_seconds = 1e9", "counter.filter_seconds"),
    ],
)
def test_numbers_that_cannot_work_are_refused(change, problem):
    key = change.split(" ")[0]
    lines = [line for line in GOOD.splitlines() if not line.startswith(key)]
    text = "\n".join(lines).replace("[counter]", "[counter]\n" + change)
    if problem is None:
        specs.parse(text, "mini.toml")
        return
    with pytest.raises(SpecError) as info:
        specs.parse(text, "mini.toml")
    assert problem in "\n".join(info.value.problems)


RULES = GOOD + "".join(
    f'\n[[rules]]\nname = "r{i}"\nangle = "knee"\nmeasure = "min"\nabove = 90\nmessage = "m"\n'
    for i in range(3)
)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (RULES.replace('name = "r2"\nangle = "knee"', 'name = "r2"\nangle = "kneee"'),
         "rules[2].angle (line 27): no angle named 'kneee'"),
        (RULES.replace('name = "r1"\nangle = "knee"\nmeasure = "min"\nabove = 90',
                       'name = "r1"\nangle = "knee"\nmeasure = "min"\nabove = 10\nbelow = 100'),
         "rules[1].above (line 22): every value is above 10 or below 100: this always fires"),
        (GOOD.replace('points = ["hip", "knee", "ankle"]', "").replace("[angles.knee]", "[angles]"),
         "counter.angle (line 6): no angle named 'knee': [angles] defines none"),
        ('title = 5\n' + GOOD, "title (line 1): expected str"),
        (GOOD.replace('name = "mini"', 'name = ""'), "name (line 2): must not be empty"),
        ("a = " + "[" * 5000 + "]" * 5000, "nested too deeply"),
    ],
)  # fmt: skip
def test_mistakes_are_reported_at_their_own_line(text, problem):
    with pytest.raises(SpecError) as info:
        specs.parse(text, "x.toml")
    assert problem in "\n".join(info.value.problems)


def test_a_byte_order_mark_is_accepted():
    assert specs.parse("\ufeff" + GOOD, "bom.toml").name == "mini"


@pytest.mark.parametrize(
    "unit",
    [
        "\n[angles.a{i}]\npoints = []\nkindd = 1",  # unknown keys
        '\n[angles.a{i}]\npoints = ["hipp", "kneee", "ankel"]',  # unknown keypoints
        '\n[angles.d{i}]\nkind = "difference"\nof = ["kne", "hipp"]',  # unknown angles
        '\n[angles.b{i}]\nkind = "jointt"\npoints = ["hip", "knee", "ankle"]',  # bad choices
    ],
)
def test_thousands_of_mistakes_are_reported_briefly_and_only_the_shown_ones_get_hints(
    unit, monkeypatch
):
    """Finding "did you mean …?" is the costly part of a problem (it made a file of many
    thousand bad keys take seconds): only the problems shown get one; the rest are counted."""
    import difflib

    from reptrack.exercise.checker import MAX_PROBLEMS

    calls = []
    close = difflib.get_close_matches
    monkeypatch.setattr(
        difflib, "get_close_matches", lambda *a, **k: calls.append(1) or close(*a, **k)
    )
    text = GOOD + "".join(unit.format(i=i) for i in range(3000))
    with pytest.raises(SpecError) as info:
        specs.parse(text, "big.toml")
    assert len(info.value.problems) == MAX_PROBLEMS + 1
    assert info.value.problems[-1].startswith("… and ")
    assert int(info.value.problems[-1].split()[2]) >= 3000 - MAX_PROBLEMS
    assert len(calls) <= MAX_PROBLEMS


def test_a_file_too_big_to_be_an_exercise_is_refused_without_being_read(tmp_path):
    big = tmp_path / "huge.toml"
    big.write_text(GOOD + "".join(f"k{i} = {i}\n" for i in range(60_000)))
    assert big.stat().st_size > specs.MAX_FILE_BYTES
    proc = subprocess.run([sys.executable, "-m", "reptrack", "exercises", "check", str(big)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "too big for an exercise file" in proc.stderr


HOLD = """
name = "mini_hold"
[angles.knee]
points = ["hip", "knee", "ankle"]
[hold]
angle = "knee"
[[position]]
angle = "knee"
above = 70
below = 130
[[rules]]
name = "too_high"
angle = "knee"
above = 115
message = "lower"
"""


def test_a_hold_parses_with_its_position_and_defaults():
    s = specs.parse(HOLD, "mini_hold.toml")
    assert s.is_hold and s.counter is None and s.shown_angle == "knee"
    assert s.hold is not None and s.hold.enter_seconds == 1.0 and s.hold.grace_seconds == 1.0
    [position] = s.position
    assert position.met(100) and not position.met(60) and not position.met(float("nan"))
    with pytest.raises(TypeError):
        s.counting  # noqa: B018 - a hold has no rep counter


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda t: t + "[counter]\nangle = 'knee'\n", "not both"),
        (lambda t: t.replace("[[position]]\nangle = \"knee\"\nabove = 70\nbelow = 130\n", ""),
         "position: missing"),
        (lambda t: t.replace("above = 70", "above = 140"), "no angle is above 140 and below 130"),
        (lambda t: t.replace('message = "lower"', 'message = "lower"\nmeasure = "max"'),
         "moment by moment"),
        (lambda t: t + "[[requires]]\nangle = 'knee'\nabove = 3\n", "its [[position]]"),
        (lambda t: t + "[phase_labels]\nturn = 'x'\n", "phase_labels"),
        (lambda t: t.replace("[hold]", "[hold]\ngrace_seconds = -1"), "hold.grace_seconds"),
        (lambda t: t.replace('[hold]\nangle = "knee"', '[hold]\nangle = "nee"'), "no angle named"),
    ],
)  # fmt: skip
def test_a_broken_hold_says_what_is_wrong(change, problem):
    with pytest.raises(SpecError) as info:
        specs.parse(change(HOLD), "mini_hold.toml")
    assert problem in "\n".join(info.value.problems)


def test_a_position_is_only_for_a_hold():
    with pytest.raises(SpecError) as info:
        specs.parse(GOOD + "[[position]]\nangle = 'knee'\nabove = 3\n", "mini.toml")
    assert "only a timed hold" in "\n".join(info.value.problems)


RECOGNIZED = (
    GOOD
    + """
[angles.thighs]
kind = "split"
space = "world"
points = ["hip", "knee"]
[[requires]]
angle = "knee"
measure = "min"
below = 120
[[recognize]]
angle = "thighs"
measure = "max"
phase = "turn"
above = 35
[[recognize]]
angle = "knee"
measure = "range"
below = 40
unseen = "passes"
"""
)


def test_recognition_conditions_ask_for_evidence_and_count_only_when_recognising():
    import math

    spec = specs.parse(RECOGNIZED, "lunge.toml")
    assert [r.unseen for r in spec.requires] == ["passes"]
    assert [(r.angle, r.unseen) for r in spec.recognize] == [
        ("thighs", "fails"),
        ("knee", "passes"),
    ]
    assert spec.recognize[0].failed(math.nan)  # not seen: no evidence
    assert not spec.recognize[1].failed(math.nan)
    assert not spec.requires[0].failed(math.nan)
    counted = spec.recognizing()
    assert counted.requires == spec.requires + spec.recognize and counted.recognize == ()


def test_a_split_is_how_far_the_two_sides_segments_differ_from_the_vertical():
    import math

    from fakes import stick_figure
    from reptrack.exercise.measure import sample

    spec = specs.parse(RECOGNIZED, "lunge.toml")
    pose = stick_figure(100.0)
    assert math.isnan(sample(pose, spec)["thighs"])  # the right side is barely visible
    right = [i for name, i in INDEX.items() if name.startswith("right_")]
    pose.image[right, 3] = pose.world[right, 3] = 0.99
    assert sample(pose, spec)["thighs"] == pytest.approx(0.0, abs=1e-3)  # legs side by side
    pose.world[INDEX["right_knee"], 1] = pose.world[INDEX["right_hip"], 1]  # right thigh level
    split = sample(pose, spec)["thighs"]
    assert 40.0 < split < 90.0 and not math.isnan(split)


@pytest.mark.parametrize(
    ("body", "problem"),
    [('angle = "thighs"\nunseen = "maybe"', "unseen"), ('angle = "thigh"', "no angle named")],
)
def test_a_bad_recognition_condition_says_what_is_wrong(body, problem):
    text = GOOD + '[angles.thighs]\nkind = "split"\npoints = ["hip", "knee"]\n'
    with pytest.raises(SpecError) as exc:
        specs.parse(text + f'[[recognize]]\nmeasure = "max"\nabove = 1\n{body}\n', "x.toml")
    assert problem in str(exc.value)


RISING = (
    GOOD
    + """
[angles.rise]
kind = "height"
points = ["shoulder", "hip"]
[[recognize]]
angle = "rise"
measure = "range"
above = 0.35
"""
)


def test_a_height_is_how_high_a_point_is_in_trunk_lengths_and_travels_with_the_body():
    from fakes import stick_figure
    from reptrack.exercise.measure import sample

    spec = specs.parse(RISING, "rising.toml")
    pose = stick_figure(170.0)  # 240 × 240 pixels
    before = sample(pose, spec)["rise.left"]
    shoulder, hip = pose.xy("left_shoulder"), pose.xy("left_hip")
    trunk = float(np.hypot(*(shoulder - hip)))
    assert before == pytest.approx((240 - shoulder[1]) / trunk, rel=1e-5)
    pose.image[:, 1] -= 0.1  # the whole body 24 px higher in the picture
    assert sample(pose, spec)["rise.left"] - before == pytest.approx(24 / trunk, rel=1e-4)


def test_a_height_is_only_measured_in_the_picture():
    with pytest.raises(SpecError) as info:
        specs.parse(RISING.replace('kind = "height"', 'kind = "height"\nspace = "world"'), "r.toml")
    assert 'a height is measured in the picture: space = "image"' in "\n".join(info.value.problems)
