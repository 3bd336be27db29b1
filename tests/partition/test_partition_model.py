"""accelbook.partition.model: the additive model's generators, gradients (against autograd), constants
(Theorem 13) against their definitions, the minimiser x*(u), A6 and bad input."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbook import partition as P
from partition_cases import random_model

seeds = st.integers(0, 2**32 - 1)


@given(seed=seeds, dim=st.integers(1, 12), kappa=st.floats(1.0, 1e6), T=st.integers(1, 3))
def test_make_A1_has_the_prescribed_spectrum(seed, dim, kappa, T):
    kappa = kappa if dim > 1 else 1.0  # a 1 x 1 matrix has one singular value
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


@given(seed=seeds, dim=st.integers(2, 8), kappa=st.floats(1.0, 1e4), sigma_A1=st.floats(0.1, 10.0))
def test_make_A1_honours_kappa_and_the_scale(seed, dim, kappa, sigma_A1):
    """L1 = sigma_max(A1)^2 and mu = L1/kappa, measured on the x-Hessian A1^T A1 (its eigenvalues)."""
    model, _ = P.make_additive(kappa, 0.1, dim_x=dim, dim_u=2, n_trials=2, seed=seed, sigma_A1=sigma_A1)
    eig = np.linalg.eigvalsh(np.swapaxes(model.A1, 1, 2) @ model.A1)
    np.testing.assert_allclose(eig[:, -1], sigma_A1 ** 2, rtol=1e-9)
    np.testing.assert_allclose(eig[:, -1] / eig[:, 0], kappa, rtol=1e-6)
    np.testing.assert_allclose(model.L1, eig[:, -1], rtol=1e-9)
    np.testing.assert_allclose(model.mu, eig[:, 0], rtol=1e-6)
    np.testing.assert_allclose(model.kappa, kappa, rtol=1e-6)


def test_make_A1_refuses_a_kappa_a_1x1_matrix_cannot_have():
    with pytest.raises(ValueError, match="kappa must be 1 when dim = 1"):
        P.make_A1(1, 100.0, seed=0)
    assert P.make_additive(1.0, 0.1, dim_x=1, n_trials=2, seed=0)[0].kappa.tolist() == [1.0, 1.0]


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
    g = lambda xx, uu: model.grad([xx, uu])[0]  # noqa: E731
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


def test_active_fraction():
    model, (x, u) = P.make_additive(10.0, 1.0, dim_x=4, dim_u=5, n_trials=2, seed=0)
    np.testing.assert_allclose(model.active_fraction(u), np.mean(np.einsum("tij,tj->ti", model.A2, u) > 0, axis=1))
    assert np.all(model.active_fraction(np.zeros_like(u)) == 0)


def test_measure_shares_one_forward_pass_with_the_public_values():
    model, w = P.make_additive(10.0, 1.0, dim_x=4, dim_u=5, n_trials=2, seed=0)
    out = model._measure(w)
    np.testing.assert_array_equal(out["loss"], model.loss(w))
    np.testing.assert_array_equal(out["active_fraction"], model.active_fraction(w[1]))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: P.make_A1(3, 0.5, seed=0), ValueError, "kappa must be >= 1"),
    (lambda: P.make_A1(3, 10.0, seed=None), TypeError, "seed must be an int"),
    (lambda: P.make_A2(3, 2, -1.0, seed=0), ValueError, "sigma_max must be >= 0"),
    (lambda: P.make_additive(10.0, -1.0), ValueError, "sigma_A2 must be >= 0"),
    (lambda: P.make_additive(10.0, 0.1, dim_x=0), ValueError, "dim_x must be >= 1"),
    (lambda: P.make_additive(10.0, 0.1, dim_x=3, dim_out=2), ValueError, "dim_out must be >= 3"),
    (lambda: P.AdditiveModel(np.ones((1, 2, 3)), np.ones((1, 2, 2)), np.ones((1, 2))), ValueError,
     "A1 must have at least as many rows as columns"),
    (lambda: P.AdditiveModel(np.zeros((1, 2, 2)), np.ones((1, 2, 2)), np.ones((1, 2))), ValueError,
     "A1 must have full column rank"),
    (lambda: P.make_A1(3, 10.0, seed=0, rows=2), ValueError, "rows must be >= 3"),
    (lambda: P.AdditiveModel(np.eye(2)[None], np.ones((1, 3, 2)), np.ones((1, 2))), ValueError, "A2 must have shape"),
    (lambda: P.AdditiveModel(np.eye(2)[None], np.ones((1, 2, 2)), np.ones((1, 3))), ValueError, "b must have shape"),
    (lambda: P.AdditiveModel(np.eye(2), np.ones((2, 2)), np.ones(2)), ValueError, "A1 must be 3-dimensional"),
    (lambda: P.make_additive(n_trials=2, dim_x=2, dim_u=2)[0].grad([np.ones((2, 3)), np.ones((2, 2))]), ValueError,
     r"w\[0\] must have shape \(2, 2\)"),
    (lambda: P.make_additive(n_trials=2, dim_x=2, dim_u=2)[0].loss(np.ones((2, 4))), TypeError,
     r"^w must be a list \[x, u\] of two arrays, got ndarray$"),
    (lambda: P.make_additive(n_trials=2, dim_x=2, dim_u=2)[0].x_star(np.ones((1, 2))), ValueError, "u must have shape"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@given(seed=seeds)
def test_public_relu_is_max_z_0(seed):
    """sigma(z) = max(z, 0) entry by entry, with sigma(0) = 0, negative inputs to 0 and positive ones unchanged."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((3, 5)) * 10 ** rng.uniform(-3, 3)
    z[0, 0], z[1, 1] = 0.0, -0.0
    out = P.relu(z)
    np.testing.assert_array_equal(out, torch.relu(torch.as_tensor(z)).numpy())
    assert out[0, 0] == 0.0 and np.all(out[z < 0] == 0) and np.all(out[z > 0] == z[z > 0])
    assert P.relu(0.5) == 0.5 and P.relu(-2) == 0.0


@settings(max_examples=20)
@given(seed=seeds)
def test_residual_vanishes_at_the_minimiser(seed):
    """r = h(x, u) - b: 0 at x = x*(u) (A6: A1 invertible), and f = ||r||^2/2 at any point."""
    model, (x, u) = random_model(seed)
    r = model.residual([x, u])
    np.testing.assert_allclose(model.loss([x, u]), 0.5 * np.sum(r ** 2, axis=1), rtol=1e-12)
    np.testing.assert_allclose(model.residual([model.x_star(u), u]), 0.0, atol=1e-9 * (1 + np.abs(model.b).max()))
    np.testing.assert_allclose(r - model.residual([np.zeros_like(x), u]), np.einsum("tij,tj->ti", model.A1, x),
                               rtol=1e-10, atol=1e-12)


def test_split_returns_the_x_block_and_the_u_block():
    model, (x, u) = P.make_additive(10.0, 1.0, dim_x=3, dim_u=5, n_trials=2, seed=1)
    xs, us = model.split([x, u])
    assert len(xs) == len(us) == 1
    np.testing.assert_array_equal(xs[0], x)
    np.testing.assert_array_equal(us[0], u)


def test_gradient_at_the_relu_kink_follows_torch():
    """At u = 0 every pre-activation A2 u is exactly 0: sigma'(0) = 0 (torch's convention), so grad_u f = 0 there
    and no ReLU counts as active (the active set is A2 u > 0), in the public value and in what training records."""
    model, (x, u) = P.make_additive(10.0, 1.0, dim_x=3, dim_u=4, n_trials=2, seed=2)
    u0 = np.zeros_like(u)
    gx, gu = model.grad([x, u0])
    tx, tu = torch_additive_grad(model, x, u0)
    np.testing.assert_array_equal(gu, 0.0)
    np.testing.assert_allclose(gu, tu, atol=0)
    np.testing.assert_allclose(gx, tx, rtol=1e-12)
    assert np.all(model.active_fraction(u0) == 0)
    assert np.all(model._measure([x, u0])["active_fraction"] == 0)


@given(seed=seeds, B=st.floats(0.1, 10.0))
def test_x_star_constant_is_a_sqrt_kappa_below_lemma8(seed, B):
    """B sigma_max(A2)/sigma_min(A1) = (G2/mu)/sqrt(kappa) (Lemma 8's constant over sqrt(kappa)), and every
    coupling constant scales with the ReLU's Lipschitz constant B."""
    model, _ = random_model(seed)
    scaled = P.AdditiveModel(model.A1, model.A2, model.b, B=B)
    for m in (model, scaled):
        np.testing.assert_allclose(m.x_star_lipschitz() * np.sqrt(m.kappa), m.G2 / m.mu, rtol=1e-9)
    np.testing.assert_allclose(scaled.x_star_lipschitz(), B * model.x_star_lipschitz(), rtol=1e-12)
    np.testing.assert_allclose(scaled.G1, B * model.G1, rtol=1e-12)
    np.testing.assert_allclose(scaled.G2, B * model.G2, rtol=1e-12)


def test_make_additive_defaults_and_the_smallest_sizes():
    """Without sigma_A1, sigma_max(A1) = 1 (L1 = 1, mu = 1/kappa); without sigma_A2, the first regime of DEFAULTS;
    one u coordinate, one trial and one x coordinate are valid sizes."""
    model, (x, u) = P.make_additive(50.0, 0.7, dim_x=3, dim_u=1, n_trials=1, seed=0)
    np.testing.assert_allclose(model.L1, 1.0, rtol=1e-12)
    np.testing.assert_allclose(model.mu, 1 / 50.0, rtol=1e-9)
    np.testing.assert_allclose(model.G1, 0.7, rtol=1e-12)
    assert x.shape == (1, 3) and u.shape == (1, 1) and model.dim_u == 1
    model, _ = P.make_additive(10.0, dim_x=2, dim_u=2, n_trials=2, seed=0)
    np.testing.assert_allclose(model.G1, P.DEFAULTS.sigma_regimes[0], rtol=1e-12)
    model, (x, u) = P.make_additive(1.0, 0.5, dim_x=1, dim_u=1, n_trials=1, seed=3)
    assert model.grad([x, u])[0].shape == (1, 1)


@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e6])
def test_the_rank_check_is_relative(scale):
    """A1 counts as singular when sigma_min <= 1e-12 sigma_max, whatever its scale; a rank-deficient A1 whose
    other singular values are not 0 is refused too (the smallest singular value is the one tested)."""
    b, A2 = np.ones((1, 3)), np.ones((1, 3, 2))
    for s in ([1.0, 1.0, 0.0], [1.0, 0.5, 1e-13], [1.0, 1e-13, 1e-13]):
        with pytest.raises(ValueError, match="A1 must have full column rank"):
            P.AdditiveModel(scale * np.diag(s)[None], A2, b)
    model = P.AdditiveModel(scale * np.diag([1.0, 0.5, 1e-6])[None], A2, b)
    np.testing.assert_allclose(model.kappa, 1e12, rtol=1e-9)
