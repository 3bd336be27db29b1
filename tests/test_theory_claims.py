"""accelbook.theory additions behind Chapter 1's and 2's claims (issue 14): Corollary 1's constant as a function
of kappa, and Lemma 6's eigendecomposition with the normalisation q_i = [z_i, 1]."""

import numpy as np
import pytest
from conftest import random_psd
from hypothesis import given
from hypothesis import strategies as st

from accelbook import theory

KAPPAS = np.logspace(0, 8, 33)


def _worst_ratio(H, eta, beta, k_max):
    """max over k <= k_max of ||A^k||_2 / sqrt(beta)^k: the exact quantity Theorem 5 bounds."""
    A = theory.momentum_matrix(H, eta, beta) / np.sqrt(beta)
    return theory.matrix_power_norms(A, k_max).max()


@pytest.mark.parametrize("kappa", [1.0, 2.0, 7.3, 50.0, 400.0])
def test_corollary1_constant_is_the_exact_supremum(kappa):
    # diag(1/kappa, 1): the sup over k of ||A^k|| / sqrt(beta)^k approaches the sharp constant and never exceeds it
    eta, beta = theory.corollary1_parameters(1 / kappa, 1.0)
    c0 = theory.corollary1_constant(kappa)
    measured = _worst_ratio(np.diag([1 / kappa, 1.0]), eta, beta, 3000)
    assert measured <= c0 * (1 + 1e-9)
    assert measured >= 0.99 * c0


@given(seed=st.integers(0, 10_000), n=st.integers(2, 6))
def test_corollary1_constant_bounds_every_spectrum_inside(seed, n):
    # concavity of h(beta, .): any H with eta*lambda in [1/kappa, 1] has C0 <= Corollary 1's, with equality
    # when both ends are eigenvalues (the bound binds)
    rng = np.random.default_rng(seed)
    kappa = 10 ** rng.uniform(0.2, 4)
    eta, beta = theory.corollary1_parameters(1 / kappa, 1.0)
    H = random_psd(rng, n, kappa=kappa)  # eigenvalues 1/kappa and 1 included
    assert theory.theorem5_constant(H, eta, beta) == pytest.approx(theory.corollary1_constant(kappa), rel=1e-9)
    lo, hi = np.sort(10 ** rng.uniform(-np.log10(kappa), 0, 2))
    inner = np.diag(np.r_[lo, hi, rng.uniform(lo, hi, n - 2)])
    c_inner = theory.theorem5_constant(inner, eta, beta)
    assert c_inner <= theory.corollary1_constant(kappa) * (1 + 1e-12)
    assert _worst_ratio(inner, eta, beta, 400) <= c_inner * (1 + 1e-9)


def test_corollary1_constant_against_the_stated_bounds():
    sharp = np.array([theory.corollary1_constant(k) for k in KAPPAS]) / np.sqrt(KAPPAS)
    repaired = np.array([theory.corollary1_constant(k, form="corrected") for k in KAPPAS]) / np.sqrt(KAPPAS)
    assert np.all(sharp <= 4 / np.sqrt(3)) and np.all(repaired <= 4)
    assert sharp[-1] == pytest.approx(4 / np.sqrt(3), rel=1e-3)  # the limit
    assert repaired[0] > 4 / np.sqrt(3)  # the repaired-proof constant exceeds (4/sqrt 3) sqrt(kappa) near kappa = 1
    assert np.all(repaired >= sharp)


@given(seed=st.integers(0, 10_000), n=st.integers(1, 6))
def test_lemma6_diagonalises_and_its_condition_number_is_the_sharp_constant(seed, n):
    rng = np.random.default_rng(seed)
    H = random_psd(rng, n) if n > 1 else np.array([[rng.uniform(0.01, 1.0)]])
    eta = rng.uniform(0.2, 3.5)
    lower, _ = theory.admissible_beta_bounds(H, eta)
    if lower >= 1:
        return
    beta = lower + (1 - lower) * rng.uniform(0.02, 0.98)
    d = theory.lemma6_eigenvectors(H, eta, beta)
    A = theory.momentum_matrix(H, eta, beta)
    P = d["P"]
    np.testing.assert_allclose(A @ P, P * d["D"], atol=1e-12 * max(1.0, np.abs(P).max()))
    np.testing.assert_allclose(np.abs(d["D"]), np.sqrt(beta), rtol=1e-12)
    # kappa(P) = max_i kappa(Q_i): the block with the smallest h holds both extreme eigenvalues of QQ*
    blocks = np.array([np.linalg.cond(q) for q in d["Q"]])
    theta = np.array([np.linalg.eigvalsh(q @ q.conj().T) for q in d["Q"]])  # ascending per block
    assert np.argmax(theta[:, 1]) == np.argmin(theta[:, 0]) or np.ptp(blocks) < 1e-9 * blocks.max()
    c0 = theory.theorem5_constant(H, eta, beta)
    assert np.linalg.cond(P) == pytest.approx(blocks.max(), rel=1e-7)
    assert np.linalg.cond(P) == pytest.approx(c0, rel=1e-7)


def test_lemma6_normalisation_matters():
    # rescaling one block's eigenvectors leaves every kappa(Q_i) unchanged but not kappa(P)
    H = np.diag([0.01, 0.3, 1.0])
    d = theory.lemma6_eigenvectors(H, 1.0, 0.9)
    P = d["P"].copy()
    P[:, 4:6] *= 50.0  # the best-conditioned block, scaled
    assert np.linalg.cond(P) > 2 * np.linalg.cond(d["P"])


@pytest.mark.parametrize("call, match", [
    (lambda: theory.lemma6_eigenvectors(np.diag([0.01, 1.0]), 1.0, 0.5), "beta must satisfy Theorem 5's condition"),
    (lambda: theory.corollary1_constant(0.5), "kappa must be >= 1"),
    (lambda: theory.corollary1_constant(10.0, form="best"), "form must be"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
