"""`reptrack bench`: the stage profile accounts for the whole loop, and says how often the
person detector ran (only when tracking was lost)."""

from __future__ import annotations

import pytest

from reptrack.commands.bench import profile


def test_the_stage_profile_adds_up_to_the_loop_and_counts_the_detector(shared, blazepose_models):
    video = shared / "videos" / "squat_tommy.mp4"
    found = profile(video, "lite", threads=1)
    assert found["frames"] == 459  # every frame of the video
    stages = found["ms_per_frame"]
    assert sum(stages.values()) == pytest.approx(found["loop_ms_per_frame"])
    assert all(ms >= 0 for name, ms in stages.items() if name != "the rest of the loop")
    assert stages["landmark model"] > stages["angles"]  # the model is the work, not Python
    # one person, tracked from frame to frame: the detector runs when the track is lost
    assert 1 <= found["detector_runs"] < found["frames"] / 10
