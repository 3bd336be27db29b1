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


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_split_partitions_the_layers(depth):
    """x = the last layer (d_{depth-1} x 1), u = every earlier layer, in order; together they are all of W."""
    net, W = small_net(depth, (3,) + (5,) * (depth - 2) + (9,))
    xs, us = net.split(W)
    assert len(xs) == 1 and len(us) == depth - 1
    assert xs[0].shape == (2, 9, 1)
    for a, b in zip(us + xs, W):
        np.testing.assert_array_equal(a, b)


@settings(max_examples=15)
@given(seed=st.integers(0, 10_000), t=st.floats(0.05, 20.0), depth=st.integers(2, 4))
def test_x_block_constants_are_positively_homogeneous(seed, t, depth):
    """The network has no biases, so scaling a hidden layer by t > 0 scales F_{Lambda-1}, hence mu and L1, by t^2
    and leaves kappa = L1/mu unchanged; kappa is L1/mu wherever mu > 0 (small or large), one value per trial."""
    widths = (3,) + (30,) * (depth - 2) + (20,)
    net, W = small_net(seed, widths)
    mu, L1, kappa = net.partition_constants(W)
    assert mu.shape == L1.shape == kappa.shape == (2,) and np.all(mu > 1e-8 * L1)
    np.testing.assert_allclose(kappa, L1 / mu, rtol=1e-12)
    W2 = [t * W[0]] + W[1:]
    mu2, L12, kappa2 = net.partition_constants(W2)
    np.testing.assert_allclose(mu2, t ** 2 * mu, rtol=1e-6)
    np.testing.assert_allclose(L12, t ** 2 * L1, rtol=1e-9)
    np.testing.assert_allclose(kappa2, L12 / mu2, rtol=1e-12)
    np.testing.assert_allclose(kappa2, kappa, rtol=1e-6)
    np.testing.assert_allclose(net.penultimate_singular_values(W2), t * net.penultimate_singular_values(W),
                               rtol=1e-6, atol=1e-12)


def test_constants_at_width_n_and_below():
    """Penultimate width = n: mu is sigma_n(F)^2 (the smallest singular value); width < n: mu = 0, kappa = inf,
    one value per trial."""
    net, W = small_net(74, (3, 40, 8), T=3)  # a seed whose features have rank n in every trial
    _, F = net.features(W)
    mu, L1, kappa = net.partition_constants(W)
    s = np.linalg.svd(F[-1], compute_uv=False)
    np.testing.assert_allclose(mu, s[:, -1] ** 2, rtol=1e-6, atol=1e-12 * s[:, 0].max() ** 2)
    assert np.all(mu > 1e-6 * L1)
    net, W = small_net(0, (3, 6, 4), T=3)
    mu, L1, kappa = net.partition_constants(W)
    assert mu.shape == L1.shape == kappa.shape == (3,)
    assert np.all(mu == 0) and np.all(np.isinf(kappa)) and np.all(L1 > 0)


def test_check_params_messages_say_what_shape_each_layer_needs():
    net, W = small_net(0)  # widths (3, 6, 20), T = 2
    with pytest.raises(ValueError, match=r"^W\[2\] must have shape \(T=2, 20, 1\) "):
        net.loss(W[:-1] + [np.ones((2, 20, 2))])
    with pytest.raises(ValueError, match=r"^W\[0\] must have shape \(T=2, 3, d\) "):
        net.loss([np.ones((2, 4, 6))] + W[1:])
    with pytest.raises(ValueError, match=r"^W\[1\] must have shape \(T=2, 6, d\) "):
        net.loss([W[0], np.ones((2, 6, 0)), np.ones((2, 0, 1))])
    with pytest.raises(TypeError, match=r"^W must be a list of at least 2 weight arrays .*, got list of length 1$"):
        net.loss(W[:1])
    with pytest.raises(TypeError, match=r"^W must be a list of at least 2 weight arrays .*, got ndarray$"):
        net.loss(W[0])


def test_constant_labels_are_refused():
    """n = 3 points on the 'sphere' of R^1 (+1 or -1): seed 1 draws three of the same sign, so one label."""
    with pytest.raises(ValueError, match=r"seed gives 3 inputs with one and the same label \(d0 = 1\)"):
        P.make_regression_data(3, 1, seed=1)


def test_the_smallest_networks():
    """One trial, one input feature, one sample, and a hidden width of 1 are all valid; two samples with centred,
    unit-RMS labels are +1 and -1."""
    X, Y = P.make_regression_data(2, 1, seed=0)
    assert X.shape == (2, 1) and np.all(np.abs(X) == 1.0)
    np.testing.assert_allclose(np.sort(Y), [-1.0, 1.0], rtol=1e-12)
    net = P.ReluNetwork(X, Y)
    W = P.init_network([1, 1, 3], n_trials=1, seed=0)
    assert [w.shape for w in W] == [(1, 1, 1), (1, 1, 3), (1, 3, 1)]
    assert net.loss(W).shape == (1,) and len(net.grad(W)) == 3
    one = P.ReluNetwork(X[:1], Y[:1])
    assert one.n == 1 and one.output(W).shape == (1, 1)
    W1 = P.init_network([1, 2], seed=3)  # one trial by default
    assert [w.shape for w in W1] == [(1, 1, 2), (1, 2, 1)]
    mu, L1, kappa = one.partition_constants(W1)
    assert mu.shape == (1,)
    with pytest.raises(TypeError, match=r"^widths must be a sequence of positive integers .*, got int$"):
        P.init_network(3, seed=0)


@settings(max_examples=15)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 40), d0=st.integers(1, 6))
def test_regression_data_is_on_the_sphere_centred_and_unit_rms(seed, n, d0):
    """Inputs on the unit sphere, labels centred with unit RMS, the same for the same seed.  With d0 = 1 every
    input is +1 or -1; when all have the same sign the labels are constant and are refused, not turned into NaN."""
    try:
        X, Y = P.make_regression_data(n, d0, seed=seed)
    except ValueError as exc:
        assert d0 == 1 and "one and the same label" in str(exc)
        return
    assert X.shape == (n, d0) and Y.shape == (n,)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-12)
    assert abs(Y.mean()) < 1e-12
    np.testing.assert_allclose(np.sqrt(np.mean(Y ** 2)), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(P.make_regression_data(n, d0, seed=seed)[1], Y)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_regression_labels_are_sin_3_a_x_for_a_unit_a(seed):
    """In the plane (d0 = 2), X_i = (cos t_i, sin t_i) and a = (cos p, sin p): the labels are an affine image of
    sin(3 cos(t_i - p)) for some angle p (found by a grid search and least squares); frequency 4 fits no p."""
    X, Y = P.make_regression_data(40, 2, seed=seed)
    theta = np.arctan2(X[:, 1], X[:, 0])

    def misfit(freq, p):  # least-squares residual of Y on [sin(freq cos(theta - p)), 1], for every angle p
        S = np.sin(freq * np.cos(theta[None] - p[:, None]))
        S -= S.mean(axis=1, keepdims=True)
        Yc = Y - Y.mean()
        res = np.sum(Yc ** 2) - (S @ Yc) ** 2 / np.sum(S ** 2, axis=1)
        return np.sqrt(np.maximum(res, 0.0))

    grid = np.linspace(-np.pi, np.pi, 4001)
    best3 = grid[np.argmin(misfit(3.0, grid))]
    assert misfit(3.0, np.linspace(best3 - 2e-3, best3 + 2e-3, 2001)).min() < 1e-5
    assert misfit(4.0, grid).min() > 1e-2


def test_local_coupling_of_a_two_layer_network_against_autograd():
    """Depth 2 (one u-layer): G1 = ||J_u h|| from torch's Jacobian."""
    net, W = small_net(5, (3, 12), T=2)
    G1, G2 = net.local_coupling(W)
    X, Y = torch.as_tensor(net.X), torch.as_tensor(net.Y)
    for t in range(2):
        W1, w2 = torch.tensor(W[0][t]), torch.tensor(W[1][t])
        J = torch.autograd.functional.jacobian(lambda V: (torch.relu(X @ V) @ w2)[:, 0], W1).reshape(net.n, -1)
        assert G1[t] == pytest.approx(float(torch.linalg.matrix_norm(J, 2)), rel=1e-10)
    assert np.all(G2 >= 0) and G2.shape == (2,)
