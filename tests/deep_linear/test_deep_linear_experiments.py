"""accelbook.deep_linear.experiments: the sweeps over kappa, depth and width (what Chapter 4 plots), and their
behaviour when a run diverges."""

import numpy as np
import pytest

from accelbook import deep_linear as dl


def test_kappa_sweep_slopes():
    out = dl.kappa_sweep(np.logspace(1, 2.5, 4), tol=1e-3, seed=0)
    assert 0.8 < out["slope_gd"] < 1.2 and 0.3 < out["slope_heavy_ball"] < 0.65
    assert np.all(out["heavy_ball"] < out["gd"])


def test_depth_sweep_rates_do_not_depend_on_depth():
    prob = dl.make_problem(4, 4, 2, kappa=20.0, seed=0)
    out = dl.depth_sweep(prob, [2, 20, 200], m=24, n_iter=60, seed=1)
    hb_rate = 1 - 0.5 / np.sqrt(prob.kappa)  # sqrt(beta)
    np.testing.assert_allclose(out["rate_heavy_ball"], hb_rate, rtol=0.02)
    assert np.all(out["rate_heavy_ball"] < out["rate_gd"])
    assert out["heavy_ball"].shape == (3, 61) and np.all(np.isfinite(out["heavy_ball"]))
    assert not out["diverged_gd"].any() and not out["diverged_heavy_ball"].any()


def test_width_sweep_relative_movement_shrinks():
    prob = dl.make_problem(3, 3, 3, kappa=10.0, seed=0)
    out = dl.width_sweep(prob, [6, 24, 96], depth=5, n_iter=30, trials=2, seed=1)
    assert out["distance"].shape == (3, 2)
    assert np.all(np.diff(np.log(out["relative_distance"]).mean(1)) < 0)
    assert np.all(out["distance"] < out["r_l_linear"])
    np.testing.assert_allclose(out["relative_distance"], out["distance"] / np.sqrt([[6], [24], [96]]))


def test_sweeps_flag_diverging_runs_and_keep_finite_prefixes():
    ks = dl.kappa_sweep([10.0, 100.0], tol=1e-3, eta_scale=50.0, seed=0)
    assert np.all(ks["gd"] == -1) and np.all(ks["heavy_ball"] == -1) and ks["slope_gd"] is None
    prob = dl.make_problem(4, 4, 2, kappa=20.0, seed=0)
    ds = dl.depth_sweep(prob, [2, 5], m=8, n_iter=200, eta_scale=50.0, seed=1)
    assert ds["diverged_gd"].all() and ds["diverged_heavy_ball"].all()
    assert all(len(c) < 201 and np.all(np.isfinite(c)) for c in ds["gd"] + ds["heavy_ball"])
    ws = dl.width_sweep(prob, [4, 8], depth=3, n_iter=200, eta_scale=50.0, seed=1)
    assert ws["diverged"].all()
    assert all(np.all(np.isfinite(ws[k])) for k in ("distance", "phi_relative", "r_l_linear", "nu_c0"))


def test_bad_inputs_give_clear_errors():
    with pytest.raises(ValueError, match="kappas\\[1\\] must be >= 1"):
        dl.kappa_sweep([10.0, 0.5])
    with pytest.raises(ValueError, match="m must be >= max\\(d, d_y\\) = 4"):
        dl.kappa_sweep([10.0], m=2)
    prob = dl.make_problem(3, 3, 3, kappa=10.0, seed=0)
    with pytest.raises(ValueError, match="widths\\[0\\] must be >= 3"):
        dl.width_sweep(prob, [2], depth=3, n_iter=5)
    with pytest.raises(TypeError, match="depths\\[0\\] must be an integer"):
        dl.depth_sweep(prob, [2.5], m=6, n_iter=5)
