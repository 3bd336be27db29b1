"""accelbook.partition.experiments: Theorems 6 and 7 hold on runs in the small-coupling regime and fail far
outside it, the κ sweep and the network runs against single runs, the rate table, and a diverging case for
every runner (flag, finite values, the documented sentinel, no warning)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbook import metrics, partition as P
from partition_cases import random_model

seeds = st.integers(0, 2**32 - 1)


@settings(max_examples=30)
@given(seed=seeds, kappa=st.floats(2.0, 1e3), sigma=st.floats(0.0, 0.1), c=st.floats(0.1, 1.0))
def test_theorems_6_and_7_hold_in_the_small_coupling_regime(seed, kappa, sigma, c):
    model, w0 = random_model(seed, sigma=sigma, kappa=kappa)
    kappa = float(model.kappa.max())  # the model's own kappa (equal to the requested one up to rounding)
    for method in ("gd", "nesterov"):
        eta, beta = P.method_parameters(method, kappa, float(model.L1.max()), c)
        run = P.train(model, w0, method, 300, eta=eta, beta=beta)
        assert not run.result.diverged
        assert np.all(P.bound_ratio(run, kappa, c) <= 1.0), method


@settings(max_examples=20)
@given(seed=seeds, kappa=st.floats(50.0, 1e3), c=st.floats(0.05, 1.0), sigma_A1=st.floats(0.3, 3.0))
def test_theorem_bounds_where_they_can_bind(seed, kappa, c, sigma_A1):
    """Starts along the slowest direction of A1, weak coupling: Theorem 6's bound is nearly attained (at k = 1)
    and Theorem 7's within its factor 2, so the checks are sharp; both hold until rounding takes over."""
    model, (x0, u0) = P.make_additive(kappa, 1e-4, dim_x=4, dim_u=3, n_trials=2, seed=seed, sigma_A1=sigma_A1)
    x0 = model.x_star(u0) + 3.0 * np.linalg.svd(model.A1)[2][:, -1]
    kappa, L1 = float(model.kappa.max()), float(model.L1.max())
    for method, floor in (("gd", 0.96), ("nesterov", 0.45)):  # GD at k = 1: (1 - c/kappa)^2/(1 - c/(4 kappa))
        eta, beta = P.method_parameters(method, kappa, L1, c)
        run = P.train(model, [x0, u0], method, 400, eta=eta, beta=beta)
        R = run.relative_losses
        keep = np.all(R > 1e-20, axis=1)  # before rounding dominates
        bound = (P.theorem6_bound if method == "gd" else P.theorem7_bound)(kappa, np.arange(R.shape[0]), c)
        worst = np.max((R / bound[:, None])[1:][keep[1:]], axis=0)
        assert np.all(worst <= 1.0) and np.all(worst >= floor), (method, worst)


def test_theorems_fail_far_outside_the_regime():
    """The guarantee is conditional: with eta = 1/L1 and sigma_max(A2) = 5 every method diverges."""
    out = P.theorem_check_sweep([0.01, 5.0], n_iter=100, n_trials=3)
    assert np.all(out["gd"][:1] <= 1) and np.all(out["nesterov"][:1] <= 1)
    assert out["diverged_gd"][1] and out["diverged_nesterov"][1]
    assert out["gd"][1] > 1 and out["nesterov"][1] > 1
    assert np.all(np.isfinite(out["gd"])) and np.all(out["nit_gd"][1] < 100)


def test_bound_ratio_is_the_worst_quotient():
    model, w0 = P.make_additive(50.0, 0.05, n_trials=2, seed=1)
    eta, beta = P.method_parameters("nesterov", 50.0, 1.0, 0.5)
    run = P.train(model, w0, "nesterov", 50, eta=eta, beta=beta)
    k = np.arange(1, 51)
    expected = np.max(run.relative_losses[1:] / (2 * (1 - 0.5 / (4 * np.sqrt(50.0))) ** k)[:, None], axis=0)
    np.testing.assert_allclose(P.bound_ratio(run, 50.0, 0.5), expected, rtol=1e-12)
    with pytest.raises(ValueError, match="run.method must be 'gd' or 'nesterov'"):
        P.bound_ratio(P.train(model, w0, "heavy_ball", 5, eta=eta, beta=0.5), 50.0, 0.5)


def test_kappa_sweep_counts_match_single_runs():
    out = P.kappa_sweep([10.0, 300.0], n_trials=3, seed=5)
    assert out["gd"].shape == (2, 3) and np.all(out["nesterov"] > 0)
    assert np.all(out["nesterov"][1] < out["gd"][1])  # acceleration at kappa = 300
    model, w0 = P.make_additive(300.0, None, n_trials=3, seed=6)  # the sweep seeds kappa i with seed + i
    eta, beta = P.method_parameters("nesterov", 300.0, float(model.L1.max()))
    run = P.train(model, w0, "nesterov", 5000, eta=eta, beta=beta, tol=1e-2)
    np.testing.assert_array_equal(P.iterations_to_tol(run.relative_losses, 1e-2), out["nesterov"][1])


def test_network_runs_track_features_and_accelerate():
    runs, info = P.network_runs(64, n_iter=80, n_trials=3, track_every=20, init="he")
    nes, gd = runs["nesterov"], runs["gd"]
    assert nes.sigma_min.shape == (5, 3) and nes.tracked_at.tolist() == [0, 20, 40, 60, 80]
    np.testing.assert_allclose(nes.sigma_min[0] ** 2, info["mu"])
    assert np.all(nes.relative_losses[60] < gd.relative_losses[60])
    assert gd.beta == 0.0 and nes.beta == P.nesterov_beta(info["kappa_used"])


@pytest.fixture(scope="module")
def small_regimes():
    return {s: P.regime_runs(s, n_iter=200, n_trials=4, seed=1) for s in (0.01, 5.0)}


def test_rate_table_against_measured_rates(small_regimes):
    rows = P.rate_table(small_regimes)
    assert len(rows) == 6 and "proven" in P.format_rate_table(rows)
    for r in rows:
        runs, model, c = small_regimes[r["sigma"]]
        rates = P.measured_rate(runs[r["method"]].relative_losses)
        assert r["median"] == pytest.approx(np.median(rates)) and r["q10"] <= r["median"] <= r["q90"]
        assert r["spread"] >= 1.0
        if r["method"] == "nesterov":
            assert r["proven"] == pytest.approx(P.theorem7_rate(P.DEFAULTS.kappa, c))
            assert r["median"] < r["proven"]  # measured faster than proven in both regimes
    assert small_regimes[5.0][2] == pytest.approx(1 / 26)  # safe_c shrinks the step for the strong coupling


def test_width_study_summaries():
    study = P.width_study((32, 64), n_iter=60, n_trials=2, init="he")
    assert study["hits"]["nesterov"].shape == (2, 2) and study["kappa"].shape == (2, 2)
    assert study["du_over_dx"]["gd"].shape == (2, 2) and np.all(study["sigma_change"] >= 0)
    run = study["runs"][64]["gd"]
    np.testing.assert_array_equal(study["hits"]["gd"][1], P.iterations_to_tol(run.relative_losses, 1e-3))
    np.testing.assert_allclose(study["du_over_dx"]["gd"][1], np.median(run.du[:50] / run.dx[:50], axis=0))
    assert not np.any(study["diverged"]["nesterov"]) and study["init"] == "he"
    assert set(study["null"]) == {"step_share", "iterate_share_end", "acquired_share_end", "row_space_drift_end",
                                  "fixed_mu_min"} and study["null"]["step_share"].shape == (2,)
    np.testing.assert_allclose(study["grad_ratio"][1], P.gradient_dominance_ratio(study["info"][64]["net"],
                                                                                   study["info"][64]["W0"]))


def test_paper_initialisation_at_width_64_is_too_large_a_step_for_momentum():
    """With the paper's initialisation L1 is four times smaller, eta = 1/L1 four times larger: at width 64
    heavy ball and Nesterov diverge while gradient descent converges (the chapter's width study)."""
    runs, _ = P.network_runs(64, init="paper")
    assert not runs["gd"].diverged and runs["heavy_ball"].diverged and runs["nesterov"].diverged


# ---------------------------------------------------------------- a diverging case for every runner
def _quiet(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return call()


def test_kappa_sweep_diverging():
    out = _quiet(lambda: P.kappa_sweep([100.0], 5.0, c=1.0, n_trials=2, seed=0, max_iter=500))
    np.testing.assert_array_equal(out["gd"], metrics.NOT_REACHED)
    np.testing.assert_array_equal(out["nesterov"], metrics.NOT_REACHED)


def test_regime_runs_diverging():
    runs, model, c = _quiet(lambda: P.regime_runs(5.0, c=1.0, n_iter=300, n_trials=2, seed=0))
    for run in runs.values():
        assert run.result.diverged and run.result.nit < 300
        assert np.all(np.isfinite(run.losses)) and run.dx.shape[0] == run.result.nit


def test_theorem_check_sweep_diverging():
    out = _quiet(lambda: P.theorem_check_sweep([10.0], n_iter=200, n_trials=2))
    assert out["diverged_gd"][0] and out["diverged_nesterov"][0] and out["nit_gd"][0] < 200
    assert np.isfinite(out["gd"][0]) and out["gd"][0] > 1


@pytest.mark.parametrize("runner", ["network_runs", "width_study"])
def test_network_runners_diverging(runner):
    if runner == "network_runs":
        runs = _quiet(lambda: P.network_runs(64, n_iter=200, n_trials=2, c=16.0))[0]
    else:
        study = _quiet(lambda: P.width_study((64,), n_iter=200, n_trials=2, c=16.0))
        runs = study["runs"][64]
        assert study["diverged"]["gd"][0] and np.all(study["hits"]["gd"] == metrics.NOT_REACHED)
        assert all(np.all(np.isfinite(v)) for v in study["du_over_dx"].values())
    for run in runs.values():
        assert run.result.diverged and run.result.nit < 200
        assert np.all(np.isfinite(run.losses)) and np.all(np.isfinite(run.sigma_min))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: P.network_runs(0), ValueError, "penultimate_width must be >= 1"),
    (lambda: P.width_study([0]), ValueError, r"widths\[0\] must be >= 1"),
    (lambda: P.network_runs(8, n_iter=1, n_trials=1), ValueError, "do not have rank n"),
    (lambda: P.kappa_sweep([0.5]), ValueError, "kappas must be >= 1"),
    (lambda: P.kappa_sweep(methods_=("adam",)), ValueError, "methods_ must be one of"),
    (lambda: P.regime_runs(-1.0), ValueError, "sigma_A2 must be >= 0"),
    (lambda: P.rate_table({0.1: 3}), TypeError, "regimes"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_theorem_check_sweep_with_a_stable_c():
    """With c = safe_c per sigma (the step below the curvature bound L1 + G1^2 of the ReLU pieces) nothing
    diverges, both bounds hold, and Nesterov is ahead of gradient descent even at sigma_max(A2) = 5."""
    out = P.theorem_check_sweep([0.01, 5.0], c="stable", n_iter=200, n_trials=3)
    model5, _ = P.make_additive(100.0, 5.0, n_trials=3)
    assert out["c"][1] == pytest.approx(P.safe_c(model5)) and out["c"][0] > 0.99
    assert not out["diverged_gd"].any() and not out["diverged_nesterov"].any()
    assert np.all(out["gd"] <= 1) and np.all(out["nesterov"] <= 1)
    assert np.all(out["final_nesterov"] < out["final_gd"])


def test_conditions_map_uses_the_instances_exact_constants():
    cmap = P.conditions_map([0.01, 0.3], [10.0, 1000.0])
    for i, s in enumerate((0.01, 0.3)):
        model, _ = P.make_additive(100.0, s, n_trials=2, seed=3)
        r = P.theorem_conditions(model.mu, model.L1, model.L2, model.G1, model.G2, 1.0)["ratios"]
        for key in P.SMALLNESS:
            np.testing.assert_allclose(r[key], cmap["sigma"][key][i], rtol=1e-6)
    assert cmap["kappa_sweep"]["thm7_G1G2"][1] > 1 > cmap["kappa_sweep"]["thm7_G1G2"][0]
