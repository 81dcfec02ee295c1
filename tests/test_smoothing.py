import numpy as np

from reptrack.pose.smoothing import LandmarkSmoother, LowPass, OneEuro


def test_low_pass_blends_with_alpha():
    lp = LowPass()
    assert lp.apply(np.array([10.0]), 0.1)[0] == 10.0
    assert np.isclose(lp.apply(np.array([0.0]), 0.1)[0], 9.0)


def test_one_euro_keeps_a_still_point_still_and_quiets_jitter():
    rng = np.random.default_rng(0)
    f = OneEuro(min_cutoff=0.05, beta=80.0, derivate_cutoff=1.0)
    raw = 100 + rng.normal(0, 1.0, size=(300, 1))
    # value_scale = 1 / body size: 1 px of jitter on a 200 px tall person
    out = np.array([f.apply(x, i / 30, 1 / 200) for i, x in enumerate(raw)])
    assert np.std(out[50:]) < 0.7 * np.std(raw[50:])
    assert abs(out[50:].mean() - 100) < 0.5


def test_one_euro_follows_fast_motion_with_little_lag():
    f = OneEuro(min_cutoff=0.05, beta=80.0, derivate_cutoff=1.0)
    out = [f.apply(np.array([0.0 if i < 10 else 0.02 * (i - 10)]), i / 30, 1.0) for i in range(40)]
    assert out[-1][0] > 0.9 * 0.02 * 29


def test_landmark_smoother_returns_normalized_points():
    s = LandmarkSmoother((0.05, 80.0, 1.0))
    pts = np.array([[0.2, 0.3, 0.0], [0.6, 0.9, 0.1]])
    assert np.allclose(s.apply(pts, 0.0, (640, 480)), pts)
