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
