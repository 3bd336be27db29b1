"""accelbook.residual: the recursion (8), its solution (15), and the meta theorem (Theorem 6)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelbook import convex, methods, metrics, quadratic, residual, theory
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


def _meta_instance(seed, n):
    """Random (H, eta = 1, beta inside Theorem 5's condition), its constant and a random start."""
    rng = np.random.default_rng(seed)
    H = random_psd(rng, n, kappa=10 ** rng.uniform(0, 2))
    lo, _ = theory.admissible_beta_bounds(H, 1.0)
    beta = lo + (1 - lo) * rng.uniform(0.1, 0.9)
    return rng, H, beta, theory.theorem5_constant(H, 1.0, beta), rng.standard_normal(n)


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4), c3_frac=st.floats(0.1, 2.0), c2_frac=st.floats(0, 1))
def test_meta_theorem_conclusion_fails_without_hypothesis_12(seed, n, c3_frac, c2_frac):
    """(14) holds (C1 = C3) but one perturbation exceeds the budget of (12) by a factor 30: (12) fails and so
    does the conclusion (13), at t = 1. The hypothesis is not decoration."""
    rng, H, beta, c0, xi0 = _meta_instance(seed, n)
    c3 = c1 = c3_frac * c0
    c2 = c2_frac * (1 - np.sqrt(beta))
    start = np.sqrt(2) * np.linalg.norm(xi0)
    phi = np.zeros((40, n))
    u = rng.standard_normal(n)
    phi[0] = 30 * (np.sqrt(beta) + c2) * c3 * start * u / np.linalg.norm(u)
    xi = residual.reconstruct(xi0, phi, H, 1.0, beta)[:, :n]
    assert not residual.meta_hypothesis_holds(xi, H, 1.0, beta, c2, c3)[1]
    assert not residual.meta_conclusion_holds(xi, H, 1.0, beta, c1, c2)[1]


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4), c2_frac=st.floats(0, 0.1), small_c1=st.booleans())
def test_meta_theorem_conclusion_fails_without_condition_14(seed, n, c2_frac, small_c1):
    """(12) holds with C3 = 8 C0^2 (one perturbation at t = 0 of size sqrt(beta) C3 ||start|| / C0, which
    Theorem 5 propagates within the budget), but C1 < C3 violates (14) at t = 0: the conclusion (13) fails at
    t = 1. With C1 = C3, where (14) holds, Theorem 6 gives (13) back."""
    rng, H, beta, c0, xi0 = _meta_instance(seed, n)
    c3 = 8 * c0 ** 2
    c1 = c3 / (4 * c0) if small_c1 else 0.0
    c2 = c2_frac * np.sqrt(beta)
    start = np.sqrt(2) * np.linalg.norm(xi0)
    phi = np.zeros((40, n))
    u = rng.standard_normal(n)
    phi[0] = np.sqrt(beta) * c3 * start / c0 * u / np.linalg.norm(u)
    xi = residual.reconstruct(xi0, phi, H, 1.0, beta)[:, :n]
    assert np.all(residual.meta_hypothesis_holds(xi, H, 1.0, beta, c2, c3))
    assert not np.all(residual.meta_conclusion_holds(xi, H, 1.0, beta, c1, c2))
    assert np.all(residual.meta_conclusion_holds(xi, H, 1.0, beta, c3, c2))


@given(seed=st.integers(0, 1000), log_lam=st.floats(-3, -1.5))
def test_theorem8_constants_satisfy_the_meta_theorem_along_runs(seed, log_lam):
    """Theorem 8 through the meta theorem. At its radius r_*, (12) holds with C3 = C0, C2 = sqrt(eta mu)/4 and
    (13) with C1 = C0 -- but there the budget of (12) is used to 1e-5 at most, so that check alone cannot fail.
    What makes the radius work is that the perturbations of Lemma 2 are second order: the used fraction of
    the budget grows linearly with the radius (log-log slope 1 over radii 1e-4 to 1e-2, where rounding in
    phi no longer dominates and eta L_H r << 1), while the budget itself is first order. A first-order phi
    (slope 0) or a wrong extraction would fail here; and the linear extrapolation puts the edge of (12) far
    outside r_*."""
    f = convex.make_logistic(60, 4, lam=10 ** log_lam, seed=seed)
    eta, beta = 1 / f.alpha, (1 - 0.5 / np.sqrt(f.kappa)) ** 2
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(4)
    u /= np.linalg.norm(u)
    c2 = 0.25 * np.sqrt(eta * f.mu)
    r_star = theory.theorem8_radius(f.kappa)
    used = {}
    for radius in (r_star, 1e-4, 1e-3, 1e-2):
        w0 = f.w_star + u * radius / np.sqrt(2)
        run = methods.heavy_ball(f.grad, w0, eta, beta, 60)
        xi = run.trajectory - f.w_star
        H0 = convex.averaged_hessian(f, w0, f.w_star)
        c0 = theory.theorem5_constant(H0, eta, beta)
        assert c0 <= 4 * np.sqrt(f.kappa)
        assert np.all(residual.meta_hypothesis_holds(xi, H0, eta, beta, c2, c0))
        assert np.all(residual.meta_conclusion_holds(xi, H0, eta, beta, c0, c2))
        cur = residual.meta_theorem_curves(xi, H0, eta, beta, c0, c2, c0)
        used[radius] = np.max(cur["propagated"][1:] / cur["bound12"][1:])
    assert used[r_star] < 1e-4
    slope = np.polyfit(np.log10([1e-4, 1e-3, 1e-2]), np.log10([used[1e-4], used[1e-3], used[1e-2]]), 1)[0]
    assert 0.9 < slope < 1.1
    assert 1e-3 / used[1e-3] > 100 * r_star  # (12)'s edge, extrapolated linearly, lies far beyond r_*


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


# ---------------------------------------------------------------- properties that kill mutants (make mutation)
def _linear_run(seed, n, T=40, scale=1.0):
    """A perturbation-free run of (8) from a start with xi_{-1} != xi_0 (so phi = 0 exactly, with xi_prev)."""
    rng = np.random.default_rng(seed)
    H = random_psd(rng, n, kappa=10 ** rng.uniform(0, 2))
    lo, _ = theory.admissible_beta_bounds(H, 1.0)
    beta = lo + (1 - lo) * rng.uniform(0.1, 0.9)
    xi0, xim1 = scale * rng.standard_normal(n), scale * rng.standard_normal(n)
    xi = residual.reconstruct(xi0, np.zeros((T, n)), H, 1.0, beta, xi_prev=xim1)[:, :n]
    return rng, H, beta, xi, xim1


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4))
def test_the_start_xi_prev_is_used_everywhere(seed, n):
    """With the true xi_{-1} the run is the linear recursion: phi = 0, (12) holds with no budget at all and
    (13) with C1 = C2 = 0 (Theorem 5); assuming xi_{-1} = xi_0 instead invents phi_0 = beta (xi_{-1} - xi_0)."""
    _, H, beta, xi, xim1 = _linear_run(seed, n)
    assert np.abs(residual.extract_phi(xi, H, 1.0, beta, xi_prev=xim1)).max() <= 1e-12 * np.abs(xi).max()
    assert np.all(residual.meta_hypothesis_holds(xi, H, 1.0, beta, 0.0, 0.0, xi_prev=xim1))
    assert not np.all(residual.meta_hypothesis_holds(xi, H, 1.0, beta, 0.0, 0.0))
    assert np.all(residual.meta_conclusion_holds(xi, H, 1.0, beta, 0.0, 0.0, xi_prev=xim1))
    curves = residual.meta_theorem_curves(xi, H, 1.0, beta, 0.0, 0.0, 0.0, xi_prev=xim1)
    start = np.sqrt(np.sum(xi[0] ** 2) + np.sum(xim1 ** 2))
    assert curves["stacked"][0] == pytest.approx(start, rel=1e-14)
    assert np.max(curves["propagated"]) <= 1e-12 * start


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4), scale=st.floats(1e-3, 1e3))
def test_meta_checks_sit_exactly_on_their_bounds(seed, n, scale):
    """The checks compare with the bounds themselves: C3 (or C1) just above the smallest value that makes (12)
    (or (13)) hold passes with rtol = atol = 0, just below fails, and rtol / atol (relative to the start) add
    exactly their slack. meta_theorem_curves returns the same sides."""
    rng, H, beta, _, _ = _linear_run(seed, n, scale=scale)
    xi0 = scale * rng.standard_normal(n)
    phi = scale * 0.1 * rng.standard_normal((30, n))
    xi = residual.reconstruct(xi0, phi, H, 1.0, beta)[:, :n]
    c2 = 0.05 * (1 - np.sqrt(beta))
    cur = residual.meta_theorem_curves(xi, H, 1.0, beta, 0.5, c2, 1.0)
    t, start = cur["t"], cur["stacked"][0]
    np.testing.assert_array_equal(t, np.arange(xi.shape[0]))
    assert (cur["c1"], cur["c2"], cur["c3"]) == (0.5, c2, 1.0)
    np.testing.assert_allclose(cur["propagated"], residual.propagated_phi_norms(residual.extract_phi(xi, H, 1.0, beta),
                                                                               H, 1.0, beta), rtol=1e-12)
    np.testing.assert_allclose(cur["bound13"], residual.meta_bound(t, beta, cur["c0"], 0.5, c2, start), rtol=1e-12)
    rate = (np.sqrt(beta) + c2) ** t
    np.testing.assert_allclose(cur["bound12"], rate * start, rtol=1e-12)
    c3_min = np.max(cur["propagated"] / (rate * start))
    hyp = lambda c3, **kw: residual.meta_hypothesis_holds(xi, H, 1.0, beta, c2, c3, **kw)  # noqa: E731
    assert np.all(hyp(c3_min * (1 + 1e-9), rtol=0.0, atol=0.0))
    assert not np.all(hyp(c3_min * (1 - 1e-6), rtol=0.0, atol=0.0))
    assert np.all(hyp(c3_min * (1 - 1e-6), rtol=2e-6, atol=0.0))
    worst = int(np.argmax(cur["propagated"] / (rate * start)))
    gap = cur["propagated"][worst] - c3_min * (1 - 1e-6) * rate[worst] * start
    assert np.all(hyp(c3_min * (1 - 1e-6), rtol=0.0, atol=2 * gap / start))
    assert not np.all(hyp(c3_min * (1 - 1e-6), rtol=0.0, atol=0.5 * gap / start))
    c0 = cur["c0"]
    c1_min = max(np.max(cur["stacked"] / (rate * start)) - c0, 0.0)
    con = lambda c1, **kw: residual.meta_conclusion_holds(xi, H, 1.0, beta, c1, c2, **kw)  # noqa: E731
    if c1_min > 0:
        assert np.all(con(c1_min * (1 + 1e-9) + 1e-12, rtol=0.0, atol=0.0))
        assert not np.all(con(c1_min * (1 - 1e-6), rtol=0.0, atol=0.0))
        assert np.all(con(c1_min * (1 - 1e-6), rtol=2e-6 * (1 + c0 / c1_min), atol=0.0))
    # at t = 0 (13) is an equality when C0 = 1 and C1 = 0, and (12) is 0 <= 0: both hold with no slack
    assert con(0.0, c0=1.0, rtol=0.0, atol=0.0)[0] and hyp(0.0, rtol=0.0, atol=0.0)[0]


def test_explicit_constants_are_used():
    _, H, beta, xi, xim1 = _linear_run(3, 2)
    with_c0 = residual.meta_conclusion_holds(xi, H, 1.0, beta, 0.0, 0.0, xi_prev=xim1, c0=1.5)
    sharp = theory.theorem5_constant(H, 1.0, beta)
    assert with_c0.shape == (xi.shape[0],)
    norms = metrics.stacked_norms(xi, xi_prev=xim1)
    np.testing.assert_array_equal(with_c0, norms <= np.sqrt(beta) ** np.arange(norms.size) * 1.5 * norms[0] *
                                  (1 + 1e-9) + 1e-12 * norms[0])
    curves = residual.meta_theorem_curves(xi, H, 1.0, beta, 0.5, 0.0, 0.5, c0=1.5, xi_prev=xim1)
    assert curves["c0"] == 1.5 and curves["c1"] == 0.5 and curves["c3"] == 0.5
    assert residual.meta_theorem_curves(xi, H, 1.0, beta, 0.0, 0.0, 0.0, xi_prev=xim1)["c0"] == sharp
    assert residual.extract_phi(xi[:1], H, 1.0, beta).shape == (0, 2)  # one residual: no perturbation yet
