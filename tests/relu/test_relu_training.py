"""Chapter 3, accelbook.relu.training: the runs' named records against direct evaluation, one forward pass per
iterate, batches, numpy against torch.optim.SGD on an nn.Module, the linearised model against the residual
recursion (8), and divergence flagged by every runner (Wang, Lin & Abernethy 2021, Algorithm 1, (8))."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from relu_helpers import small_problem

from accelbook import methods, relu, residual
from accelbook.relu import training
from conftest import random_psd

seeds = st.integers(0, 2**32 - 1)


@settings(max_examples=10)
@given(seed=seeds, method=st.sampled_from(["gd", "heavy_ball", "nesterov"]))
def test_train_records_what_it_says(seed, method):
    prob = small_problem(seed, m=25)
    eta = 0.8 / np.linalg.eigvalsh(prob.H0)[-1]
    beta = 0.0 if method == "gd" else 0.6
    run = relu.train(prob, method, eta, beta, 20, store="all", record_gram=True)
    traj = run.trajectory
    np.testing.assert_allclose(run.xi, prob.residual(traj), atol=1e-13)
    np.testing.assert_allclose(run.loss, prob.loss(traj), atol=1e-13)
    np.testing.assert_allclose(run.pattern_change, relu.pattern_change_fraction(traj, prob.W0, prob.X))
    np.testing.assert_allclose(run.max_distance, relu.neuron_distances(traj, prob.W0).max(axis=1), atol=1e-14)
    np.testing.assert_allclose(run.gram, relu.gram(traj, prob.X), atol=1e-15)
    assert run.result.method == method and run.nit == 20 and not run.diverged
    # the arrays are the runner's named records, over t = 0..nit
    assert set(run.records) == {"xi", "pattern_change", "max_distance", "gram"}
    np.testing.assert_array_equal(run.result.recorded_at, np.arange(21))
    for name in ("xi", "pattern_change", "max_distance", "gram"):
        assert run.records[name] is getattr(run, name)


@pytest.mark.parametrize("method, passes", [("gd", 1), ("heavy_ball", 1), ("nesterov", 2)])
def test_one_forward_pass_per_iterate(method, passes, monkeypatch):
    """The cached oracle evaluates each iterate once (Nesterov has two points per step, y_k and x_k)."""
    calls = []
    pre = training._pre
    monkeypatch.setattr(training, "_pre", lambda W, X: calls.append(1) or pre(W, X))
    prob = small_problem(2, m=20)
    n_iter = 12
    relu.train(prob, method, 0.5, 0.0 if method == "gd" else 0.5, n_iter)
    # one pass for W0's patterns, then one per iterate (x_0..x_n, and y_1..y_{n-1} for Nesterov)
    assert len(calls) == 1 + (n_iter + 1 if passes == 1 else 2 * n_iter)


def test_batched_training_equals_separate_runs():
    prob = small_problem(3, m=20, trials=3)
    run = relu.train(prob, "heavy_ball", 0.5, 0.7, 15)
    for k in range(3):
        single = relu.ReluProblem(X=prob.X, y=prob.y, a=prob.a[k], W0=prob.W0[k])
        np.testing.assert_allclose(run.xi[:, k], relu.train(single, "heavy_ball", 0.5, 0.7, 15).xi, atol=1e-13)


@pytest.mark.parametrize("method", ["gd", "heavy_ball", "nesterov"])
def test_torch_sgd_on_an_nn_module_matches_accelbook_methods(method):
    prob = small_problem(11, n=5, d=4, m=60)
    eta, beta = prob.momentum_parameters()
    beta = 0.0 if method == "gd" else beta
    theirs = relu.torch_train(prob, eta, beta, 40, nesterov=(method == "nesterov"))
    if method == "nesterov":   # torch holds Nesterov's extrapolated points y_k
        expected = np.stack(methods.nesterov(prob.grad, prob.W0, eta, beta, 40, store_y=True).y_iterates)
    else:
        expected = relu.train(prob, method, eta, beta, 40, store="all").trajectory
    assert not theirs.diverged and theirs.nit == 40
    np.testing.assert_allclose(theirs.trajectory, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(theirs.loss, prob.loss(expected), rtol=1e-12, atol=1e-15)


def test_torch_train_on_a_device_returns_the_loss_curve():
    """The device path (CPU here; a GPU where one exists): same loss curve as accelbook's heavy ball."""
    X = relu.unit_inputs(4, 6, seed=3)
    prob = relu.make_problem(X, relu.random_labels(4, seed=3), 64, seed=3)
    eta, beta = prob.momentum_parameters()
    curve = relu.torch_train(prob, eta, beta, 30, device="cpu", store="loss")
    ours = relu.train(prob, "heavy_ball", eta, beta, 30)
    assert curve.trajectory is None and curve.nit == 30
    np.testing.assert_allclose(curve.loss, ours.loss, rtol=1e-10, atol=1e-14)
    with pytest.raises(ValueError, match="store must be 'all' or 'loss'"):
        relu.torch_train(prob, eta, beta, 3, store="some")


def test_linearised_model_is_the_recursion_without_perturbation():
    rng = np.random.default_rng(5)
    H, xi0 = random_psd(rng, 4), rng.standard_normal(4)
    lin = relu.linearised_residuals(H, xi0, 0.9, 0.6, 30)
    rebuilt = residual.reconstruct(xi0, np.zeros((30, 4)), H, 0.9, 0.6)[:, :4]
    assert not lin.diverged and lin.nit == 30
    np.testing.assert_allclose(lin.xi, rebuilt, atol=1e-12)
    nes = relu.linearised_residuals(H, xi0, 0.9, 0.6, 30, method="nesterov")
    run = methods.nesterov(lambda w: H @ w, xi0, 0.9, 0.6, 30)   # on a quadratic the residual is H-linear
    np.testing.assert_allclose(nes.xi, run.trajectory, atol=1e-12)
    gd = relu.linearised_residuals(H, xi0, 0.9, 0.0, 30, method="gd")
    np.testing.assert_allclose(gd.xi, np.stack([np.linalg.matrix_power(np.eye(4) - 0.9 * H, t) @ xi0
                                                for t in range(31)]), atol=1e-12)


def test_network_residuals_approach_the_linearised_model_as_the_width_grows():
    X, y = relu.unit_inputs(4, 5, seed=1), relu.random_labels(4, seed=1)
    dev = []
    for m in (100, 6400):
        prob = relu.make_problem(X, y, m, seed=2, trials=4)
        run = relu.train(prob, "heavy_ball", 1.0, 0.5, 40)
        lin = relu.linearised_residuals(prob.H0, run.xi[0], 1.0, 0.5, 40)
        dev.append(np.mean(np.max(np.linalg.norm(run.xi - lin.xi, axis=-1), axis=0)))
    assert dev[1] < dev[0] / 3          # 1/sqrt(m) predicts a factor 8


def test_empirical_rate_of_geometric_sequences():
    t = np.arange(200)
    xi = np.stack([0.9 ** t, 2 * 0.8 ** t], axis=-1)[:, None, :] * np.array([1.0, 1.0])
    xi = np.concatenate([xi, np.stack([0.7 ** t, 0 * t], axis=-1)[:, None, :]], axis=1)  # batch of 2
    rates = relu.empirical_rate(xi, stop=1e-8)
    assert rates.shape == (2,)
    assert rates[1] == pytest.approx(0.7, rel=1e-10)
    assert rates[0] == pytest.approx(0.9, rel=1e-3)
    assert np.isnan(relu.empirical_rate(np.ones((10, 3))))   # never decays
    with pytest.raises(ValueError, match="stop must be <"):
        relu.empirical_rate(np.ones((5, 2)), start=1e-9, stop=1e-3)


def test_bad_training_arguments():
    prob = small_problem(0)
    with pytest.raises(ValueError, match="method must be one of"):
        relu.train(prob, "adam", 0.1, 0.0, 3)
    with pytest.raises(ValueError, match="beta must be 0 for method='gd'"):
        relu.train(prob, "gd", 0.1, 0.5, 3)
    with pytest.raises(ValueError, match="eta must be > 0"):
        relu.train(prob, "heavy_ball", 0.0, 0.5, 3)
    with pytest.raises(ValueError, match="beta must be < 1"):
        relu.train(prob, "heavy_ball", 0.1, 1.0, 3)
    with pytest.raises(TypeError, match="problem must be a ReluProblem"):
        relu.train("problem", "gd", 0.1, 0.0, 3)
    with pytest.raises(ValueError, match="one problem at a time"):
        relu.torch_train(small_problem(0, trials=2), 0.1, 0.5, 3)
    with pytest.raises(ValueError, match="beta must be > 0 when nesterov=True"):
        relu.torch_train(prob, 0.1, 0.0, 3, nesterov=True)


# ---------------------------------------------------------------- divergence: flag, finite prefix, no warning
@pytest.mark.parametrize("method", ["gd", "heavy_ball", "nesterov"])
def test_train_flags_divergence_with_a_finite_prefix_and_no_warning(method):
    prob = small_problem(1, m=20, trials=2)
    # (a large step alone does not diverge: it kills neurons and the outputs stay bounded)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = relu.train(prob, method, 1e120, 0.0 if method == "gd" else 0.5, 20, store="all", record_gram=True)
    assert run.diverged and run.nit == 0 and "diverged" in run.message   # nit counts accepted steps
    for name, values in run.records.items():
        assert len(values) == run.nit + 1 and np.all(np.isfinite(values)), name
    assert np.all(np.isfinite(run.loss)) and np.all(np.isfinite(run.stacked_norms))
    assert np.all(np.isfinite(run.trajectory)) and len(run.trajectory) == run.nit + 1


@pytest.mark.parametrize("store", ["all", "loss"])
@pytest.mark.parametrize("nesterov", [False, True])
def test_torch_train_flags_divergence_with_a_finite_prefix_and_no_warning(store, nesterov):
    prob = small_problem(1, m=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = relu.torch_train(prob, 1e120, 0.5, 20, nesterov=nesterov, store=store)
    assert run.diverged and 0 <= run.nit < 20 and "diverged" in run.message
    assert len(run.loss) == run.nit + 1 and np.all(np.isfinite(run.loss))
    if store == "all":   # the same rule as accelbook.methods: the first iterate above max_norm is rejected
        assert run.nit == 0 and np.all(np.isfinite(run.trajectory)) and len(run.trajectory) == 1


@pytest.mark.parametrize("method", ["gd", "heavy_ball", "nesterov"])
def test_linearised_residuals_flag_divergence_with_a_finite_prefix_and_no_warning(method):
    rng = np.random.default_rng(6)
    H, xi0 = random_psd(rng, 4), rng.standard_normal((3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lin = relu.linearised_residuals(H, xi0, 50.0, 0.0 if method == "gd" else 0.5, 500, method=method)
    assert lin.diverged and 0 < lin.nit < 500 and "diverged" in lin.message
    assert lin.xi.shape == (lin.nit + 1, 3, 4) and np.all(np.isfinite(lin.xi))
    assert np.all(np.isfinite(lin.stacked_norms))
