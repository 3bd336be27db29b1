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
    curve = torch_bridge.sgd_iterates(f, np.zeros(3), 0.5, 0.8, 25, store="loss")
    np.testing.assert_allclose(curve, [0.5 * w @ H @ w - b @ w for w in W], rtol=1e-12, atol=1e-15)
