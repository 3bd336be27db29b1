"""torch.optim.SGD is Algorithm 1; SGD(nesterov=True) holds Nesterov's y_k (float64, to 1e-12)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbook import methods, torch_bridge
from conftest import random_psd


@settings(max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 6), eta=st.floats(0.01, 1.5), beta=st.floats(0.0, 0.95))
def test_sgd_momentum_is_algorithm1(seed, n, eta, beta):
    rng = np.random.default_rng(seed)
    H, b = random_psd(rng, n), rng.standard_normal(n)
    w0 = rng.standard_normal(n)
    ours = methods.heavy_ball(lambda w: H @ w - b, w0, eta, beta, 80).trajectory
    theirs = torch_bridge.sgd_iterates(torch_bridge.quadratic_loss(H, b), w0, eta, beta, 80)
    np.testing.assert_allclose(theirs, ours, rtol=1e-12, atol=1e-12)


def test_sgd_momentum_on_a_list_of_tensors():
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((3, 2)), rng.standard_normal((2, 4))
    target = rng.standard_normal((3, 4))

    def grad(ws):  # f(W1, W2) = 0.5 ||W1 W2 - T||^2
        R = ws[0] @ ws[1] - target
        return [R @ ws[1].T, ws[0].T @ R]

    loss = lambda ws: 0.5 * ((ws[0] @ ws[1] - torch.as_tensor(target)) ** 2).sum()
    ours = methods.heavy_ball(grad, [A, B], 0.02, 0.9, 60)
    theirs = torch_bridge.sgd_iterates(loss, [A, B], 0.02, 0.9, 60)
    for w_ours, w_theirs in zip(ours.iterates, theirs):
        for a, b in zip(w_ours, w_theirs):
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)


@settings(max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 6), eta=st.floats(0.01, 1.0), beta=st.floats(0.05, 0.95))
def test_sgd_nesterov_holds_the_y_sequence(seed, n, eta, beta):
    rng = np.random.default_rng(seed)
    H, b = random_psd(rng, n), rng.standard_normal(n)
    grad = lambda w: H @ w - b
    x0 = rng.standard_normal(n)
    ours = methods.nesterov(grad, x0, eta, beta, 60, store_y=True)
    theirs = torch_bridge.sgd_iterates(torch_bridge.quadratic_loss(H, b), x0, eta, beta, 60, nesterov=True)
    np.testing.assert_allclose(theirs, np.stack(ours.y_iterates), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(torch_bridge.nesterov_x_from_y(theirs, grad, eta), ours.trajectory[1:],
                               rtol=1e-12, atol=1e-12)


def test_sgd_nesterov_is_not_heavy_ball():
    H, b = np.diag([0.1, 1.0]), np.ones(2)
    hb = torch_bridge.sgd_iterates(torch_bridge.quadratic_loss(H, b), np.zeros(2), 0.5, 0.9, 5)
    nes = torch_bridge.sgd_iterates(torch_bridge.quadratic_loss(H, b), np.zeros(2), 0.5, 0.9, 5, nesterov=True)
    assert not np.allclose(hb, nes)


def test_bad_input():
    loss = torch_bridge.quadratic_loss(np.eye(2), np.ones(2))
    with pytest.raises(ValueError, match="beta must be > 0 when nesterov=True"):
        torch_bridge.sgd_iterates(loss, np.zeros(2), 0.1, 0.0, 3, nesterov=True)
    with pytest.raises(ValueError, match="eta must be > 0"):
        torch_bridge.sgd_iterates(loss, np.zeros(2), 0.0, 0.5, 3)
    with pytest.raises(ValueError, match="beta must be < 1"):
        torch_bridge.sgd_iterates(loss, np.zeros(2), 0.1, 1.0, 3)


def test_sgd_iterates_loss_mode_is_the_loss_at_the_iterates():
    rng = np.random.default_rng(4)
    H, b = random_psd(rng, 3), rng.standard_normal(3)
    f = torch_bridge.quadratic_loss(H, b)
    W = torch_bridge.sgd_iterates(f, np.zeros(3), 0.5, 0.8, 25)
    curve = torch_bridge.sgd_iterates(f, np.zeros(3), 0.5, 0.8, 25, store="loss").losses
    np.testing.assert_allclose(curve, [0.5 * w @ H @ w - b @ w for w in W], rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- divergence and refusals (issue 12)
@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_divergence_is_flagged_with_a_finite_prefix(nesterov):
    """eta * lambda_max = 50: the iterates grow like ~50^t until they leave the float range; the run stops at
    the first non-finite step and returns only the finite iterates before it."""
    H, b = np.diag([0.1, 1.0]), np.ones(2)
    run = torch_bridge.sgd_iterates(torch_bridge.quadratic_loss(H, b), np.ones(2), 50.0, 0.5, 2000,
                                    nesterov=nesterov)
    assert run.diverged and 100 < run.nit < 400 and "diverged" in run.message
    assert run.iterates.shape == (run.nit + 1, 2) and np.all(np.isfinite(run.iterates))
    ours = (methods.nesterov(lambda w: H @ w - b, np.ones(2), 50.0, 0.5, run.nit, store_y=True).y_iterates
            if nesterov else methods.heavy_ball(lambda w: H @ w - b, np.ones(2), 50.0, 0.5, run.nit).iterates)
    np.testing.assert_allclose(run.iterates[:50], np.stack(ours)[:50], rtol=1e-12)
    capped = torch_bridge.sgd_iterates(torch_bridge.quadratic_loss(H, b), np.ones(2), 50.0, 0.5, 2000,
                                       nesterov=nesterov, max_norm=1e6)
    assert capped.diverged and np.all(np.linalg.norm(capped.iterates, axis=1) <= 1e6) and capped.nit < 10


def test_sgd_divergence_on_a_list_of_layers():
    target = np.ones((2, 2))
    loss = lambda ws: 0.5 * ((ws[0] @ ws[1] - torch.as_tensor(target)) ** 2).sum()
    run = torch_bridge.sgd_iterates(loss, [np.eye(2) * 3, np.eye(2) * 3], 5.0, 0.9, 500)
    assert run.diverged and len(run.iterates) == run.nit + 1 and len(run) == run.nit + 1
    assert all(np.all(np.isfinite(a)) for w in run.iterates for a in w)


def test_sgd_result_reads_as_its_array():
    H, b = np.diag([0.1, 1.0]), np.ones(2)
    run = torch_bridge.sgd_iterates(torch_bridge.quadratic_loss(H, b), np.zeros(2), 0.5, 0.5, 10)
    assert not run.diverged and run.nit == 10
    ours = methods.heavy_ball(lambda w: H @ w - b, np.zeros(2), 0.5, 0.5, 10).trajectory
    assert np.abs(run - ours).max() < 1e-12 and np.abs(ours - run).max() < 1e-12
    assert np.stack(run).shape == (11, 2) and run[:-1].shape == (10, 2)


def test_refusals():
    loss = torch_bridge.quadratic_loss(np.eye(2), np.ones(2))
    with pytest.raises(ValueError, match="w0 must contain only finite values"):
        torch_bridge.sgd_iterates(loss, np.array([np.nan, 0.0]), 0.1, 0.5, 3)
    with pytest.raises(ValueError, match="y_iterates must contain only finite values"):
        torch_bridge.nesterov_x_from_y(np.array([[np.nan, 0.0], [0.0, 0.0]]), lambda w: w, 0.1)
    with pytest.raises(ValueError, match=r"b must have shape \(2,\) to match H"):
        torch_bridge.quadratic_loss(np.ones((2, 2)), np.ones(5))
    with pytest.raises(ValueError, match="H must be a square matrix"):
        torch_bridge.quadratic_loss(np.ones((2, 3)), np.ones(5))
    assert torch_bridge.torch() is torch


def test_nesterov_x_from_y_on_layers():
    rng = np.random.default_rng(1)
    ys = [[rng.standard_normal((2, 2)), rng.standard_normal(3)] for _ in range(4)]
    grad = lambda ws: [2 * w for w in ws]
    xs = torch_bridge.nesterov_x_from_y(ys, grad, 0.1)
    assert len(xs) == 3
    for x, y in zip(xs, ys[:-1]):
        for a, b in zip(x, y):
            np.testing.assert_allclose(a, 0.8 * b, rtol=1e-15)
