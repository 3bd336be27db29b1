"""accelbook.partition.lemmas: difference quotients never exceed the constants of Theorem 13; Lemma 8 and
Lemma 9 (gradient dominance) on random points; bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbook import partition as P
from partition_cases import random_model

seeds = st.integers(0, 2**32 - 1)


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


def test_block_grad_norms_for_both_problems():
    model, w = P.make_additive(10.0, 1.0, dim_x=3, dim_u=4, n_trials=2, seed=0)
    gx, gu = model.grad(w)
    nx, nu = P.block_grad_norms(model, w)
    np.testing.assert_allclose(nx, np.linalg.norm(gx, axis=1))
    np.testing.assert_allclose(nu, np.linalg.norm(gu, axis=1))
    X, Y = P.make_regression_data(6, 3, seed=0)
    net, W = P.ReluNetwork(X, Y), P.init_network([3, 4, 8], n_trials=2, seed=1)
    g = net.grad(W)
    nx, nu = P.block_grad_norms(net, W)
    np.testing.assert_allclose(nx, np.linalg.norm(g[-1].reshape(2, -1), axis=1))
    np.testing.assert_allclose(nu, np.sqrt(sum(np.sum(a.reshape(2, -1) ** 2, axis=1) for a in g[:-1])))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: P.block_grad_norms("model", [1, 2]), TypeError, "problem must be"),
    (lambda: P.block_grad_norms(P.make_additive(n_trials=1)[0], [np.ones((1, 3)), np.ones((1, 20))]), ValueError,
     r"w\[0\] must have shape"),
    (lambda: P.lemma8_ratio(P.make_additive(n_trials=1)[0], np.ones((1, 20)), np.ones((1, 20))), ValueError,
     "u2 must differ from u1"),
    (lambda: P.lipschitz_ratios(P.make_additive(n_trials=1)[0], 0, seed=0), ValueError, "n_pairs must be >= 1"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@settings(max_examples=25)
@given(seed=seeds, m=st.integers(2, 7), sigma_A1=st.floats(0.3, 3.0), sigma=st.floats(0.01, 5.0))
def test_true_G2_by_activation_patterns(seed, m, sigma_A1, sigma):
    """The true A5 constant, max_D ||A1^T D A2|| over the patterns (all occur: A2 is square), is attained by a
    pair of points in the best pattern's region, is never exceeded on random pairs, and is at most Theorem 13's
    G2 = B sigma_max(A1) sigma_max(A2)."""
    model, (x, u) = random_model(seed, dim_x=m, dim_u=m, T=1, sigma=sigma, sigma_A1=sigma_A1)
    out = P.pattern_G2(model)
    G2 = out["G2"][0]
    assert out["exhaustive"] and G2 <= model.G2[0] * (1 + 1e-12)
    rng = np.random.default_rng(seed)
    gx = lambda uu: model.grad([x, uu])[0]  # noqa: E731
    for _ in range(50):  # random pairs never beat it
        u1, u2 = rng.standard_normal((2, 1, m)) * 3
        assert np.linalg.norm(gx(u1) - gx(u2)) / np.linalg.norm(u1 - u2) <= G2 * (1 + 1e-9)
    D = out["pattern"][0].astype(float)  # a point inside the best pattern's region ...
    z = np.where(D > 0, 1.0, -1.0) * (1 + rng.uniform(size=m))
    u0 = np.linalg.solve(model.A2[0], z)[None]
    v = np.linalg.svd(model.A1[0].T @ (D[:, None] * model.A2[0]))[2][0]  # ... and its worst direction
    eps = 1e-3 * np.min(np.abs(z)) / np.linalg.norm(model.A2[0], 2)
    assert np.all((model.A2[0] @ (u0[0] + eps * v) > 0) == (D > 0))
    assert np.linalg.norm(gx(u0 + eps * v) - gx(u0)) / eps == pytest.approx(G2, rel=1e-6)


def test_pattern_search_finds_the_exhaustive_maximum():
    for seed in range(4):
        model, _ = random_model(seed, dim_x=9, dim_u=9, T=2, sigma=0.5)
        exact = P.pattern_G2(model, exhaustive=True)["G2"]
        found = P.pattern_G2(model, exhaustive=False, n_starts=6, seed=seed)["G2"]
        assert np.all(found <= exact * (1 + 1e-12)) and np.all(found >= 0.99 * exact)
