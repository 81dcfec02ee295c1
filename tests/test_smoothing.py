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


def test_landmark_smoother_scales_speed_by_the_given_body_size():
    # Two points 4 px apart moving 3 px a frame: relative to their own bounding box that is
    # fast (little smoothing); relative to a 400 px body it is slow (heavy smoothing).
    def last_x(size):
        s = LandmarkSmoother((0.01, 10.0, 1.0))
        for i in range(15):
            pts = np.array([[100.0 + 3 * i, 100.0, 0.0], [104.0 + 3 * i, 100.0, 0.0]]) / 640
            out = s.apply(pts, i / 30, (640, 480), size)
        return out[0, 0] * 640

    raw = 100.0 + 3 * 14
    own_box, whole_body = last_x(None), last_x(400.0)
    assert raw - own_box < 3.0
    assert raw - whole_body > 5.0
