"""Learning an exercise from a demonstration and calibrating a shipped one: the analysis on
synthetic angle streams, the files written, and the commands on real videos and landmarks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, require
from reptrack.exercise import spec as specs
from reptrack.exercise.cycles import Cycle, find_cycles, rests_high
from reptrack.exercise.fitting import calibration, thresholds
from reptrack.teach import analysis as learning
from reptrack.teach import user_files as authoring
from reptrack.teach.analysis import NoRepetition, choose, trace

RATE = 30.0


def squats(
    reps: int = 5,
    period: float = 2.5,
    top: float = 170.0,
    bottom: float = 70.0,
    pause: float = 1.0,
    phase: float = 0.0,
    noise: float = 0.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """A knee angle: standing (`top`) for `pause` s, then `reps` dips to `bottom`, then
    standing again; `phase` delays the dips (seconds)."""
    t = np.arange(0, pause * 2 + phase + reps * period, 1 / RATE)
    moving = (t >= pause + phase) & (t < pause + phase + reps * period)
    depth = np.where(moving, (1 - np.cos(2 * np.pi * (t - pause - phase) / period)) / 2, 0.0)
    x = top - (top - bottom) * depth
    rng = np.random.default_rng(seed)
    return t, x + rng.normal(0, noise, len(t))


def walk(seconds: float = 15.0, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """No repetition: a knee that jumps about at random, three times a second."""
    rng = np.random.default_rng(seed)
    t = np.arange(0, seconds, 1 / RATE)
    steps = np.repeat(rng.uniform(90, 175, int(seconds * 3) + 1), 10)[: len(t)]
    return t, steps + rng.normal(0, 4, len(t))


def traces_of(streams: dict[str, tuple[np.ndarray, np.ndarray]]) -> list[learning.Trace]:
    return [trace(name, t, x) for name, (t, x) in streams.items()]


# -- the analysis ------------------------------------------------------------------------------
def test_a_sine_of_squats_gives_its_cycles_depth_and_rest_level():
    _, x = squats(reps=5)
    assert rests_high(x)
    cycles = find_cycles(x, decrease=True)
    assert len(cycles) == 5
    assert all(abs(c.rest - 170) < 1 and abs(c.far - 70) < 1 for c in cycles)
    # from leaving 30 % of the range to coming back within it: 63 % of a cosine period
    assert all(abs(c.seconds - 0.63 * 2.5) < 0.1 for c in cycles)


def test_the_rest_level_is_where_the_set_starts_even_when_the_turn_is_held():
    _, x = squats(reps=4, top=40, bottom=150)  # a lateral raise: rests low, rises
    assert not rests_high(x)
    _, x = squats(reps=4, pause=1.0)
    held = np.where((x < 80), 70.0, x)  # a curl held at the top: long dwell at the far end
    held = np.concatenate([held, np.full(60, 70.0)])  # and the video ends inside a rep
    assert rests_high(held)


def test_a_side_hidden_as_the_set_began_does_not_say_where_it_rests():
    # A glute bridge rests low and rises; the far hip is first seen half-way up the first rep.
    _, x = squats(reps=4, top=40, bottom=150, pause=0.2)
    hidden = x.copy()
    hidden[:9] = np.nan  # 0.3 s
    hidden[9:30] = np.maximum(hidden[9:30], 140.0)  # first seen near the top
    assert not rests_high(hidden)


def test_noise_of_a_few_degrees_does_not_change_the_count():
    for seed in range(5):
        t, x = squats(reps=6, noise=4.0, seed=seed)
        tr = trace("knee_view.left", t, x)
        assert len(tr.cycles) == 6 and tr.qualifies, seed


def test_the_chosen_angle_is_the_one_that_repeats_with_the_largest_range():
    streams = {
        "knee_view.left": squats(bottom=70),
        "knee_view.right": squats(bottom=75),
        "elbow_view.left": squats(top=160, bottom=140),  # arms barely move
        "hip_view.left": walk(),
    }
    found = choose(traces_of(streams))
    assert found.candidate.name == "knee" and found.space == "view"
    assert found.mode == "both together" and found.sides == "both"
    assert found.decrease


def test_sides_that_take_turns_are_alternating_and_one_side_is_one_side():
    left, right = squats(reps=4, period=3.0), squats(reps=4, period=3.0, phase=1.5)
    found = choose(traces_of({"elbow_view.left": left, "elbow_view.right": right}))
    assert found.mode == "alternating"
    found = choose(traces_of({"elbow_view.right": right, "elbow_view.left": walk()}))
    assert (found.mode, found.sides) == ("one side", "right")


def test_legs_that_bend_carry_the_rep_even_when_the_arms_swing_more():
    streams = {"shoulder_view.left": squats(top=20, bottom=160), "knee_view.left": squats()}
    assert choose(traces_of(streams)).candidate.name == "knee"
    # ... but arms that move while the legs stay still are the exercise
    streams["knee_view.left"] = squats(top=175, bottom=165)
    assert choose(traces_of(streams)).candidate.name == "shoulder"


def test_a_joint_is_chosen_over_a_segment_that_it_swings():
    streams = {"forearm_image.left": squats(top=180, bottom=20), "elbow_image.left": squats()}
    assert choose(traces_of(streams)).candidate.name == "elbow"


@pytest.mark.parametrize(
    ("streams", "why"),
    [
        ({"knee_view.left": walk(), "hip_view.left": walk(seed=2)}, "too irregular"),
        ({"knee_view.left": squats(top=170, bottom=145)}, "too small"),
        ({"knee_view.left": squats(reps=1)}, "nothing repeats"),
    ],
)
def test_no_repetition_is_refused_saying_why(streams, why):
    with pytest.raises(NoRepetition, match=why):
        choose(traces_of(streams))


def test_told_the_number_of_reps_it_prefers_the_angle_with_that_many():
    streams = {"knee_view.left": squats(reps=5), "elbow_view.left": squats(reps=3, bottom=40)}
    assert choose(traces_of(streams)).candidate.name == "knee"
    assert choose(traces_of(streams), reps=3).candidate.name == "elbow"


def test_thresholds_are_shares_of_the_range_and_count_the_least_deep_rep():
    cycles = [Cycle(0, 1, 2, 170, far) for far in (70, 75, 80, 110)]
    th = thresholds(cycles, decrease=True)
    assert th.direction == "decrease" and th.start > th.turn
    assert th.start == pytest.approx(170 - 0.3 * (170 - 77.5), abs=1)
    assert th.turn >= 110 + 0  # the 110° rep still passes the turn ...
    assert th.turn - th.hysteresis >= 110 - 1e-9 or th.turn > 110
    assert th.hysteresis < th.start - th.turn
    # ... and an increasing movement mirrors it
    up = thresholds([Cycle(0, 1, 2, 20, far) for far in (120, 125, 130)], decrease=False)
    assert up.direction == "increase" and 20 < up.start < up.turn < 120


def test_calibration_moves_only_what_must_move():
    squat = specs.load_file(ROOT / "exercises" / "squat.toml")
    shallow = [Cycle(0, 1, 2, 170, far) for far in (128, 130, 133, 131)]
    cal = calibration(squat.counter, shallow, "knee")
    assert squat.counter.past_turn(cal.far) is False
    assert cal.changes["turn"] > 133 and set(cal.changes) >= {"turn", "min_range"}
    deep = [Cycle(0, 1, 2, 172, far) for far in (70, 75, 68)]
    assert calibration(squat.counter, deep, "knee").changes == {}
    with pytest.raises(NoRepetition, match="too little"):
        calibration(squat.counter, [Cycle(0, 1, 2, 170, 165)] * 3, "knee")


# -- the files ---------------------------------------------------------------------------------
def test_a_learned_file_is_commented_valid_and_counts_its_own_stream():
    streams = {"knee_view.left": squats(reps=4), "knee_view.right": squats(reps=4)}
    found = choose(traces_of(streams))
    th = thresholds(found.cycles, found.decrease)
    text = authoring.learned("calf_raise", found, th, "demo.mp4", 4, trunk_below=50)
    spec = specs.parse(text, "calf_raise.toml")
    assert spec.counter.angle == "knee" and spec.counter.start == th.start
    assert spec.requires[0].angle == "trunk" and spec.requires[0].below == 50
    assert "# Learned by `reptrack exercises learn` from demo.mp4" in text
    assert "start = " in text and "# back at rest" in text


def test_a_calibrated_file_keeps_the_shipped_rules_and_comments():
    shipped = specs.load_file(ROOT / "exercises" / "squat.toml")
    text = authoring.calibrated(shipped, {"turn": 125.0, "min_rep_seconds": 0.3}, ["why"])
    mine = specs.parse(text, "squat.toml")
    assert mine.rules == shipped.rules and mine.requires == shipped.requires
    assert mine.recognize == shipped.recognize != ()  # recognised as the shipped squat is
    assert mine.counter.turn == 125 and mine.counter.start == shipped.counter.start
    assert "turn = 125  # calibrated (shipped: 110)" in text
    assert "# standing: knee at least this open" in text  # the shipped comments stay
    assert authoring.differences(shipped, mine) == [
        "counter.turn: 110 → 125",
        "counter.min_rep_seconds: 0.6 → 0.3",
    ]
    # A copy calibrated before the shipped file said how a squat is recognised says so.
    older = specs.parse(text.split("# Recognising a squat")[0] + "\n", "squat.toml")
    assert "recognition conditions ([[recognize]]): changed" in authoring.differences(
        shipped, older
    )


@pytest.mark.parametrize("name", ["", "Squat", "../x", "a b", "x" * 41])
def test_a_name_that_cannot_be_a_file_is_refused(name):
    with pytest.raises(learning.ReptrackError):
        authoring.check_name(name)


# -- the commands on real data ----------------------------------------------------------------
def cli(*args: str, config: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "REPTRACK_CONFIG_DIR": str(config)}
    return subprocess.run(
        [sys.executable, "-m", "reptrack", *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )  # fmt: skip


def test_learned_from_one_squat_video_it_counts_the_others(shared, tmp_path):
    reference = shared / "reference"
    done = cli("exercises", "learn", str(reference / "squat_luiz2.npz"), "--name", "my_squat",
               config=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "found 6 reps" in done.stdout and "with the new definition: 6" in done.stdout
    written = tmp_path / "exercises" / "my_squat.toml"
    assert cli("exercises", "check", str(written), config=tmp_path).returncode == 0
    labels = tmp_path / "labels.toml"
    labels.write_text((shared / "labels.toml").read_text(encoding="utf-8").replace(
        'file = "videos/', f'file = "{shared}/videos/'), encoding="utf-8")  # fmt: skip
    scored = cli("eval", str(labels), "--reference", str(reference), "--only", "squat",
                 "--use", "squat=my_squat", "--json", config=tmp_path)  # fmt: skip
    import json

    summary = json.loads(scored.stdout)["summary"]
    assert summary["videos"] == 10 and summary["within_one"] >= 9, summary


def test_learning_from_a_walk_refuses_and_writes_nothing(shared, tmp_path):
    done = cli("exercises", "learn", str(shared / "reference" / "walking_silhouette.npz"),
               "--name", "walk", config=tmp_path)  # fmt: skip
    assert done.returncode == 1
    assert "no repetition to learn from" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "exercises").exists()


def test_learn_will_not_hide_a_shipped_exercise_or_replace_yours(tmp_path):
    done = cli("exercises", "learn", "nothing.mp4", "--name", "squat", config=tmp_path)
    assert done.returncode == 1 and "shipped exercise" in done.stderr
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "mine.toml").write_text("# mine\n")
    done = cli("exercises", "learn", "nothing.mp4", "--name", "mine", config=tmp_path)
    assert done.returncode == 1 and "already have" in done.stderr
    assert (tmp_path / "exercises" / "mine.toml").read_text() == "# mine\n"


def test_calibrating_a_shallow_squatter_moves_the_turn_and_keeps_the_rules(shared, tmp_path):
    quarter = shared / "reference" / "squat_dillonQ.npz"  # quarter squats under a bar
    done = cli("calibrate", "squat", "--source", str(quarter), config=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "the shipped squat counts 0" in done.stdout
    after = int(done.stdout.split("with them it counts ")[1].split(";")[0])
    assert after >= 3
    mine = specs.load_file(tmp_path / "exercises" / "squat.toml")
    shipped = specs.load_file(ROOT / "exercises" / "squat.toml")
    assert mine.counter.turn > shipped.counter.turn
    assert mine.rules == shipped.rules and mine.requires == shipped.requires
    assert any(r.name == "not_deep_enough" for r in mine.rules)  # they still hear "go deeper"
    shown = cli("exercises", "show", "squat", config=tmp_path)
    assert f"# in force: {tmp_path / 'exercises' / 'squat.toml'}" in shown.stdout
    assert "counter.turn: 110 → " in shown.stdout
    # a person whose reps already count changes nothing
    again = cli("calibrate", "squat", "--source", str(shared / "reference" / "squat_tommy.npz"),
                "--force", config=tmp_path / "other")  # fmt: skip
    assert again.returncode == 0 and "nothing to change" in again.stdout
    assert not (tmp_path / "other" / "exercises" / "squat.toml").exists()


def test_calibrate_is_for_shipped_exercises(tmp_path):
    done = cli("calibrate", "no_such_thing", "--source", "x.npz", config=tmp_path)
    assert done.returncode == 1 and "unknown exercise" in done.stderr


def test_learn_and_calibrate_never_write_over_the_shipped_file_or_onto_a_folder(tmp_path):
    shipped = ROOT / "exercises" / "squat.toml"
    before = shipped.read_bytes()
    done = cli("calibrate", "squat", "--source", "x.npz", "--force", config=ROOT)
    assert done.returncode == 1 and "the shipped file itself" in done.stderr
    done = cli("exercises", "learn", "x.npz", "--name", "squat", "--force", config=ROOT)
    assert done.returncode == 1 and "the shipped file itself" in done.stderr
    assert shipped.read_bytes() == before
    (tmp_path / "exercises" / "squat.toml").mkdir(parents=True)
    done = cli("calibrate", "squat", "--source", "x.npz", config=tmp_path)
    assert done.returncode == 1 and "a folder" in done.stderr and "Traceback" not in done.stderr


def test_learn_from_a_video_file_in_a_real_terminal(shared, blazepose_models, tmp_path):
    require(shutil.which("tmux") is not None, "tmux is not installed (Debian package tmux)")
    video = shared / "videos" / "squat_tommy.mp4"
    session = f"reptrack-learn-{os.getpid()}"
    reptrack = Path(sys.executable).with_name("reptrack")
    command = (f"REPTRACK_CONFIG_DIR={tmp_path} {reptrack} exercises learn {video} "
               "--name my_squat --reps 3; echo EXIT=$?; sleep 60")  # fmt: skip
    tmux = ["tmux", "-L", session]
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", session, "-x", "120", "-y", "30", command],
        check=True, cwd=ROOT, env={**os.environ, "TERM": "xterm-256color"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        capture = [*tmux, "capture-pane", "-p", "-t", session]
        while "EXIT=" not in (text := subprocess.run(capture, capture_output=True).stdout.decode()):
            assert time.monotonic() < deadline, text
            time.sleep(0.5)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
    assert "EXIT=0" in text, text
    assert "found 3 reps: left knee" in text and "with the new definition: 3" in text
    spec = specs.load_file(tmp_path / "exercises" / "my_squat.toml")
    assert spec.counter.angle == "knee" and spec.counter.direction == "decrease"


@pytest.mark.parametrize(
    ("exercise", "video"), [("pullup", "pullup_rohith"), ("dip", "dip_myoxyn")]
)
def test_calibrate_works_on_the_new_rep_exercises(shared, tmp_path, exercise, video):
    done = cli("calibrate", exercise, "--source", str(shared / "reference" / f"{video}.npz"),
               config=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"the shipped {exercise} counts" in done.stdout


def test_learning_a_glute_bridge_counts_its_own_video(shared, tmp_path):
    done = cli("exercises", "learn", str(shared / "reference" / "glute_bridge_beprojects.npz"),
               "--name", "my_bridge", config=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "with the new definition: 5" in done.stdout


def test_calibrate_refuses_a_hold_before_recording(tmp_path):
    done = cli("calibrate", "plank", "--source", "never-opened.mp4", config=tmp_path)
    assert done.returncode == 1 and "plank is a timed hold" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "exercises").exists()
