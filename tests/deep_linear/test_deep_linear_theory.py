"""accelbook.deep_linear.theory: Lemma 13 made exact (the Gram matrix at the orthogonal initialisation and the
singular values of the products), Theorem 10's parameters as Corollary 1's for H0, and the bounds' values."""

import numpy as np
import pytest
from hypothesis import given, settings
from deep_linear_helpers import instances

from accelbook import deep_linear as dl
from accelbook import theory


# ---------------------------------------------------------------- Lemma 13, exact
@settings(max_examples=40)
@given(inst=instances())
def test_lemma13_gram_identity_at_orthogonal_init(inst):
    prob, w0 = inst
    depth = len(w0)
    H0 = dl.gram(w0, prob.X)
    closed = dl.lemma13_gram(prob.X, prob.d_y, depth)
    np.testing.assert_allclose(H0, closed, rtol=0, atol=1e-10 * np.abs(closed).max())
    np.testing.assert_allclose(dl.gram_at_init(w0, prob.X), closed)
    eig = np.linalg.eigvalsh(H0)
    sv = np.linalg.svd(prob.X, compute_uv=False)
    assert eig[0] == pytest.approx(depth * sv[-1] ** 2 / prob.d_y, rel=1e-9)
    assert eig[-1] == pytest.approx(depth * sv[0] ** 2 / prob.d_y, rel=1e-9)
    assert eig[-1] / eig[0] == pytest.approx(prob.kappa, rel=1e-8)


def test_lemma13_gram_fails_away_from_orthogonal_init():
    prob = dl.make_problem(4, 3, 2, seed=0)
    ws = [np.random.default_rng(1).standard_normal(s) for s in dl.layer_shapes(4, 2, 6, 3)]
    assert not np.allclose(dl.gram(ws, prob.X), dl.lemma13_gram(prob.X, 2, 3), rtol=1e-3)


@pytest.mark.parametrize("d, d_y, m, depth", [(3, 2, 8, 5), (4, 4, 4, 3), (2, 3, 10, 2)])
def test_lemma13_singular_values_of_partial_products(d, d_y, m, depth):
    ws = dl.orthogonal_init(d, d_y, m, depth, seed=3)
    for i in range(1, depth + 1):
        for j in range(i, depth + 1):
            s = dl.product_singular_values(ws, i, j)
            if (i, j) != (1, depth):
                np.testing.assert_allclose(s, 1.0, atol=1e-10)
    full = dl.product_singular_values(ws, 1, depth)
    assert full.max() <= 1 + 1e-10
    if m > d + d_y - 1 and depth >= 2:  # erratum: the full product is not m^{L/2} times an isometry
        assert full.max() < 1 - 1e-6
    else:  # m = d = d_y: every layer is square and the claim holds
        np.testing.assert_allclose(full, 1.0, atol=1e-10)


# ---------------------------------------------------------------- Theorem 10's parameters and bounds
def test_theorem10_parameters_are_corollary1_for_H0():
    prob = dl.make_problem(6, 4, 3, kappa=50.0, seed=0)
    eta, beta = prob.parameters(17)
    H0 = dl.lemma13_gram(prob.X, 3, 17)
    eig = np.linalg.eigvalsh(H0)
    assert eta * eig[-1] == pytest.approx(1.0) and eta * prob.lam(17) == pytest.approx(1 / 50.0)
    assert (eta, beta) == pytest.approx(theory.corollary1_parameters(eig[0], eig[-1]))
    theory.check_theorem5_condition(H0, eta, beta)
    assert theory.theorem5_constant(H0, eta, beta) <= 4 * np.sqrt(50.0)
    assert dl.theorem4_step(prob.X, 3, 17) == pytest.approx(eta / 2)
    assert dl.data_condition_number(prob.X) == pytest.approx(50.0, rel=1e-10)


def test_theorem10_bound_values():
    assert dl.theorem10_rate(16.0) == pytest.approx(1 - 1 / 16)
    np.testing.assert_allclose(dl.theorem10_bound(16.0, [0, 2]), [32.0, 32.0 * (15 / 16) ** 2])
    assert dl.theorem10_bound(16.0, 0) == pytest.approx(32.0)
    X = np.diag([2.0, 1.0])
    # R = 64 ||X|| sqrt(d_y) nu C0 B0 / (L sigma_min^2)
    assert dl.r_l_linear(X, 4, 8, nu_c0=3.0, b0=0.5) == pytest.approx(64 * 2 * 2 * 3 * 0.5 / 8)


def test_bad_inputs_give_clear_errors():
    prob = dl.make_problem(4, 3, 2, seed=0)
    ws = prob.init(6, 3, seed=0)
    bad = [w.copy() for w in ws]
    bad[1][0, 0] += 0.1
    with pytest.raises(ValueError, match="weights0\\[1\\] is not a scaled orthogonal layer.*required here"):
        dl.gram_at_init(bad, prob.X)
    with pytest.raises(ValueError, match="j must be <= depth L = 3"):
        dl.product_singular_values(ws, 1, 4)
    with pytest.raises(ValueError, match="nu_c0 must be >= 0"):
        dl.r_l_linear(prob.X, 2, 3, nu_c0=-1.0, b0=1.0)
    with pytest.raises(ValueError, match="X must have full column rank"):
        dl.data_condition_number(np.ones((3, 2)))
    with pytest.raises(TypeError, match="kappa must be a real number"):
        dl.theorem10_rate("abc")
    with pytest.raises(ValueError, match="t must be >= 0"):
        dl.theorem10_bound(4.0, -1)
