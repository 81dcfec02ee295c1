"""The pose backend registry: a backend is its module plus one entry, and the CLI, the plan
and the session log learn its options from that entry."""

from __future__ import annotations

import pytest

from fakes import Squatter
from reptrack.commands import session
from reptrack.errors import ModelError
from reptrack.pose import backends
from reptrack.pose.backends import BACKENDS, Backend, Option


def test_a_registered_backend_brings_its_options_to_the_cli_and_the_log(monkeypatch):
    built = []

    def build(options):
        built.append(dict(options))
        return Squatter()

    fake = Backend("fake", "Fake", (Option("fake_speed", "1", "how fast", choices=("1", "3")),),
                   build, logged_model="fake_speed")  # fmt: skip
    monkeypatch.setitem(BACKENDS, "fake", fake)
    args = session.build_parser().parse_args(["squat", "--backend", "fake", "--fake-speed", "3"])
    plan = session.plan(args)
    assert plan.backend == "fake" and plan.pose["fake_speed"] == "3"
    assert isinstance(backends.make_estimator(plan.backend, plan.pose), Squatter)
    assert built[0]["fake_speed"] == "3" and built[0]["model"] == "full"  # others: defaults
    assert backends.logged_model("fake", plan.pose) == "3"
    with pytest.raises(SystemExit):  # a value the backend does not take is refused by argparse
        session.build_parser().parse_args(["squat", "--fake-speed", "9"])


def test_the_shipped_backends_log_their_model_and_refuse_bad_sizes():
    assert backends.logged_model("blazepose", {"model": "lite"}) == "lite"
    assert backends.logged_model("openpose", {}) == "coco"
    with pytest.raises(ModelError, match="unknown backend"):
        backends.make_estimator("tensorflow")
    with pytest.raises(ValueError, match="16 to 4096"):
        backends.size("9x9")
    assert backends.size("320") == (320, 320)


def test_the_replay_backend_gives_back_recorded_landmarks_by_the_frame_s_time(shared, tmp_path):
    from reptrack.pose.dump import load_landmarks
    from reptrack.pose.replayed import ReplayedPose

    path = shared / "reference" / "squat_tommy.npz"
    run = load_landmarks(path)
    replayed = backends.make_estimator("replay", {"landmarks": str(path)})
    assert isinstance(replayed, ReplayedPose)
    i = int(run.present.nonzero()[0][10])
    pose = replayed.estimate(None, i / run.fps)
    assert pose is not None and (pose.image == run.image[i]).all()
    assert replayed.estimate(None, run.frames / run.fps) is None  # past the recording: nobody
    assert backends.logged_model("replay", {"landmarks": str(path)}) == str(path)
    with pytest.raises(ModelError, match="needs the landmarks"):
        backends.make_estimator("replay")
