"""Chapter 3, accelbook.relu.experiments: Appendix H's experiment and its repetition over seeds, the width and
conditioning sweeps (Wang, Lin & Abernethy 2021, Appendix H), with the shared iterations-to-tolerance rule."""

import warnings

import numpy as np
import pytest

from accelbook import metrics, relu


def test_iterations_to_is_the_shared_stays_below_convention():
    curve = np.array([[1.0, 2.0], [0.1, 1.0], [1e-3, 1.0]])
    np.testing.assert_array_equal(relu.iterations_to(curve, 1e-2), [2, metrics.NOT_REACHED])
    # a transient dip below the level does not count: the loss must stay below it
    dip = np.array([1.0, 1e-3, 0.5, 1e-3, 1e-4])
    assert relu.iterations_to(dip, 1e-2) == 3
    assert relu.iterations_to is metrics.iterations_to_tolerance


def test_the_appendix_h_helpers():
    prob, runs = relu.appendix_h_experiment(0, m=200, n_iter=30)
    eta, beta = prob.momentum_parameters()
    assert (prob.n, prob.d, prob.m) == (5, 10, 200) and set(runs) == {"gd", "heavy_ball", "nesterov"}
    assert runs["heavy_ball"].beta == beta and runs["gd"].beta == 0.0 and runs["gd"].eta == eta
    assert np.all(np.abs(prob.X).max() <= 1) and set(np.unique(prob.y)) <= {-1.0, 1.0}
    seeds = relu.appendix_h_seeds([0], m=200, n_iter=30, tol=1e-6)
    assert seeds["kappa_hat"][0] == pytest.approx(prob.kappa_hat)
    iters = relu.iterations_to(runs["heavy_ball"].loss, 1e-6)
    assert seeds["iters_hb"][0] == iters and 0 <= iters < 30
    # from that iteration on the loss stays below the tolerance, and not from the one before
    loss = runs["heavy_ball"].loss
    assert np.all(loss[iters:] <= 1e-6 * loss[0]) and np.any(loss[iters - 1:] > 1e-6 * loss[0])
    short = relu.appendix_h_seeds([0], m=200, n_iter=3, tol=1e-6)
    assert short["iters_hb"][0] == metrics.NOT_REACHED and short["iters_gd"][0] == metrics.NOT_REACHED


def test_width_and_conditioning_sweeps():
    X, y = relu.unit_inputs(4, 5, seed=0), relu.random_labels(4, seed=0)
    sw = relu.width_sweep(X, y, [50, 3200], 1.0, 0.3, 40, trials=3, seed=1)
    assert sw["rate"].shape == (2, 3) and not sw["diverged"].any()
    assert sw["deviation"][1].mean() < sw["deviation"][0].mean()
    assert sw["pattern_change"][1].mean() < sw["pattern_change"][0].mean()
    cs = relu.conditioning_sweep(np.deg2rad([60, 8]), m=300, n_iter=300, seed=0)
    assert cs["kappa_hat"][1] > 5 * cs["kappa_hat"][0]
    # with Corollary 1's beta the linearised rate is sqrt(beta) = 1 - 1/(2 sqrt(kappa_hat)); well-conditioned
    # data stays close to it at this width
    assert cs["rate_hb"][0] == pytest.approx(1 - 0.5 / np.sqrt(cs["kappa_hat"][0]), abs=0.02)


def test_width_sweep_flags_a_diverging_width_and_measures_its_finite_prefix():
    X, y = relu.unit_inputs(4, 5, seed=0), relu.random_labels(4, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sw = relu.width_sweep(X, y, [50], 1e120, 0.5, 20, trials=2, seed=1)
    assert sw["diverged"].all()
    assert np.all(np.isfinite(sw["deviation"])) and np.all(np.isfinite(sw["max_distance"]))


def test_bad_experiment_arguments_name_the_parameter():
    X = relu.unit_inputs(4, 5, seed=0)
    with pytest.raises(TypeError, match="seeds"):
        relu.appendix_h_seeds(5)
    with pytest.raises(ValueError, match="widths must not be empty"):
        relu.gram_concentration(X, [])
    with pytest.raises(ValueError, match=r"widths\[1\] must be >= 1"):
        relu.width_sweep(X, np.ones(4), [10, 0], 0.1, 0.5, 3)
    with pytest.raises(ValueError, match="which must be one of"):
        relu.appendix_h_experiment(0, which=("gd", "adam"))
