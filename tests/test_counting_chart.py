"""The picture of one stream's counting: what it shows, and `reptrack eval --chart`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import cv2
import numpy as np

from conftest import ROOT
from fakes import LYING, RATE, cycles
from reptrack.evaluation.counting_chart import COUNTED_BY, LEFT, RIGHT, WIDTH, CountingTrace, draw
from reptrack.exercise import spec as specs
from reptrack.exercise.rep_counter import RepCounter


def _counted_from_the_feet() -> tuple[np.ndarray, RepCounter]:
    spec = specs.load("situp")
    counter = RepCounter(spec)
    trace = CountingTrace("from the feet", "hip")
    angle = cycles(6, 160, 120)
    t = 0.0
    for i, a in enumerate(angle):
        t = i / RATE
        s = {"hip.left": a, "hip.right": np.nan, "trunk.left": LYING["trunk"],
             "vis.left": 0.9, "vis.right": 0.9, "view": 80.0}  # fmt: skip
        counter.update(t, s)
        trace.add(t, s)
    counter.finish(t)
    assert spec.counter is not None
    return draw(trace, spec.counter, counter.fits, counter.reps), counter


def test_the_chart_colours_each_rep_by_how_it_was_counted():
    image, counter = _counted_from_the_feet()
    assert image.shape == (420, 1200, 3)
    t_end = 1.0 * 2 + 6 * 2.0
    for rep in counter.reps:
        middle = (rep.start + rep.end) / 2
        column = round(LEFT + middle / t_end * (WIDTH - LEFT - RIGHT))
        # the band's colour, sampled near the top of the plot where no curve passes
        b, g, r = (int(v) for v in image[60, column])
        want = np.array(COUNTED_BY[rep.counted_by], float)
        expected = 0.25 * want + 0.75 * 255
        assert np.abs(np.array([b, g, r]) - expected).max() <= 25, (rep.counted_by, b, g, r)
    assert {r.counted_by for r in counter.reps} == {"recovered", "adapted"}


def test_a_rep_counted_by_the_sets_rhythm_has_a_colour_of_its_own():
    spec = specs.load("squat")
    counter = RepCounter(spec, adapt=False)
    trace = CountingTrace("a shallow fifth", "knee")
    reps = [cycles(1, 172, far, period=2.5, pause=0) for far in (90, 90, 90, 90, 118, 90)]
    angle = np.concatenate([np.full(30, 172.0), *reps, np.full(30, 172.0)])
    for i, a in enumerate(angle):
        s = {"knee.left": a, "knee.right": a, "trunk.left": 8.0, "trunk.right": 8.0,
             "vis.left": 0.9, "vis.right": 0.9, "view": 80.0}  # fmt: skip
        counter.update(i / RATE, s)
        trace.add(i / RATE, s)
    counter.finish(len(angle) / RATE)
    image = draw(trace, spec.counter, counter.fits, counter.reps)
    fifth = counter.reps[4]
    assert fifth.counted_by == "periodic"
    middle = (fifth.start + fifth.end) / 2
    column = round(LEFT + middle / ((len(angle) - 1) / RATE) * (WIDTH - LEFT - RIGHT))
    expected = 0.25 * np.array(COUNTED_BY["periodic"], float) + 0.75 * 255
    assert np.abs(image[60, column].astype(float) - expected).max() <= 25


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reptrack", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip


def test_eval_writes_a_chart_per_video(shared, tmp_path):
    labels = tmp_path / "labels.toml"
    labels.write_text(
        f'[[video]]\nfile = "{shared}/videos/situp_junghoon3.mp4"\nexercise = "situp"\nreps = 5\n',
        encoding="utf-8",
    )
    charts = tmp_path / "charts"
    charts.mkdir()
    run = _cli("eval", str(labels), "--reference", str(shared / "reference"), "--json",
               "--chart", str(charts))  # fmt: skip
    assert run.returncode == 0, run.stderr
    video = json.loads(run.stdout)["videos"][0]
    assert video["predicted"] == 5 and video["counted_by"].get("recovered", 0) >= 1
    image = cv2.imread(str(charts / "situp_junghoon3.counting.png"))
    assert image is not None and image.shape[1] == WIDTH
    assert [p.name for p in charts.iterdir()] == ["situp_junghoon3.counting.png"]


def test_eval_chart_needs_an_existing_folder(tmp_path):
    run = _cli("eval", str(tmp_path / "labels.toml"), "--chart", str(tmp_path / "nowhere"))
    assert run.returncode != 0
    assert "not a folder" in run.stderr and "Traceback" not in run.stderr
