"""accelbook.residual: the recursion (8), its solution (15), and the meta theorem (Theorem 6)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelbook import convex, methods, quadratic, residual, theory
from conftest import random_psd


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 8), beta=st.floats(0.0, 0.95), c=st.floats(0.05, 1.5))
def test_lemma1_phi_vanishes_on_quadratics(seed, n, beta, c):
    rng = np.random.default_rng(seed)
    H = random_psd(rng, n)
    q = quadratic.Quadratic(H=H + 0.01 * np.eye(n), b=rng.standard_normal(n))
    run = methods.heavy_ball(q.grad, rng.standard_normal(n), c, beta, 60)
    xi = run.trajectory - q.w_star
    phi = residual.extract_phi(xi, q.H, c, beta)
    assert phi.shape == (60, n)
    scale = np.abs(xi).max() * (1 + np.abs(q.w_star).max())
    assert np.abs(phi).max() <= 1e-12 * max(scale, 1.0)


def test_extract_phi_detects_a_perturbation():
    H, eta, beta = np.diag([0.5, 1.0]), 0.8, 0.6
    rng = np.random.default_rng(0)
    phi = rng.standard_normal((20, 2))
    rebuilt = residual.reconstruct(np.ones(2), phi, H, eta, beta)
    np.testing.assert_allclose(residual.extract_phi(rebuilt[:, :2], H, eta, beta), phi, atol=1e-12)


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 5), T=st.integers(1, 40))
def test_reconstruction_15_matches_the_recursion(seed, n, T):
    rng = np.random.default_rng(seed)
    H = random_psd(rng, n)
    eta, beta = rng.uniform(0.1, 1.5), rng.uniform(0, 0.9)
    xi0, xim1 = rng.standard_normal(n), rng.standard_normal(n)
    phi = rng.standard_normal((T, n))
    xi = [xim1, xi0]
    for t in range(T):  # (8) directly
        xi.append((1 + beta) * xi[-1] - eta * H @ xi[-1] - beta * xi[-2] + phi[t])
    xi = np.asarray(xi[1:])
    rebuilt = residual.reconstruct(xi0, phi, H, eta, beta, xi_prev=xim1)
    np.testing.assert_allclose(rebuilt[:, :n], xi, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(rebuilt[1:, n:], xi[:-1], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(residual.extract_phi(xi, H, eta, beta, xi_prev=xim1), phi, rtol=1e-8, atol=1e-8)


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4), c1=st.floats(0, 2), c2_frac=st.floats(0, 1),
       scale=st.floats(0, 1))
def test_meta_theorem_logic(seed, n, c1, c2_frac, scale):
    """Theorem 6: if (12) holds at every t and (14) holds, then (13) holds at every t.

    Synthetic perturbations with ||phi_s|| <= C3 ||start|| (sqrt(beta) + C2)^(s+1) 2^-(s+1) / C0 satisfy (12)
    by Theorem 5 (the propagated sum is at most C3 ||start|| (sqrt(beta) + C2)^t); with C3 = C1, (14) holds."""
    rng = np.random.default_rng(seed)
    H = random_psd(rng, n, kappa=10 ** rng.uniform(0, 2))
    eta = 1.0
    lo, _ = theory.admissible_beta_bounds(H, eta)
    beta = lo + (1 - lo) * rng.uniform(0.1, 0.9)
    c0 = theory.theorem5_constant(H, eta, beta)
    c2 = c2_frac * (1 - np.sqrt(beta))
    c3 = c1
    T = 80
    xi0 = rng.standard_normal(n)
    start = np.sqrt(2) * np.linalg.norm(xi0)
    s = np.arange(T)[:, None]
    phi = rng.standard_normal((T, n))
    phi *= scale * c3 * start * (np.sqrt(beta) + c2) ** (s + 1) * 0.5 ** (s + 1) / c0 / np.linalg.norm(phi, axis=1,
                                                                                                      keepdims=True)
    xi = residual.reconstruct(xi0, phi, H, eta, beta)[:, :n]
    assert np.all(residual.meta_hypothesis_holds(xi, H, eta, beta, c2, c3))
    assert np.all(residual.meta_conclusion_holds(xi, H, eta, beta, c1, c2))
    # and the conclusion is not vacuous: without the perturbation budget C1 it can fail
    if scale > 0.5 and c1 > 0.5:
        big = residual.reconstruct(xi0, phi * 1e3 * c0, H, eta, beta)[:, :n]
        assert not np.all(residual.meta_hypothesis_holds(big, H, eta, beta, c2, c3))


@given(seed=st.integers(0, 1000), log_lam=st.floats(-3, -1.5))
def test_theorem8_constants_satisfy_the_meta_theorem_along_runs(seed, log_lam):
    """Inside Theorem 8's radius, (12) holds with C3 = C0, C2 = sqrt(eta*mu)/4, and so does (13) with C1 = C0."""
    f = convex.make_logistic(60, 4, lam=10 ** log_lam, seed=seed)
    eta, beta = 1 / f.alpha, (1 - 0.5 / np.sqrt(f.kappa)) ** 2
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(4)
    w0 = f.w_star + u / np.linalg.norm(u) * theory.theorem8_radius(f.kappa) / np.sqrt(2)
    run = methods.heavy_ball(f.grad, w0, eta, beta, 60)
    xi = run.trajectory - f.w_star
    H0 = convex.averaged_hessian(f, w0, f.w_star)
    c0 = theory.theorem5_constant(H0, eta, beta)
    c2 = 0.25 * np.sqrt(eta * f.mu)
    assert c0 <= 4 * np.sqrt(f.kappa)
    assert np.all(residual.meta_hypothesis_holds(xi, H0, eta, beta, c2, c0))
    assert np.all(residual.meta_conclusion_holds(xi, H0, eta, beta, c0, c2))


def test_meta_bound_and_norms():
    np.testing.assert_allclose(residual.meta_bound([0, 2], 0.25, 2.0, 1.0, 0.5, 3.0), [9.0, 9.0])
    xi = np.array([[1.0, 0.0], [0.0, 2.0]])
    np.testing.assert_allclose(residual.stacked_norms(xi), [np.sqrt(2), np.sqrt(5)])


@pytest.mark.parametrize("call, match", [
    (lambda: residual.extract_phi(np.ones((3, 2)), np.eye(3), 0.5, 0.5), r"xi must have shape \(T\+1, 3\)"),
    (lambda: residual.extract_phi(np.ones(3), np.eye(3), 0.5, 0.5), "xi must be 2-dimensional"),
    (lambda: residual.extract_phi(np.ones((3, 2)), np.eye(2), 0.0, 0.5), "eta must be > 0"),
    (lambda: residual.extract_phi(np.ones((3, 2)), np.eye(2), 0.5, 1.5), "beta must be <= 1"),
    (lambda: residual.reconstruct(np.ones(2), np.ones((3, 3)), np.eye(2), 0.5, 0.5), r"phi must have shape \(T, 2\)"),
    (lambda: residual.meta_bound(1, 0.5, 0.5, 0, 0, 1), "c0 must be >= 1"),
    (lambda: residual.meta_bound(1, 0.5, 1.0, -1, 0, 1), "c1 must be >= 0"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_meta_theorem_curves_agree_with_the_checks():
    f = convex.make_logistic(60, 4, lam=1e-2, seed=1)
    eta, beta = 1 / f.alpha, (1 - 0.5 / np.sqrt(f.kappa)) ** 2
    w0 = f.w_star + 0.3
    run = methods.heavy_ball(f.grad, w0, eta, beta, 80)
    xi = run.trajectory - f.w_star
    H0 = convex.averaged_hessian(f, w0, f.w_star)
    c0 = theory.theorem5_constant(H0, eta, beta)
    c2 = 0.25 * np.sqrt(eta * f.mu)
    curves = residual.meta_theorem_curves(xi, H0, eta, beta, c0, c2, c0)
    assert curves["c0"] == c0
    np.testing.assert_array_equal(curves["stacked"] <= curves["bound13"] * (1 + 1e-9) + 1e-12 * curves["stacked"][0],
                                  residual.meta_conclusion_holds(xi, H0, eta, beta, c0, c2))
    assert curves["propagated"][0] == 0 and curves["propagated"][5] > 0
