"""accelbook.partition: Theorems 6 and 7's parameters and rates, the additive model's constants (Theorem 13)
against their definitions, Lemma 8 and the gradient-dominance lemma on random instances and along runs,
the deep ReLU network's gradients and its torch twin, the kappa explorer, and bad input."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbook import methods, partition as P, theory, torch_bridge

seeds = st.integers(0, 2**32 - 1)
kappas = st.floats(1.0, 1e4)
cs = st.floats(0.01, 1.0)


def random_model(seed, *, kappa=None, sigma=None, dim_x=None, dim_u=None, T=3):
    rng = np.random.default_rng(seed)
    kappa = 10 ** rng.uniform(0, 3) if kappa is None else kappa
    sigma = 10 ** rng.uniform(-2, 1) if sigma is None else sigma
    dim_x = int(rng.integers(1, 9)) if dim_x is None else dim_x
    dim_u = int(rng.integers(1, 9)) if dim_u is None else dim_u
    return P.make_additive(kappa, sigma, dim_x=dim_x, dim_u=dim_u, n_trials=T, seed=rng)


# ---------------------------------------------------------------- beta and the rates of Theorems 6 and 7
def test_nesterov_beta_values():
    assert P.nesterov_beta(1.0) == pytest.approx(3 / 11)
    assert P.nesterov_beta(16.0) == pytest.approx(15 / 23)
    assert P.nesterov_beta(100.0, c=0.25) == pytest.approx((40 - 0.5) / (40 + 3.5))
    k = np.array([1.0, 10.0, 1e3])
    np.testing.assert_allclose(P.nesterov_beta(k, 0.5), [P.nesterov_beta(float(x), 0.5) for x in k])
    assert isinstance(P.nesterov_beta(4.0), float)


@given(kappa=kappas, c=cs)
def test_nesterov_beta_properties(kappa, c):
    b = P.nesterov_beta(kappa, c)
    assert 3 / 11 - 1e-12 <= b < 1
    assert P.nesterov_beta(kappa * 1.5, c) > b  # more momentum for worse conditioning
    assert P.nesterov_beta(kappa, c * 0.5) > b  # and for a smaller step
    # 1 - beta = 8 sqrt(c) / (4 sqrt(kappa) + 7 sqrt(c))
    assert 1 - b == pytest.approx(8 * np.sqrt(c) / (4 * np.sqrt(kappa) + 7 * np.sqrt(c)), rel=1e-9)


def test_nesterov_beta_asymptotics():
    k = 1e12
    assert (1 - P.nesterov_beta(k, 0.36)) * np.sqrt(k) == pytest.approx(2 * 0.6, rel=1e-5)


@given(kappa=kappas, c=cs, k=st.integers(0, 500))
def test_rates_and_bounds(kappa, c, k):
    assert P.theorem6_rate(kappa, c) == pytest.approx(1 - c / (4 * kappa))
    assert P.theorem7_rate(kappa, c) == pytest.approx(1 - c / (4 * np.sqrt(kappa)))
    assert P.theorem7_rate(kappa, c) <= P.theorem6_rate(kappa, c) + 1e-15  # equality only at kappa = 1
    assert P.theorem6_bound(kappa, k, c) == pytest.approx(P.theorem6_rate(kappa, c) ** k)
    assert P.theorem7_bound(kappa, k, c) == pytest.approx(2 * P.theorem7_rate(kappa, c) ** k)


def test_rate_iteration_counts_scale_like_kappa_and_sqrt_kappa():
    its = lambda rate: np.log(1e-2) / np.log(rate)
    ratio = [its(P.theorem6_rate(k)) / its(P.theorem7_rate(k)) for k in (1e4, 1e6)]
    assert ratio[1] / ratio[0] == pytest.approx(10, rel=0.01)  # the ratio grows like sqrt(kappa)
    np.testing.assert_array_equal(P.theorem7_bound(10.0, [0, 0]), [2.0, 2.0])


def test_method_parameters():
    assert P.method_parameters("gd", 50.0, 2.0, 0.5) == (0.25, 0.0)
    eta, beta = P.method_parameters("nesterov", 50.0, 2.0, 0.5)
    assert eta == 0.25 and beta == P.nesterov_beta(50.0, 0.5)
    # heavy ball with c = 1 is Corollary 1 of Wang et al. (Chapter 1)
    np.testing.assert_allclose(P.method_parameters("heavy_ball", 50.0, 2.0),
                               theory.corollary1_parameters(2.0 / 50, 2.0))


# ---------------------------------------------------------------- generators
@given(seed=seeds, dim=st.integers(1, 12), kappa=st.floats(1.0, 1e6), T=st.integers(1, 3))
def test_make_A1_has_the_prescribed_spectrum(seed, dim, kappa, T):
    A1 = P.make_A1(dim, kappa, n_trials=T, seed=seed)
    s = np.linalg.svd(A1, compute_uv=False)
    np.testing.assert_allclose(s[:, 0], 1.0, rtol=1e-10)
    if dim > 1:
        np.testing.assert_allclose((s[:, 0] / s[:, -1]) ** 2, kappa, rtol=1e-7)
    np.testing.assert_array_equal(A1, P.make_A1(dim, kappa, n_trials=T, seed=seed))  # seeded


@given(seed=seeds, sigma=st.floats(0.0, 100.0))
def test_make_A2_has_the_target_norm(seed, sigma):
    A2 = P.make_A2(4, 7, sigma, n_trials=2, seed=seed)
    assert A2.shape == (2, 4, 7)
    np.testing.assert_allclose(np.linalg.norm(A2, 2, axis=(1, 2)), sigma, rtol=1e-10, atol=1e-300)


# ---------------------------------------------------------------- the additive model (Theorem 13)
def torch_additive_grad(model, x, u):
    A1, A2, b = (torch.as_tensor(a) for a in (model.A1, model.A2, model.b))
    xt = torch.tensor(x, requires_grad=True)
    ut = torch.tensor(u, requires_grad=True)
    h = torch.einsum("tij,tj->ti", A1, xt) + torch.relu(torch.einsum("tij,tj->ti", A2, ut))
    loss = 0.5 * ((h - b) ** 2).sum()
    loss.backward()
    return xt.grad.numpy(), ut.grad.numpy()


@settings(max_examples=20)
@given(seed=seeds)
def test_additive_gradients_match_autograd(seed):
    model, (x, u) = random_model(seed)
    gx, gu = model.grad([x, u])
    tx, tu = torch_additive_grad(model, x, u)
    np.testing.assert_allclose(gx, tx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gu, tu, rtol=1e-10, atol=1e-12)
    assert model.loss([x, u]) == pytest.approx(0.5 * np.sum((model.output([x, u]) - model.b) ** 2, axis=1))


@given(seed=seeds)
def test_additive_constants_are_the_formulas(seed):
    model, _ = random_model(seed)
    s1 = np.linalg.svd(model.A1, compute_uv=False)
    s2 = np.linalg.norm(model.A2, 2, axis=(1, 2))
    np.testing.assert_allclose(model.mu, s1[:, -1] ** 2)
    np.testing.assert_allclose(model.L1, s1[:, 0] ** 2)
    np.testing.assert_allclose(model.G1, s2)
    np.testing.assert_allclose(model.G2, s1[:, 0] * s2)
    assert model.L2 == 1.0 and model.f_star == 0.0


@settings(max_examples=40)
@given(seed=seeds, scale=st.floats(0.01, 100.0))
def test_lipschitz_estimates_never_exceed_the_constants(seed, scale):
    model, _ = random_model(seed)
    r = P.lipschitz_ratios(model, 25, seed=seed, scale=scale)
    slack = 1 + 1e-10
    assert np.all(r["G1"] <= model.G1 * slack)  # A4
    assert np.all(r["G2"] <= model.G2 * slack)  # A5
    assert np.all(r["L1"] <= model.L1 * slack)  # A2
    assert np.all(r["mu"] >= model.mu / slack)  # A1
    assert np.all(r["x_star"] <= model.G2 / model.mu * slack)  # Lemma 8
    assert np.all(r["x_star"] <= model.x_star_lipschitz() * slack)  # the sharper additive constant
    assert np.all(r["dominance"] <= model.G1 ** 2 * model.L2 / model.mu * slack)  # gradient dominance


@given(seed=seeds)
def test_constants_are_attained(seed):
    """No constant is needlessly large: worst-case pairs reach L1, mu, G1 and the sharp x* constant."""
    rng = np.random.default_rng(seed)
    model, _ = random_model(seed, dim_x=5, dim_u=5, T=1, sigma=float(10 ** rng.uniform(-2, 1)))
    U1, S1, V1t = np.linalg.svd(model.A1[0])
    U2, S2, V2t = np.linalg.svd(model.A2[0])
    x = rng.standard_normal((1, 5))
    u = np.linalg.solve(model.A2[0], 10 + rng.uniform(size=5))[None]  # every ReLU active
    eps = 1e-3 * np.min(model.A2[0] @ u[0]) / S2[0]  # a unit step of size eps keeps every ReLU active
    u2 = u + eps * V2t[0][None]
    g = lambda xx, uu: model.grad([xx, uu])[0]
    assert np.linalg.norm(model.output([x, u]) - model.output([x, u2])) / eps == pytest.approx(model.G1[0], rel=1e-6)
    dx = V1t[0][None]
    assert np.linalg.norm(g(x + dx, u) - g(x, u)) == pytest.approx(model.L1[0], rel=1e-9)
    dx = V1t[-1][None]
    assert np.sum((g(x + dx, u) - g(x, u)) * dx) == pytest.approx(model.mu[0], rel=1e-6)
    # x*(u) = A1^{-1}(b - A2 u) here, so its Lipschitz constant is ||A1^{-1} A2|| <= sigma_max(A2)/sigma_min(A1)
    ustep = np.linalg.svd(np.linalg.solve(model.A1[0], model.A2[0]))[2][0]
    assert np.all(model.A2[0] @ (u + eps * ustep)[0] > 0)
    ratio = P.lemma8_ratio(model, u + eps * ustep[None], u)[0]
    assert ratio == pytest.approx(np.linalg.norm(np.linalg.solve(model.A1[0], model.A2[0]), 2), rel=1e-6)
    assert ratio <= model.x_star_lipschitz()[0] * (1 + 1e-10)


@given(seed=seeds)
def test_x_star_is_the_minimiser(seed):
    model, (x, u) = random_model(seed)
    xs = model.x_star(u)
    np.testing.assert_allclose(model.grad([xs, u])[0], 0.0, atol=1e-8 * (1 + np.abs(model.b).max()))
    np.testing.assert_allclose(model.loss([xs, u]), 0.0, atol=1e-16 * (1 + np.abs(model.b).max()) ** 2 * 1e4)


# ---------------------------------------------------------------- Lemma 8 and gradient dominance
def test_tall_A1_breaks_A6_and_gradient_dominance():
    """Without A6 (tall A1) min_x f > 0 depends on u, and at x = x*(u) the gradient-dominance ratio is
    infinite: the lemma needs A6.  Lemma 8 does not, and still holds."""
    model, (x, u) = P.make_additive(10.0, 1.0, dim_x=4, dim_u=6, dim_out=7, n_trials=3, seed=4)
    assert not model.satisfies_A6 and model.f_star is None
    xs = model.x_star(u)
    np.testing.assert_allclose(model.grad([xs, u])[0], 0.0, atol=1e-12)
    assert np.all(model.min_x_loss(u) > 0)
    assert np.all(model.min_x_loss(u) <= model.loss([x, u]))
    assert np.all(P.gradient_dominance_ratio(model, [xs, u]) > model.G1 ** 2 * model.L2 / model.mu)
    u2 = u + np.random.default_rng(0).standard_normal(u.shape)
    assert np.all(P.lemma8_ratio(model, u, u2) <= model.G2 / model.mu)
    square, (xq, uq) = P.make_additive(10.0, 1.0, dim_x=4, dim_u=6, n_trials=3, seed=4)
    assert square.satisfies_A6 and square.f_star == 0.0
    np.testing.assert_allclose(square.min_x_loss(uq), 0.0, atol=1e-20)


@settings(max_examples=40)
@given(seed=seeds, sigma=st.floats(0.0, 10.0), scale=st.floats(0.01, 100.0))
def test_lemma8_and_dominance_on_random_points(seed, sigma, scale):
    """A6 holds at every u for the additive model, so both lemmas are claimed everywhere."""
    model, _ = random_model(seed, sigma=sigma)
    rng = np.random.default_rng(seed)
    T, dx, du = model.n_trials, model.dim_x, model.dim_u
    u1, u2 = scale * rng.standard_normal((2, T, du))
    assert np.all(P.lemma8_ratio(model, u1, u2) <= model.G2 / model.mu * (1 + 1e-10))
    x = scale * rng.standard_normal((T, dx))
    assert np.all(P.gradient_dominance_ratio(model, [x, u1]) <= model.G1 ** 2 * model.L2 / model.mu * (1 + 1e-10))


@settings(max_examples=15)
@given(seed=seeds, sigma=st.one_of(st.just(0.0), st.floats(1e-3, 5.0)), kappa=st.floats(2.0, 1e3))
def test_lemmas_along_nesterov_runs(seed, sigma, kappa):
    model, w0 = random_model(seed, sigma=sigma, kappa=kappa)
    eta, beta = P.method_parameters("nesterov", kappa, float(model.L1.max()), P.safe_c(model))
    d = P.run_diagnostics(model, w0, eta, beta, 150)
    assert not d["run"].diverged
    finite = ~np.isnan(d["x_star"])
    assert finite.sum() > 0 or sigma == 0  # with A2 = 0 the block u never moves
    assert np.all(d["x_star"][finite] <= np.broadcast_to(model.G2 / model.mu, d["x_star"].shape)[finite] * (1 + 1e-8))
    bound = model.G1 ** 2 * model.L2 / model.mu * (1 + 1e-8)
    assert np.all(d["dominance_x"] <= bound) and np.all(d["dominance_y"] <= bound)


# ---------------------------------------------------------------- Theorems 6 and 7 on runs
@settings(max_examples=30)
@given(seed=seeds, kappa=st.floats(2.0, 1e3), sigma=st.floats(0.0, 0.1), c=st.floats(0.1, 1.0))
def test_theorems_6_and_7_hold_in_the_small_coupling_regime(seed, kappa, sigma, c):
    model, w0 = random_model(seed, sigma=sigma, kappa=kappa)
    for method in ("gd", "nesterov"):
        eta, beta = P.method_parameters(method, kappa, float(model.L1.max()), c)
        run = P.train(model, w0, method, 300, eta=eta, beta=beta)
        assert not run.result.diverged
        assert np.all(P.bound_ratio(run, kappa, c) <= 1.0), method


def test_theorems_fail_far_outside_the_regime():
    """The guarantee is conditional: with eta = 1/L1 and sigma_max(A2) = 5 every method diverges."""
    out = P.theorem_check_sweep([0.01, 5.0], n_iter=100, n_trials=3)
    assert np.all(out["gd"][:1] <= 1) and np.all(out["nesterov"][:1] <= 1)
    assert out["diverged_gd"][1] and out["diverged_nesterov"][1]
    assert out["gd"][1] > 1 and out["nesterov"][1] > 1


def test_safe_c():
    model, _ = P.make_additive(100.0, 5.0, n_trials=2, seed=0)
    assert P.safe_c(model) == pytest.approx(1 / 26)
    model, _ = P.make_additive(100.0, 0.0, n_trials=2, seed=0)
    assert P.safe_c(model) == 1.0


# ---------------------------------------------------------------- runs and their bookkeeping
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
    assert run.losses.shape == (41, 3) and run.relative_losses[0].tolist() == [1.0, 1.0, 1.0]


def test_batched_trials_equal_separate_runs():
    model, w0 = P.make_additive(50.0, 0.3, dim_x=5, dim_u=4, n_trials=3, seed=2)
    eta, beta = P.method_parameters("nesterov", 50.0, 1.0)
    batch = P.train(model, w0, "nesterov", 30, eta=eta, beta=beta)
    for i in range(3):
        one = P.AdditiveModel(model.A1[i:i + 1], model.A2[i:i + 1], model.b[i:i + 1])
        single = P.train(one, [w0[0][i:i + 1], w0[1][i:i + 1]], "nesterov", 30, eta=eta, beta=beta)
        np.testing.assert_allclose(single.losses[:, 0], batch.losses[:, i], rtol=1e-10)


def test_divergence_is_reported():
    model, w0 = P.make_additive(100.0, 5.0, n_trials=2, seed=0)
    run = P.train(model, w0, "nesterov", 500, eta=1.0, beta=P.nesterov_beta(100.0))
    assert run.result.diverged and "diverged at iteration" in run.result.message
    assert run.losses.shape[0] == run.dx.shape[0] + 1 and np.all(np.isfinite(run.losses))


def test_tol_stops_and_iterations_to_tol():
    model, w0 = P.make_additive(100.0, 0.01, n_trials=4, seed=3)
    eta, beta = P.method_parameters("nesterov", 100.0, 1.0)
    run = P.train(model, w0, "nesterov", 10_000, eta=eta, beta=beta, tol=1e-2)
    assert run.result.converged and np.all(run.relative_losses[-1] <= 1e-2)
    hit = P.iterations_to_tol(run.relative_losses, 1e-2)
    for i, k in enumerate(hit):
        assert run.relative_losses[k, i] <= 1e-2 and np.all(run.relative_losses[:k, i] > 1e-2)
    np.testing.assert_array_equal(P.iterations_to_tol(np.array([1.0, 0.5]), 1e-3), [-1])


def test_measured_rate_and_slope():
    R = 0.9 ** np.arange(400)[:, None] * np.array([1.0, 1.0])
    np.testing.assert_allclose(P.measured_rate(R, floor=1e-10), 0.9, rtol=1e-3)
    assert P.loglog_slope([1, 10, 100], [3, 30, 300]) == pytest.approx(1.0)
    assert P.loglog_slope([1, 100], [5, 50]) == pytest.approx(0.5)


def test_kappa_sweep_counts_match_single_runs():
    out = P.kappa_sweep([10.0, 300.0], n_trials=3, seed=5)
    assert out["gd"].shape == (2, 3) and np.all(out["nesterov"] > 0)
    assert np.all(out["nesterov"][1] < out["gd"][1])  # acceleration at kappa = 300
    model, w0 = P.make_additive(300.0, None, n_trials=3, seed=6)  # the sweep seeds kappa i with seed + i
    eta, beta = P.method_parameters("nesterov", 300.0, float(model.L1.max()))
    run = P.train(model, w0, "nesterov", 5000, eta=eta, beta=beta)
    np.testing.assert_array_equal(P.iterations_to_tol(run.relative_losses, 1e-2), out["nesterov"][1])


# ---------------------------------------------------------------- the deep ReLU network
def small_net(seed, widths=(3, 6, 20), T=2):
    X, Y = P.make_regression_data(8, widths[0], seed=seed)
    return P.ReluNetwork(X, Y), P.init_network(widths, n_trials=T, seed=seed + 1)


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


def test_torch_nesterov_holds_y_and_recovers_x_on_the_network():
    net, W = small_net(3, (3, 6, 20), T=2)
    mu, L1, kappa = net.partition_constants(W)
    eta, beta = P.method_parameters("nesterov", float(kappa.max()), float(L1.max()))
    ours = methods.nesterov(net.grad, W, eta, beta, 30, store_y=True)
    theirs = torch_bridge.sgd_iterates(P.torch_network_loss(net), W, eta, beta, 30, nesterov=True)
    for y_ours, y_theirs in zip(ours.y_iterates, theirs):
        for a, b in zip(y_ours, y_theirs):
            np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
    xs = P.nesterov_x_from_torch(theirs, net.grad, eta)
    for x_ours, x_theirs in zip(ours.iterates[1:], xs):
        for a, b in zip(x_ours, x_theirs):
            np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


def test_network_runs_track_features_and_accelerate():
    runs, info = P.network_runs(64, n_iter=80, n_trials=3, track_every=20)
    nes, gd = runs["nesterov"], runs["gd"]
    assert nes.sigma_min.shape == (5, 3) and nes.tracked_at.tolist() == [0, 20, 40, 60, 80]
    np.testing.assert_allclose(nes.sigma_min[0] ** 2, info["mu"])
    assert np.all(nes.relative_losses[60] < gd.relative_losses[60])
    assert gd.beta == 0.0 and nes.beta == P.nesterov_beta(info["kappa_used"])


# ---------------------------------------------------------------- the kappa explorer
def test_explorer_data_and_callback():
    d = P.partition_explorer_data(100.0)
    for m in ("gd", "nesterov"):
        y, k = d[f"losses_{m}"], d[f"hit_{m}"]
        assert y[0] == 1.0 and y[k] <= 1e-2 and np.all(y[:k] > 1e-2)
    assert d["hit_nesterov"] < d["hit_gd"] and d["ratio"] == pytest.approx(d["hit_gd"] / d["hit_nesterov"])
    fig = P.partition_explorer_callback(100.0)
    (ax,) = fig.get_axes()
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "iteration k"
    labels = [line.get_label() for line in ax.get_lines()]
    assert "gradient descent" in labels and "Nesterov" in labels
    assert str(d["hit_gd"]) in ax.get_title() and str(d["hit_nesterov"]) in ax.get_title()
    plt.close(fig)


def test_penultimate_singular_values_match_svd():
    for widths in ((3, 6, 20), (3, 6, 5)):  # wide and narrow penultimate layer
        net, W = small_net(1, widths)
        _, F = net.features(W)
        np.testing.assert_allclose(net.penultimate_singular_values(W), np.linalg.svd(F[-1], compute_uv=False),
                                   rtol=1e-7, atol=1e-10)


def test_active_fraction():
    model, (x, u) = P.make_additive(10.0, 1.0, dim_x=4, dim_u=5, n_trials=2, seed=0)
    np.testing.assert_allclose(model.active_fraction(u), np.mean(np.einsum("tij,tj->ti", model.A2, u) > 0, axis=1))
    assert np.all(model.active_fraction(np.zeros_like(u)) == 0)


# ---------------------------------------------------------------- summaries and figures
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


def test_regime_and_lemma_figures_draw(small_regimes):
    fig = plt.figure()
    axes = P.draw_regimes(small_regimes, fig)
    assert axes.shape == (2, 2) and all(ax.get_yscale() == "log" for ax in axes.ravel())
    assert len(axes[0, 0].collections) == 2  # one quantile band per method
    plt.close(fig)
    fig = plt.figure()
    assert P.draw_regimes(small_regimes, fig, methods_=("heavy_ball", "nesterov"), steps=False).shape == (1, 2)
    plt.close(fig)
    diags, models = {}, {}
    for s in (0.01, 5.0):
        models[s], w0 = P.make_additive(100.0, s, n_trials=3, seed=2)
        eta, beta = P.method_parameters("nesterov", 100.0, 1.0, P.safe_c(models[s]))
        diags[s] = P.run_diagnostics(models[s], w0, eta, beta, 30)
    fig = plt.figure()
    ax1, ax2 = P.draw_lemma_checks(diags, models, fig)
    assert "Lemma 8" in [line.get_label() for line in ax1.get_lines()]
    plt.close(fig)


def test_width_study_and_network_figures():
    study = P.width_study((32, 64), n_iter=60, n_trials=2)
    assert study["hits"]["nesterov"].shape == (2, 2) and study["kappa"].shape == (2, 2)
    assert study["du_over_dx"]["gd"].shape == (2, 2) and np.all(study["sigma_change"] >= 0)
    run = study["runs"][64]["gd"]
    np.testing.assert_array_equal(study["hits"]["gd"][1], P.iterations_to_tol(run.relative_losses, 1e-3))
    fig = plt.figure()
    assert len(P.draw_network(study["runs"][64], fig)) == 3
    plt.close(fig)
    fig = plt.figure()
    ax1, ax2 = P.draw_width_study(study, fig)
    assert ax1.get_xscale() == "log" and ax2.get_yscale() == "log"
    plt.close(fig)


def test_explorer_static_small_multiples():
    fig = P.partition_explorer_static((10.0, 100.0))
    axes = fig.get_axes()
    assert len(axes) == 2 and all(ax.get_yscale() == "log" for ax in axes)
    assert "GD" in axes[1].get_title()
    plt.close(fig)
    with pytest.raises(ValueError, match="kappas must not be empty"):
        P.partition_explorer_static(())


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, exc, match", [
    (lambda: P.nesterov_beta(0.5), ValueError, "kappa must be finite and >= 1"),
    (lambda: P.nesterov_beta(np.nan), ValueError, "kappa must be finite"),
    (lambda: P.nesterov_beta(10.0, c=0.0), ValueError, "c must be > 0"),
    (lambda: P.nesterov_beta(10.0, c=1.5), ValueError, "c must be <= 1"),
    (lambda: P.nesterov_beta(10.0, c="1"), TypeError, "c must be a real number"),
    (lambda: P.theorem6_bound(10.0, -1), ValueError, "k must be integers >= 0"),
    (lambda: P.theorem7_bound(10.0, 1.5), ValueError, "k must be integers >= 0"),
    (lambda: P.method_parameters("adam", 10.0, 1.0), ValueError, "method must be one of"),
    (lambda: P.method_parameters("gd", 10.0, 0.0), ValueError, "L1 must be > 0"),
    (lambda: P.make_A1(3, 0.5, seed=0), ValueError, "kappa must be >= 1"),
    (lambda: P.make_A1(3, 10.0, seed=None), TypeError, "seed must be an int"),
    (lambda: P.make_A2(3, 2, -1.0, seed=0), ValueError, "sigma_max must be >= 0"),
    (lambda: P.AdditiveModel(np.ones((1, 2, 3)), np.ones((1, 2, 2)), np.ones((1, 2))), ValueError,
     "A1 must have at least as many rows as columns"),
    (lambda: P.AdditiveModel(np.zeros((1, 2, 2)), np.ones((1, 2, 2)), np.ones((1, 2))), ValueError,
     "A1 must have full column rank"),
    (lambda: P.make_A1(3, 10.0, seed=0, rows=2), ValueError, "rows must be >= 3"),
    (lambda: P.AdditiveModel(np.eye(2)[None], np.ones((1, 3, 2)), np.ones((1, 2))), ValueError, "A2 must have shape"),
    (lambda: P.AdditiveModel(np.eye(2)[None], np.ones((1, 2, 2)), np.ones((1, 3))), ValueError, "b must have shape"),
    (lambda: P.AdditiveModel(np.eye(2), np.ones((2, 2)), np.ones(2)), ValueError, "A1 must be 3-dimensional"),
    (lambda: P.train(*P.make_additive(10.0, 0.1, n_trials=1, seed=0), "sgd", 5, eta=0.1), ValueError,
     "method must be one of"),
    (lambda: P.iterations_to_tol([1.0, 0.5], 0.0), ValueError, "tol must be > 0"),
    (lambda: P.measured_rate([1.0], 1e-3), ValueError, "at least 2 iterations"),
    (lambda: P.loglog_slope([1.0, -1.0], [1.0, 2.0]), ValueError, "must be positive"),
    (lambda: P.init_network([3], seed=0), ValueError, "at least one hidden width"),
    (lambda: P.init_network([3, 0], seed=0), ValueError, r"widths\[1\] must be >= 1"),
    (lambda: P.ReluNetwork(np.ones((4, 2)), np.ones(3)), ValueError, "Y must have shape"),
    (lambda: P.network_runs(8, n_iter=1, n_trials=1), ValueError, "do not have rank n"),
    (lambda: P.partition_explorer_data(0.5), ValueError, "kappa must be >= 1"),
    (lambda: P.partition_explorer_data(10.0, -0.1), ValueError, "sigma_A2 must be >= 0"),
    (lambda: P.partition_explorer_data(10.0, tol=2.0), ValueError, "tol must be < 1"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
