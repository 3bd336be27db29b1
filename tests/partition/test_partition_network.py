"""accelbook.partition.network: the deep ReLU network's gradients and its torch twin, the x-block constants of
the last-layer partition, torch's Nesterov parameters against ours, and bad input."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbook import methods, partition as P, torch_bridge
from partition_cases import small_net


@settings(max_examples=15)
@given(seed=st.integers(0, 10_000), depth=st.integers(2, 4))
def test_network_gradients_match_autograd(seed, depth):
    widths = (3,) + (7,) * (depth - 2) + (20,)
    net, W = small_net(seed, widths)
    ours = net.grad(W)
    Wt = [torch.tensor(w, requires_grad=True) for w in W]
    P.torch_network_loss(net)(Wt).backward()
    for a, b in zip(ours, Wt):
        np.testing.assert_allclose(a, b.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert net.loss(W).shape == (2,)
    Wt0 = [torch.as_tensor(w[:1]) for w in W]
    assert float(P.torch_network_loss(net)(Wt0)) == pytest.approx(net.loss(W)[0])


@settings(max_examples=25)
@given(seed=st.integers(0, 10_000))
def test_network_x_block_constants(seed):
    """With rank-n penultimate features, f(., u) is L1-smooth, and mu-PL in x with min_x f = 0 (A6)."""
    net, W = small_net(seed)
    mu, L1, kappa = net.partition_constants(W)
    s = net.penultimate_singular_values(W)
    np.testing.assert_allclose(L1, s[:, 0] ** 2)
    np.testing.assert_allclose(mu, s[:, net.n - 1] ** 2)
    gx = net.grad(W)[-1][..., 0]
    assert np.all(np.sum(gx ** 2, axis=1) >= 2 * mu * net.loss(W) * (1 - 1e-10))
    rng = np.random.default_rng(seed)
    W2 = W[:-1] + [W[-1] + rng.standard_normal(W[-1].shape)]
    dg = net.grad(W2)[-1] - net.grad(W)[-1]
    step = np.linalg.norm((W2[-1] - W[-1])[..., 0], axis=1)
    assert np.all(np.linalg.norm(dg[..., 0], axis=1) <= L1 * step * (1 + 1e-10))


def test_narrow_network_has_no_strong_convexity():
    net, W = small_net(0, (3, 6, 4))  # penultimate width 4 < n = 8
    mu, L1, kappa = net.partition_constants(W)
    assert np.all(mu == 0) and np.all(np.isinf(kappa))


def test_penultimate_singular_values_match_svd():
    for widths in ((3, 6, 20), (3, 6, 5)):  # wide and narrow penultimate layer
        net, W = small_net(1, widths)
        _, F = net.features(W)
        np.testing.assert_allclose(net.penultimate_singular_values(W), np.linalg.svd(F[-1], compute_uv=False),
                                   rtol=1e-7, atol=1e-10)
        out = net._measure(W)
        np.testing.assert_array_equal(out["loss"], net.loss(W))
        np.testing.assert_allclose(out["sigma_min"], net.penultimate_singular_values(W)[:, -1])


def test_torch_nesterov_holds_y_and_recovers_x_on_the_network():
    net, W = small_net(3, (3, 6, 20), T=2)
    mu, L1, kappa = net.partition_constants(W)
    eta, beta = P.method_parameters("nesterov", float(kappa.max()), float(L1.max()))
    ours = methods.nesterov(net.grad, W, eta, beta, 30, store_y=True)
    theirs = torch_bridge.sgd_iterates(P.torch_network_loss(net), W, eta, beta, 30, nesterov=True)
    for y_ours, y_theirs in zip(ours.y_iterates, theirs):
        for a, b in zip(y_ours, y_theirs):
            np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
    assert P.nesterov_x_from_torch is torch_bridge.nesterov_x_from_y  # one implementation
    xs = P.nesterov_x_from_torch(theirs, net.grad, eta)
    assert len(xs) == 30
    for x_ours, x_theirs in zip(ours.iterates[1:], xs):
        for a, b in zip(x_ours, x_theirs):
            np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: P.init_network([3], seed=0), ValueError, "at least one hidden width"),
    (lambda: P.init_network([3, 0], seed=0), ValueError, r"widths\[1\] must be >= 1"),
    (lambda: P.init_network(3, seed=0), TypeError, "widths must be a sequence"),
    (lambda: P.ReluNetwork(np.ones((4, 2)), np.ones(3)), ValueError, "Y must have shape"),
    (lambda: small_net(0)[0].grad([np.ones((2, 3, 6)), np.ones((2, 6, 2))]), ValueError, r"W\[1\] must have shape"),
    (lambda: small_net(0)[0].loss(np.ones((2, 3, 6))), TypeError, "W must be a list"),
    (lambda: P.torch_network_loss("net"), TypeError, "net must be a ReluNetwork"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("scheme, hidden, last", [("he", lambda d: 2 / d, lambda d: 1 / d),
                                                  ("paper", lambda d: 1 / d, lambda d: d ** -1.5)])
def test_init_schemes_have_the_stated_variances(scheme, hidden, last):
    W = P.init_network([200, 300, 2000], n_trials=4, seed=0, scheme=scheme)
    assert [w.shape for w in W] == [(4, 200, 300), (4, 300, 2000), (4, 2000, 1)]
    np.testing.assert_allclose(np.var(W[0]), hidden(200), rtol=0.02)
    np.testing.assert_allclose(np.var(W[1]), hidden(300), rtol=0.02)
    np.testing.assert_allclose(np.var(W[2]), last(2000), rtol=0.1)


def test_paper_init_weakens_the_coupling_at_initialisation():
    X, Y = P.make_regression_data(seed=0)
    net = P.ReluNetwork(X, Y)
    ratio = {s: np.median(P.gradient_dominance_ratio(net, P.init_network([16, 32, 512], n_trials=5, seed=1, scheme=s)))
             for s in ("he", "paper")}
    assert ratio["paper"] < ratio["he"] / 5


def test_local_coupling_against_autograd():
    net, W = small_net(4, (3, 5, 12), T=2)
    G1, G2 = net.local_coupling(W)
    X, Y = torch.as_tensor(net.X), torch.as_tensor(net.Y)
    for t in range(2):
        Wt = [torch.tensor(w[t]) for w in W]

        def outputs(*u):
            F = X
            for Wl in u:
                F = torch.relu(F @ Wl)
            return (F @ Wt[-1])[:, 0]

        J = torch.cat([j.reshape(net.n, -1) for j in torch.autograd.functional.jacobian(outputs, tuple(Wt[:-1]))], 1)
        s, v = np.linalg.svd(J.numpy())[1:]
        assert G1[t] == pytest.approx(s[0], rel=1e-10)

        def grad_x(*u):  # nabla_x f = F^T (F x - Y) as a function of u
            F = X
            for Wl in u:
                F = torch.relu(F @ Wl)
            return F.T @ ((F @ Wt[-1])[:, 0] - Y)

        sizes = np.cumsum([0] + [w[t].size for w in W[:-1]])
        tangent = tuple(torch.tensor(v[0][sizes[i]:sizes[i + 1]].reshape(W[i][t].shape)) for i in range(len(W) - 1))
        jvp = torch.autograd.functional.jvp(grad_x, tuple(Wt[:-1]), tangent)[1]
        assert G2[t] == pytest.approx(float(torch.linalg.norm(jvp)), rel=1e-5)
