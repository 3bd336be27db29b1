"""accelbook.convex: the logistic test function (derivatives and constants), Lemma 2, Theorem 8,
and the Lessard-Recht-Packard counterexample."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelbook import convex, methods, residual, theory


@pytest.fixture(scope="module")
def f():
    return convex.make_logistic(80, 5, lam=1e-2, seed=3)


def test_gradient_and_hessian_against_finite_differences(f):
    rng = np.random.default_rng(0)
    for _ in range(5):
        w, d = 3 * rng.standard_normal(5), rng.standard_normal(5)
        fd = (f.loss(w + 1e-6 * d) - f.loss(w - 1e-6 * d)) / 2e-6
        assert fd == pytest.approx(f.grad(w) @ d, rel=1e-6, abs=1e-10)
        fd_grad = (f.grad(w + 1e-6 * d) - f.grad(w - 1e-6 * d)) / 2e-6
        np.testing.assert_allclose(fd_grad, f.hessian(w) @ d, rtol=1e-5, atol=1e-9)


@given(seed=st.integers(0, 500), scale=st.floats(0.1, 50))
def test_constants_hold_on_random_points(seed, scale):
    f = convex.make_logistic(40, 4, lam=10 ** (-1 - 2 * (seed % 3) / 3), seed=seed)
    rng = np.random.default_rng(seed)
    w, v = scale * rng.standard_normal(4), scale * rng.standard_normal(4)
    eig = np.linalg.eigvalsh(f.hessian(w))
    assert f.mu <= eig[0] * (1 + 1e-12) and eig[-1] <= f.alpha * (1 + 1e-12)
    dH = np.linalg.norm(f.hessian(w) - f.hessian(v), 2)
    assert dH <= f.hessian_lipschitz * np.linalg.norm(w - v) * (1 + 1e-9)
    assert f.hessian_lipschitz <= f.alpha  # Theorem 8's assumption: the Hessian is alpha-Lipschitz


def test_minimiser(f):
    np.testing.assert_allclose(f.grad(f.w_star), 0, atol=1e-14)


def test_averaged_hessian_quadrature_converges(f):
    w0 = f.w_star + np.ones(5)
    H8, H32 = convex.averaged_hessian(f, w0, f.w_star, nodes=8), convex.averaged_hessian(f, w0, f.w_star, nodes=32)
    np.testing.assert_allclose(H8, H32, rtol=1e-8)
    # and it turns the gradient into a linear map: grad f(w0) = H (w0 - w*)
    np.testing.assert_allclose(H32 @ (w0 - f.w_star), f.grad(w0), atol=1e-13)


@given(seed=st.integers(0, 300), beta=st.floats(0.0, 0.95), radius=st.floats(0.1, 5.0))
def test_lemma2_formula_equals_the_extracted_phi(seed, beta, radius):
    f = convex.make_logistic(30, 3, lam=0.05, seed=seed)
    eta = 1 / f.alpha
    rng = np.random.default_rng(seed)
    w0 = f.w_star + radius * rng.standard_normal(3)
    run = methods.heavy_ball(f.grad, w0, eta, beta, 25)
    xi = run.trajectory - f.w_star
    H0 = convex.averaged_hessian(f, w0, f.w_star)
    extracted = residual.extract_phi(xi, H0, eta, beta)
    formula = convex.lemma2_phi(f, run.trajectory, f.w_star, eta)
    np.testing.assert_allclose(formula, extracted, atol=1e-12 * (1 + np.abs(f.w_star).max()))
    assert np.abs(formula[1:]).max() > 1e-8  # a real, nonzero perturbation off quadratics


@given(seed=st.integers(0, 300), beta=st.floats(0.0, 0.95), radius=st.floats(0.05, 2.0))
def test_lemma2_perturbation_is_second_order(seed, beta, radius):
    """Lemma 2 with a Lipschitz Hessian: ||phi_t|| <= eta L_H ||xi_0 - xi_t|| ||xi_t|| / 2, since
    ||H_0 - H_t|| <= L_H ||xi_0 - xi_t|| / 2 for Hessians averaged on the segments to w_*. The bound binds to
    within a factor of 100 (a factor 2 error in L_H or in the averaging would show)."""
    f = convex.make_logistic(30, 3, lam=0.05, seed=seed)
    eta = 1 / f.alpha
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(3)
    w0 = f.w_star + radius * u / np.linalg.norm(u)
    run = methods.heavy_ball(f.grad, w0, eta, beta, 25)
    xi = run.trajectory - f.w_star
    phi = convex.lemma2_phi(f, run.trajectory, f.w_star, eta)
    bound = eta * f.hessian_lipschitz * np.linalg.norm(xi[:-1] - xi[0], axis=1) * np.linalg.norm(xi[:-1], axis=1) / 2
    assert np.all(np.linalg.norm(phi, axis=1) <= bound * (1 + 1e-9) + 1e-15)
    counted = bound > 1e-12
    assert np.max(np.linalg.norm(phi, axis=1)[counted] / bound[counted]) > 0.01


@given(seed=st.integers(0, 300), log_lam=st.floats(-3.5, -1.5))
def test_theorem8_bound_inside_the_radius(seed, log_lam):
    f = convex.make_logistic(50, 4, lam=10 ** log_lam, seed=seed)
    scan = convex.theorem8_scan(f, [theory.theorem8_radius(f.kappa)], n_dirs=4, n_iter=150, seed=seed)
    assert 0 < scan["worst_ratio"][0] <= 1.0


def test_theorem8_radius_and_bound():
    assert theory.theorem8_radius(1.0) == pytest.approx(1 / 683)
    # the radius is where the proof's sufficient condition (70) 3/(128 sqrt(kappa) C0^2) with C0 = 4 sqrt(kappa) lands
    for kappa in (1.0, 10.0, 1e4):
        assert theory.theorem8_radius(kappa) <= 3 / (128 * np.sqrt(kappa) * 16 * kappa)
    np.testing.assert_allclose(theory.theorem8_bound(4.0, [0, 1]), [16.0, 16.0 * 0.875])


@pytest.mark.parametrize("call, exc, match", [
    (lambda: convex.RegularizedLogistic(X=np.ones((3, 2)), y=np.array([1, 0, 1]), lam=0.1), ValueError,
     "y must contain only labels"),
    (lambda: convex.RegularizedLogistic(X=np.ones((3, 2)), y=np.ones(2), lam=0.1), ValueError, r"y must have shape \(3,\)"),
    (lambda: convex.make_logistic(10, 2, lam=0.0), ValueError, "lam must be > 0"),
    (lambda: convex.theorem8_scan(convex.make_logistic(10, 2), [0.0]), ValueError, "radii must be > 1e-12"),
    (lambda: theory.theorem8_radius(0.5), ValueError, "kappa must be >= 1"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------- divergence and limits (issue 12)


def test_theorem8_scan_refuses_a_non_logistic_problem():
    with pytest.raises(TypeError, match="f must be a RegularizedLogistic"):
        convex.theorem8_scan(object(), [1e-3])
    with pytest.raises(ValueError, match="n_dirs must be >= 1"):
        convex.theorem8_scan(convex.make_logistic(10, 2), [1e-3], n_dirs=0)


# ---------------------------------------------------------------- properties that kill mutants (make mutation)
def test_theorem8_scan_reports_what_theorem8_predicts_near_the_minimiser():
    """Near w_* heavy ball is its linearisation at the Hessian H_*: with Corollary 1's parameters every block
    has complex roots, so the measured rate is sqrt(beta); bound_rate is the per-step factor of (20); the
    ratio at t = 0 is 1/(8 sqrt(kappa)), a lower bound of the worst ratio, which stays below 1."""
    f = convex.make_logistic(40, 3, lam=0.02, seed=5)
    r = theory.theorem8_radius(f.kappa)
    scan = convex.theorem8_scan(f, [r, 2 * r], n_dirs=3, n_iter=300, seed=2)
    assert set(scan) == {"radius", "worst_ratio", "rate", "kappa", "bound_rate"}
    np.testing.assert_array_equal(scan["radius"], [r, 2 * r])
    assert scan["kappa"] == f.kappa
    bound = theory.theorem8_bound(f.kappa, [0, 1])
    assert scan["bound_rate"] == pytest.approx(bound[1] / bound[0], rel=1e-14)
    beta = (1 - 0.5 / np.sqrt(f.kappa)) ** 2
    np.testing.assert_allclose(scan["rate"], np.sqrt(beta), rtol=2e-3)
    assert np.all(scan["worst_ratio"] >= 1 / (8 * np.sqrt(f.kappa)) * (1 - 1e-9)) and np.all(scan["worst_ratio"] < 1)
    # a floor above the later errors: iterations below it do not count (they would not raise the worst ratio)
    coarse = convex.theorem8_scan(f, [r], n_dirs=3, n_iter=300, seed=2, floor=1e-3 * r)
    assert coarse["worst_ratio"][0] < 1 and np.isfinite(coarse["rate"][0])
    assert convex.theorem8_scan(f, [r], n_dirs=1, n_iter=1)["worst_ratio"].shape == (1,)


def test_lemma2_phi_and_averaged_hessian_use_the_nodes_asked_for():
    f = convex.make_logistic(20, 2, lam=0.1, seed=0)
    W = f.w_star + np.array([[1.0, -0.5], [0.4, 0.2]])  # two iterates: T = 1
    one = convex.lemma2_phi(f, W, f.w_star, 0.5, nodes=1)
    mid = lambda w: f.hessian(0.5 * (w + f.w_star))  # noqa: E731  (one Gauss-Legendre node: the midpoint)
    np.testing.assert_allclose(convex.averaged_hessian(f, W[0], f.w_star, nodes=1), mid(W[0]), rtol=1e-14)
    np.testing.assert_allclose(one[0], 0.5 * (mid(W[0]) - mid(W[0])) @ (W[0] - f.w_star), atol=1e-15)
    assert one.shape == (1, 2)
    many = convex.lemma2_phi(f, np.vstack([W, f.w_star + 0.3]), f.w_star, 0.5, nodes=1)
    exact = convex.lemma2_phi(f, np.vstack([W, f.w_star + 0.3]), f.w_star, 0.5)
    assert np.abs(many - exact).max() > 1e-6  # one node is not the 32-node quadrature


def test_logistic_problem_construction():
    f = convex.make_logistic(50, 3, seed=4)
    assert np.max(np.linalg.norm(f.X, axis=1)) <= 1.0 + 1e-12            # inputs of norm at most 1
    assert set(np.unique(f.y)) == {-1.0, 1.0}
    tiny = convex.make_logistic(1, 1)
    assert tiny.X.shape == (1, 1)
    g = convex.RegularizedLogistic(X=[[1.0, 2.0]], y=[1], lam=1)
    assert isinstance(g.X, np.ndarray) and isinstance(g.y, np.ndarray) and isinstance(g.lam, float)
    W = np.random.default_rng(0).standard_normal((4, 3))
    np.testing.assert_allclose(f.loss(W), [f.loss(w) for w in W], rtol=1e-14)  # a batch is row by row
    np.testing.assert_allclose(f.grad(W), [f.grad(w) for w in W], rtol=1e-14)


