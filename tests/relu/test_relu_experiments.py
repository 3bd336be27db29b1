"""Chapter 3, accelbook.relu.experiments: Appendix H's experiment and its repetition over seeds, the width and
conditioning sweeps (Wang, Lin & Abernethy 2021, Appendix H), with the shared iterations-to-tolerance rule."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbook import metrics, relu, theory
from conftest import random_psd


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
    assert np.all(cs["theorem9"] == 1 - 0.25 / np.sqrt(cs["kappa_hat"]))


@settings(max_examples=12)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 8), log_kappa=st.floats(0.0, 3.0))
def test_corollary1_beta_makes_the_linearised_rate_sqrt_beta(seed, n, log_kappa):
    """On the linearised model, Appendix H's eta = 1/lambda_max(H0) and Corollary 1's beta put every block above
    critical damping, so the measured rate is sqrt(beta) = 1 - 1/(2 sqrt(kappa_hat)) up to the oscillation of
    the stacked norm (the fit averages it; 2e-3 relative here), whatever the spectrum."""
    rng = np.random.default_rng(seed)
    H = random_psd(rng, n, kappa=10 ** log_kappa)
    lam = np.linalg.eigvalsh(H)
    eta, beta = theory.corollary1_parameters(lam[0], lam[-1])
    lin = relu.linearised_residuals(H, rng.standard_normal(n), eta, beta, int(60 * np.sqrt(10 ** log_kappa)) + 100)
    assert relu.empirical_rate(lin.xi) == pytest.approx(1 - 0.5 / np.sqrt(lam[-1] / lam[0]), rel=2e-3)


@pytest.mark.parametrize("seed", range(4))
def test_a_wide_network_on_well_separated_inputs_has_its_linearised_rate(seed):
    """At m = 3000 on inputs 30-60 degrees apart the network's heavy-ball rate is that of its linearised model
    to 2e-3 relative (the tolerance is set by the width: the deviation shrinks like 1/sqrt(m))."""
    for angle in (60, 30):
        X = relu.clustered_inputs(5, 10, np.deg2rad(angle), seed=seed)
        prob = relu.make_problem(X, relu.random_labels(5, seed=seed), 3000, seed=seed + 10)
        eta, beta = prob.momentum_parameters()
        hb = relu.train(prob, "heavy_ball", eta, beta, 300, records=())
        lin = relu.linearised_residuals(prob.H0, hb.xi[0], eta, beta, 300)
        assert relu.empirical_rate(hb.xi) == pytest.approx(relu.empirical_rate(lin.xi), rel=2e-3)


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
