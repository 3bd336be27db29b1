"""accelbook.quadratic: prescribed spectra, exact eigendirection errors, and the kappa-sweep claim
(iterations grow like kappa for gradient descent and like sqrt(kappa) for heavy ball)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelbook import methods, quadratic, theory


@given(n=st.integers(2, 30), log_kappa=st.floats(0, 5), seed=st.integers(0, 1000))
def test_make_quadratic_has_the_prescribed_spectrum(n, log_kappa, seed):
    q = quadratic.make_quadratic(n, 10 ** log_kappa, seed=seed)
    assert q.kappa == pytest.approx(10 ** log_kappa, rel=1e-6)
    assert q.mu == pytest.approx(1.0, rel=1e-8)
    np.testing.assert_allclose(q.grad(q.w_star), 0, atol=1e-8 * 10 ** log_kappa)
    assert q.optimality_gap(q.w_star) == pytest.approx(0, abs=1e-20)


def test_same_seed_same_problem():
    a, b = quadratic.make_quadratic(5, 10, seed=4), quadratic.make_quadratic(5, 10, seed=4)
    np.testing.assert_array_equal(a.H, b.H)
    assert not np.array_equal(a.H, quadratic.make_quadratic(5, 10, seed=5).H)


def test_loss_and_grad_consistent():
    q = quadratic.make_quadratic(4, 50, seed=0)
    rng = np.random.default_rng(0)
    w, d = rng.standard_normal(4), rng.standard_normal(4)
    fd = (q.loss(w + 1e-6 * d) - q.loss(w - 1e-6 * d)) / 2e-6
    assert fd == pytest.approx(q.grad(w) @ d, rel=1e-6)
    assert q.loss(w) - q.loss(q.w_star) == pytest.approx(q.optimality_gap(w), rel=1e-9)


@given(seed=st.integers(0, 10_000), n=st.integers(1, 6), beta=st.floats(0, 0.95), c=st.floats(0.05, 1.5))
def test_eigen_errors_equal_the_heavy_ball_run(seed, n, beta, c):
    rng = np.random.default_rng(seed)
    lam = np.sort(rng.uniform(0.1, 1.0, n))
    q = quadratic.make_quadratic(eigenvalues=lam, seed=rng)
    w0 = rng.standard_normal(n)
    run = methods.heavy_ball(q.grad, w0, c, beta, 50)
    _, U = np.linalg.eigh(q.H)
    e = quadratic.eigen_errors(c * np.linalg.eigvalsh(q.H), beta, U.T @ (w0 - q.w_star), 50)
    np.testing.assert_allclose(np.linalg.norm(e, axis=1), np.linalg.norm(run.trajectory - q.w_star, axis=1),
                               rtol=1e-8, atol=1e-10)


def test_iterations_to_tolerance_matches_a_run():
    lam = quadratic.spectrum(10, 100.0)
    eta, beta = theory.corollary1_parameters(1.0, 100.0)
    k = quadratic.iterations_to_tolerance(lam, eta, beta, 1e-6)[0]
    q = quadratic.Quadratic(H=np.diag(lam), b=np.zeros(10))
    w0 = np.full(10, 1 / np.sqrt(10))
    run = methods.heavy_ball(q.grad, w0, eta, beta, k)
    err = np.linalg.norm(run.trajectory, axis=1)
    assert err[k] <= 1e-6 and np.all(err[:k] > 1e-6)


def test_kappa_sweep_slopes():
    """The chapter's claim: iterations ~ kappa (GD, eta = 1/L) and ~ sqrt(kappa) (heavy ball, Corollary 1)."""
    sweep = quadratic.kappa_sweep(np.logspace(1, 4, 7))
    assert np.all(sweep["gd"] > 0) and np.all(sweep["heavy_ball"] > 0)
    assert 0.95 < sweep["slope_gd"] < 1.05
    assert 0.4 < sweep["slope_heavy_ball"] < 0.6
    # the batched counts are those of single problems
    single = quadratic.kappa_sweep([sweep["kappa"][3]])
    assert single["gd"][0] == sweep["gd"][3] and single["heavy_ball"][0] == sweep["heavy_ball"][3]
    assert np.isnan(single["slope_gd"])


def test_kappa_sweep_small_kappa_gradient_descent_wins():
    sweep = quadratic.kappa_sweep([1.5, 2.0, 3.0])
    assert np.all(sweep["gd"] < sweep["heavy_ball"])


def test_stacked_error_norms():
    W = np.array([[1.0, 0.0], [0.0, 2.0]])
    np.testing.assert_allclose(quadratic.stacked_error_norms(W, np.zeros(2)), [np.sqrt(2), np.sqrt(5)])


@pytest.mark.parametrize("call, exc, match", [
    (lambda: quadratic.make_quadratic(5, 0.5), ValueError, "kappa must be >= 1"),
    (lambda: quadratic.make_quadratic(0, 5), ValueError, "n must be >= 1"),
    (lambda: quadratic.make_quadratic(5, 5, seed=None), TypeError, "seed must be"),
    (lambda: quadratic.make_quadratic(eigenvalues=[1.0, -1.0]), ValueError, "eigenvalues must be"),
    (lambda: quadratic.make_quadratic(3, 2.0, eigenvalues=[1.0]), ValueError, "either eigenvalues"),
    (lambda: quadratic.spectrum(5, 10, spacing="cubic"), ValueError, "spacing must be"),
    (lambda: quadratic.Quadratic(H=np.diag([1.0, 0.0]), b=np.ones(2)), ValueError, "H must be positive definite"),
    (lambda: quadratic.Quadratic(H=np.eye(2), b=np.ones(3)), ValueError, r"b must have shape \(2,\)"),
    (lambda: quadratic.eigen_errors([0.5], 1.0, [1.0], 5), ValueError, r"beta must be in \[0, 1\)"),
    (lambda: quadratic.eigen_errors([5.0], 0.0, [1.0], 2000), FloatingPointError, "diverged"),
    (lambda: quadratic.iterations_to_tolerance([1.0], 1.0, 0.5, 2.0), ValueError, "tol must be < 1"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
