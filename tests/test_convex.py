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


# ---------------------------------------------------------------- Lessard-Recht-Packard
def test_lrp_constants_on_a_fine_grid():
    x = np.linspace(-6, 6, 120_001)
    g = convex.lrp_gradient(x)
    slopes = np.diff(g) / np.diff(x)
    assert slopes.min() >= convex.LRP_MU - 1e-9 and slopes.max() <= convex.LRP_L + 1e-9
    assert np.isclose(slopes.min(), 1.0) and np.isclose(slopes.max(), 25.0)
    # f is C^1: the pieces agree in value and slope at the kinks; the gradient is the derivative
    for k in (1.0, 2.0):
        assert convex.lrp_function(k - 1e-12) == pytest.approx(convex.lrp_function(k), abs=1e-9)
        assert convex.lrp_gradient(k - 1e-12) == pytest.approx(convex.lrp_gradient(k), abs=1e-9)
    fd = np.diff(convex.lrp_function(x)) / np.diff(x)
    np.testing.assert_allclose(fd, 0.5 * (g[1:] + g[:-1]), atol=1e-6)
    assert convex.lrp_function(0.0) == 0.0 and np.all(convex.lrp_function(x) >= 0)


def test_polyak_tuning_cycles_while_gradient_descent_converges():
    eta, beta = theory.polyak_parameters(convex.LRP_MU, convex.LRP_L)
    assert eta == pytest.approx(1 / 9) and beta == pytest.approx(4 / 9)
    traj = convex.lrp_heavy_ball(3.3, eta, beta, 2000)
    assert convex.detect_cycle(traj) == 3
    assert np.ptp(traj[-3:]) > 1  # a genuine cycle, far from the minimiser
    assert np.all(np.abs(traj[-300:]) > 0.5)
    gd = convex.lrp_heavy_ball(3.3, 1 / convex.LRP_L, 0.0, 2000)
    assert abs(gd[-1]) < 1e-12
    # the scalar recursion is the package's heavy ball
    run = methods.heavy_ball(convex.lrp_gradient, np.array([3.3]), eta, beta, 50)
    np.testing.assert_allclose(run.trajectory[:, 0], traj[:51], rtol=1e-12)


def test_classify_lrp_starts():
    x0 = np.linspace(-5, 5, 401)
    outcome = convex.classify_lrp_starts(x0)
    assert set(np.unique(outcome)) == {1, 3}
    assert outcome[np.argmin(np.abs(x0 - 0.1))] == 1  # near the minimiser: local convergence
    assert np.all(convex.classify_lrp_starts(x0, beta=0.81, eta=1 / 25, n_iter=4000) == 1)


def test_detect_cycle_on_synthetic_signals():
    t = np.arange(600)
    assert convex.detect_cycle(np.sin(2 * np.pi * t / 5)) == 5
    assert convex.detect_cycle(0.5 ** t) == 1
    assert convex.detect_cycle(t.astype(float)) == 0


@pytest.mark.parametrize("call, exc, match", [
    (lambda: convex.RegularizedLogistic(X=np.ones((3, 2)), y=np.array([1, 0, 1]), lam=0.1), ValueError,
     "y must contain only labels"),
    (lambda: convex.RegularizedLogistic(X=np.ones((3, 2)), y=np.ones(2), lam=0.1), ValueError, r"y must have shape \(3,\)"),
    (lambda: convex.make_logistic(10, 2, lam=0.0), ValueError, "lam must be > 0"),
    (lambda: convex.lrp_heavy_ball(1.0, 0.1, 1.0, 5), ValueError, "beta must be < 1"),
    (lambda: convex.lrp_heavy_ball(1.0, -0.1, 0.5, 5), ValueError, "eta must be > 0"),
    (lambda: convex.detect_cycle(np.ones(10)), ValueError, "trajectory must have at least"),
    (lambda: convex.theorem8_scan(convex.make_logistic(10, 2), [0.0]), ValueError, "radii must be > 1e-12"),
    (lambda: theory.theorem8_radius(0.5), ValueError, "kappa must be >= 1"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_lrp_divergence_is_classified():
    # gradient descent with eta = 1/9: eta * L = 25/9 > 2, so it diverges from any start near 0
    assert convex.classify_lrp_starts(np.array([0.5]), beta=0.0)[0] == -1
    # beta = 0.1 is unstable at 0 too, but the iterates stay bounded without settling
    traj = convex.lrp_heavy_ball(0.5, 1 / 9, 0.1, 2000)
    assert convex.classify_lrp_starts(np.array([0.5]), beta=0.1)[0] == 0 and np.abs(traj).max() < 10


def test_true_intervals():
    x = np.arange(8.0)
    assert convex.true_intervals(x, [0, 1, 1, 0, 0, 1, 0, 1]) == [(1.0, 2.0), (5.0, 5.0), (7.0, 7.0)]
    assert convex.true_intervals(x, np.zeros(8)) == []
    with pytest.raises(ValueError, match="mask must have the shape of x"):
        convex.true_intervals(x, [1, 0])


# ---------------------------------------------------------------- divergence and limits (issue 12)
def test_lrp_heavy_ball_flags_divergence_with_a_finite_prefix():
    """eta = 1 is far too large (eta * L = 25): |x_t| grows like 24^t and leaves [-1e100, 1e100] near t = 72."""
    run = convex.lrp_heavy_ball(0.5, 1.0, 0.0, 200)
    assert run.diverged and 60 < int(run.nit) < 80 and "diverged" in run.message
    assert np.all(np.isfinite(run.trajectory))
    prefix = run.prefix()
    assert prefix.shape == (int(run.nit) + 1,) and np.all(np.abs(prefix) <= 1e100)
    assert prefix[1] == 0.5 - 25 * 0.5 and prefix[2] == prefix[1] - 25 * prefix[1]  # x < 1: x - 25 x
    assert convex.detect_cycle(np.zeros(300)) == 1 and convex.detect_cycle(convex.lrp_heavy_ball(0.5, 1.0, 0.0, 300)) == 0


def test_lrp_heavy_ball_batch_stops_only_the_diverging_trials():
    run = convex.lrp_heavy_ball(np.array([0.5, 0.5, 3.3]), np.array([1.0, 1 / 25, 1 / 9]), np.array([0.0, 0.0, 4 / 9]),
                                2000)
    np.testing.assert_array_equal(run.diverged, [True, False, False])
    assert np.all(np.isfinite(run.trajectory)) and run.nit[1] == run.nit[2] == 2000
    np.testing.assert_array_equal(run.prefix(1), run.trajectory[:, 1])
    np.testing.assert_array_equal(convex.detect_cycle(run), [0, 1, 3])
    # the record reads as its array, so code written for the old return value keeps working
    assert np.asarray(run).shape == (2001, 3) and run[-1].shape == (3,) and len(run) == 2001


def test_classify_needs_enough_iterations():
    with pytest.raises(ValueError, match="n_iter must be >= 249"):
        convex.classify_lrp_starts(np.array([1.0]), n_iter=248)
    assert convex.classify_lrp_starts(np.array([3.3]), n_iter=249)[0] in (0, 3)


def test_theorem8_scan_refuses_a_non_logistic_problem():
    with pytest.raises(TypeError, match="f must be a RegularizedLogistic"):
        convex.theorem8_scan(object(), [1e-3])
    with pytest.raises(ValueError, match="n_dirs must be >= 1"):
        convex.theorem8_scan(convex.make_logistic(10, 2), [1e-3], n_dirs=0)
