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
from reptrack.counting_chart import COUNTED_BY, LEFT, RIGHT, WIDTH, CountingTrace, draw
from reptrack.exercise import spec as specs
from reptrack.exercise.counter import RepCounter


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
