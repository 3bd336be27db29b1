"""accelbook.partition.training: runs with named records (loss, per-block steps, the tracked quantity of either
problem), divergence flagged with a finite prefix, counts and rates from accelbook.metrics, and Lemma 8 /
Lemma 9 along Nesterov runs."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbook import methods, metrics, partition as P
from accelbook.partition.training import _BlockSteps
from partition_cases import random_model, small_net

seeds = st.integers(0, 2**32 - 1)


@pytest.mark.parametrize("method", ["gd", "heavy_ball", "nesterov"])
def test_train_records_block_step_norms(method):
    model, w0 = P.make_additive(30.0, 0.3, dim_x=4, dim_u=3, n_trials=3, seed=1)
    eta, beta = P.method_parameters(method, 30.0, 1.0)
    run = P.train(model, w0, method, 40, eta=eta, beta=beta)
    call = {"gd": lambda: methods.gradient_descent(model.grad, w0, eta, 40),
            "heavy_ball": lambda: methods.heavy_ball(model.grad, w0, eta, beta, 40),
            "nesterov": lambda: methods.nesterov(model.grad, w0, eta, beta, 40)}[method]
    ref = call()
    X = np.stack([w[0] for w in ref.iterates])
    U = np.stack([w[1] for w in ref.iterates])
    np.testing.assert_allclose(run.dx, np.linalg.norm(np.diff(X, axis=0), axis=2), rtol=1e-12)
    np.testing.assert_allclose(run.du, np.linalg.norm(np.diff(U, axis=0), axis=2), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(run.losses, np.stack([model.loss(w) for w in ref.iterates]), rtol=1e-12)
    np.testing.assert_allclose(run.relative_losses, run.losses / run.losses[0], rtol=1e-14)
    assert run.losses.shape == (41, 3) and run.relative_losses[0].tolist() == [1.0, 1.0, 1.0]


def test_network_block_steps_are_last_layer_and_the_rest():
    net, W0 = small_net(2)
    run = P.train(net, W0, "heavy_ball", 10, eta=0.01, beta=0.5)
    ref = methods.heavy_ball(net.grad, W0, 0.01, 0.5, 10)
    last = np.stack([w[-1] for w in ref.iterates])
    rest = [np.stack([w[l] for w in ref.iterates]) for l in range(len(W0) - 1)]
    np.testing.assert_allclose(run.dx, np.linalg.norm(np.diff(last, axis=0).reshape(10, 2, -1), axis=2), rtol=1e-12)
    du = np.sqrt(sum(np.sum(np.diff(r, axis=0).reshape(10, 2, -1) ** 2, axis=2) for r in rest))
    np.testing.assert_allclose(run.du, du, rtol=1e-12)


def test_block_steps_monitor_is_keyed_on_values():
    """The step monitor returns the distance to the previous *distinct* iterate; showing the same iterate again
    (as a runner may, to record the last one) returns the same norms."""
    model, (x, u) = P.make_additive(10.0, 1.0, dim_x=2, dim_u=3, n_trials=2, seed=0)
    steps = _BlockSteps(model)
    np.testing.assert_array_equal(steps([x, u]), 0.0)
    w1 = [x + 1.0, u.copy()]
    first = steps(w1).copy()
    np.testing.assert_allclose(first[0], np.sqrt(2.0))
    np.testing.assert_array_equal(first[1], 0.0)
    np.testing.assert_array_equal(steps([a.copy() for a in w1]), first)  # equal values: unchanged
    w1[0] += 1.0  # the caller modifies its array afterwards: the monitor kept a copy
    np.testing.assert_allclose(steps(w1)[0], np.sqrt(2.0))


@pytest.mark.parametrize("problem", ["additive", "network"])
def test_tracking_works_for_both_models(problem):
    if problem == "additive":
        model, w0 = P.make_additive(10.0, 1.0, dim_x=3, dim_u=4, n_trials=2, seed=0)
        name, value = "active_fraction", lambda w: model.active_fraction(w[1])
    else:
        model, w0 = small_net(0)
        name, value = "sigma_min", lambda W: model.penultimate_singular_values(W)[:, -1]
    run = P.train(model, w0, "gd", 20, eta=0.05, track_every=5)
    assert set(run.records) == {name} and run.recorded_at.tolist() == [0, 5, 10, 15, 20]
    np.testing.assert_allclose(run.records[name][0], value(w0))
    np.testing.assert_allclose(run.records[name][-1], value(run.result.x))
    assert run.tracked_at is run.recorded_at
    assert (run.sigma_min is None) == (problem == "additive")


def test_batched_trials_equal_separate_runs():
    model, w0 = P.make_additive(50.0, 0.3, dim_x=5, dim_u=4, n_trials=3, seed=2)
    eta, beta = P.method_parameters("nesterov", 50.0, 1.0)
    batch = P.train(model, w0, "nesterov", 30, eta=eta, beta=beta)
    for i in range(3):
        one = P.AdditiveModel(model.A1[i:i + 1], model.A2[i:i + 1], model.b[i:i + 1])
        single = P.train(one, [w0[0][i:i + 1], w0[1][i:i + 1]], "nesterov", 30, eta=eta, beta=beta)
        np.testing.assert_allclose(single.losses[:, 0], batch.losses[:, i], rtol=1e-10)


@pytest.mark.parametrize("method", ["gd", "heavy_ball", "nesterov"])
def test_divergence_is_reported_with_a_finite_prefix(method):
    model, w0 = P.make_additive(100.0, 5.0, n_trials=2, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = P.train(model, w0, method, 500, eta=1.0, beta=P.nesterov_beta(100.0), track_every=1)
    res = run.result
    assert res.diverged and "diverged at iteration" in res.message and run.diverged
    assert res.nit < 500 and run.losses.shape[0] == res.nit + 1 == run.dx.shape[0] + 1 == run.du.shape[0] + 1
    assert all(np.all(np.isfinite(a)) for a in (run.losses, run.dx, run.du, run.records["active_fraction"]))
    assert np.linalg.norm(np.concatenate([a.ravel() for a in res.x])) <= 1e8


def test_tol_stops_and_iterations_to_tol():
    model, w0 = P.make_additive(100.0, 0.01, n_trials=4, seed=3)
    eta, beta = P.method_parameters("nesterov", 100.0, 1.0)
    run = P.train(model, w0, "nesterov", 10_000, eta=eta, beta=beta, tol=1e-2)
    assert run.result.converged and np.all(run.relative_losses[-1] <= 1e-2)
    hit = P.iterations_to_tol(run.relative_losses, 1e-2)
    for i, k in enumerate(hit):
        assert np.all(run.relative_losses[k:, i] <= 1e-2) and run.relative_losses[k - 1, i] > 1e-2
    np.testing.assert_array_equal(P.iterations_to_tol(np.array([1.0, 0.5]), 1e-3), [-1])


def test_iterations_to_tol_is_the_shared_convention():
    """A transient dip below the tolerance does not count (metrics.iterations_to_tolerance)."""
    R = np.array([[1.0, 1.0], [0.005, 0.5], [0.5, 0.005], [0.001, 0.004], [0.0005, 0.02]])
    np.testing.assert_array_equal(P.iterations_to_tol(R, 0.01), [3, metrics.NOT_REACHED])
    np.testing.assert_array_equal(P.iterations_to_tol(R, 0.01),
                                  metrics.iterations_to_tolerance(R, 0.01, relative=False))


def test_measured_rate_and_slope():
    R = 0.9 ** np.arange(400)[:, None] * np.array([1.0, 1.0])
    np.testing.assert_allclose(P.measured_rate(R, floor=1e-10), 0.9, rtol=1e-12)
    # the shared estimator: the least-squares slope over the window from the start to the floor
    R2 = np.concatenate([[1.0], 0.1 * 0.8 ** np.arange(100)])
    np.testing.assert_allclose(P.measured_rate(R2, floor=1e-6), metrics.measured_rate(R2, start=1.0, stop=1e-6))
    assert P.loglog_slope is metrics.loglog_slope
    assert P.loglog_slope([1, 10, 100], [3, 30, 300]) == pytest.approx(1.0)


@settings(max_examples=15)
@given(seed=seeds, sigma=st.one_of(st.just(0.0), st.floats(1e-3, 5.0)), kappa=st.floats(2.0, 1e3))
def test_lemmas_along_nesterov_runs(seed, sigma, kappa):
    model, w0 = random_model(seed, sigma=sigma, kappa=kappa)
    eta, beta = P.method_parameters("nesterov", float(model.kappa.max()), float(model.L1.max()), P.safe_c(model))
    d = P.run_diagnostics(model, w0, eta, beta, 150)
    assert not d["run"].diverged and not d["diverged"]
    finite = ~np.isnan(d["x_star"])
    assert finite.sum() > 0 or sigma == 0  # with A2 = 0 the block u never moves
    assert np.all(d["x_star"][finite] <= np.broadcast_to(model.G2 / model.mu, d["x_star"].shape)[finite] * (1 + 1e-8))
    bound = model.G1 ** 2 * model.L2 / model.mu * (1 + 1e-8)
    assert np.all(d["dominance_x"] <= bound) and np.all(d["dominance_y"] <= bound)


def test_run_diagnostics_on_a_diverged_run():
    model, w0 = P.make_additive(100.0, 5.0, n_trials=2, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = P.run_diagnostics(model, w0, 3.0, 0.9, 200)
    K = d["run"].nit
    assert d["diverged"] and 0 < K < 200
    assert d["x_star"].shape == (K, 2) and d["dominance_x"].shape == d["dominance_y"].shape == (K + 1, 2)
    assert np.all(np.isfinite(d["dominance_x"])) and np.all(np.isfinite(d["dominance_y"]))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: P.train(*P.make_additive(10.0, 0.1, n_trials=1, seed=0), "sgd", 5, eta=0.1), ValueError,
     "method must be one of"),
    (lambda: P.train("model", [1, 2], "gd", 5, eta=0.1), TypeError, "problem must be"),
    (lambda: P.train(P.make_additive(n_trials=1)[0], [np.ones((1, 3)), np.ones((1, 20))], "gd", 5, eta=0.1),
     ValueError, r"w0\[0\] must have shape"),
    (lambda: P.train(*P.make_additive(n_trials=1), "gd", 5, eta=0.1, track_every=0), ValueError, "track_every"),
    (lambda: P.iterations_to_tol([1.0, 0.5], 0.0), ValueError, "tol must be > 0"),
    (lambda: P.measured_rate([1.0], 1e-3), ValueError, r"K\+1 >= 3 iterations"),
    (lambda: P.loglog_slope([1.0, -1.0], [1.0, 2.0]), ValueError, "must be positive"),
    (lambda: P.run_diagnostics(small_net(0)[0], [], 0.1, 0.5, 3), TypeError, "model must be a AdditiveModel"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_null_space_monitor_geometry():
    """Shares outside the row space of the current features: 0 for a last layer inside it, 1 for a step
    orthogonal to it; no drift and the full strong convexity of the fixed partition at the start."""
    from accelbook.partition.training import _NullSpace
    net, W = small_net(5, (3, 12, 20), T=2)
    _, F = net.features(W)
    assert np.all(np.linalg.matrix_rank(F[-1]) == net.n)
    rng = np.random.default_rng(0)
    inside = np.swapaxes(F[-1], 1, 2) @ rng.standard_normal((2, net.n, 1))  # F^T a: in the row space
    monitor = _NullSpace(net)
    step0, iterate0, _, drift0, fixed0 = monitor(W[:-1] + [inside])
    np.testing.assert_array_equal(step0, 0.0)
    np.testing.assert_allclose(iterate0, 0.0, atol=1e-10)
    np.testing.assert_allclose(drift0, 0.0, atol=1e-6)
    np.testing.assert_allclose(fixed0, 1.0, rtol=1e-8)
    g = rng.standard_normal(inside.shape)
    outside = g - np.swapaxes(F[-1], 1, 2) @ np.linalg.solve(F[-1] @ np.swapaxes(F[-1], 1, 2), F[-1] @ g)
    step1, _, acquired1, _, _ = monitor(W[:-1] + [inside + outside])  # u unchanged: same row space
    np.testing.assert_allclose(step1, 1.0, rtol=1e-8)
    np.testing.assert_allclose(acquired1, 1.0, rtol=1e-8)
    np.testing.assert_array_equal(monitor(W[:-1] + [inside + outside])[0], step1)  # the same iterate again


def test_null_space_is_recorded_for_networks_and_refused_for_additive_models():
    net, W = small_net(5)
    run = P.train(net, W, "nesterov", 15, eta=0.02, beta=0.5, null_space=True)
    assert set(run.null_space) == {"step_share", "iterate_share", "acquired_share", "row_space_drift",
                                   "fixed_mu_ratio"}
    assert all(v.shape == (16, 2) and np.all(np.isfinite(v)) for v in run.null_space.values())
    assert np.all((run.null_space["step_share"] >= 0) & (run.null_space["step_share"] <= 1 + 1e-12))
    with pytest.raises(ValueError, match="null_space must be False for an AdditiveModel"):
        P.train(*P.make_additive(n_trials=1), "gd", 3, eta=0.1, null_space=True)
