"""accelbook.quadratic: prescribed spectra, exact eigendirection errors, and the kappa-sweep claim
(iterations grow like kappa for gradient descent and like sqrt(kappa) for heavy ball)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelbook import methods, metrics, quadratic, theory


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
    run = methods.heavy_ball(q.grad, w0, eta, beta, k + 5000)
    err = np.linalg.norm(run.trajectory, axis=1)
    assert err[k - 1] > 1e-6 and np.all(err[k:] <= 1e-6)  # from k on it stays below, and not from k - 1
    assert k == metrics.iterations_to_tolerance(err, 1e-6)  # the shared convention, on the run


@given(seed=st.integers(0, 10_000), log_kappa=st.floats(0.5, 3.0), beta_frac=st.floats(0.0, 1.0),
       chunk=st.sampled_from([1, 7, 64, 4096]))
def test_iterations_to_tolerance_follows_the_metrics_convention(seed, log_kappa, beta_frac, chunk):
    """On random spectra, starts and momenta (oscillating runs included), the count is metrics' "first t from
    which it stays below" on a run that goes on for `chunk` iterations after it; any `chunk` gives the same
    count once the final stretch below is longer than the dips."""
    rng = np.random.default_rng(seed)
    lam = np.sort(rng.uniform(1.0, 10 ** log_kappa, 6))
    eta = 1.0 / lam[-1]
    beta = 0.99 * beta_frac
    e0 = rng.standard_normal(6)
    k = quadratic.iterations_to_tolerance(lam, eta, beta, 1e-3, e0=e0, chunk=chunk, t_max=200_000)[0]
    assert k > 0
    horizon = k + chunk + 10
    errs = np.linalg.norm(quadratic.eigen_errors(eta * lam, beta, e0, horizon).errors, axis=1)
    level = 1e-3 * np.linalg.norm(e0)
    assert errs[k - 1] > level and np.all(errs[k:k + chunk] <= level)
    if chunk == 4096:  # a long confirmation: the count is metrics' on the whole run
        assert k == metrics.iterations_to_tolerance(errs, 1e-3)


def test_iterations_to_tolerance_ignores_a_transient_dip():
    """Two eigendirections: a fast one carrying the start's weight and a slow one whose error grows (through
    the momentum) before it decays: the error dips below 1e-2 early and rises above it again."""
    lam, eta, beta = np.array([1.0, 0.01]), 1.0, 0.9
    e0 = np.array([1.0, 2e-3])
    errs = np.linalg.norm(quadratic.eigen_errors(eta * lam, beta, e0, 4000).errors, axis=1)
    level = 1e-2 * np.linalg.norm(e0)
    first_hit = int(np.argmax(errs <= level))
    k = quadratic.iterations_to_tolerance(lam, eta, beta, 1e-2, e0=e0)[0]
    assert np.any(errs[first_hit:k] > level)  # there is a dip: the old counter returned first_hit
    assert k > first_hit and k == metrics.iterations_to_tolerance(errs, 1e-2)
    # the documented limit: a confirmation window of 1 iteration cannot tell the dip from convergence
    assert quadratic.iterations_to_tolerance(lam, eta, beta, 1e-2, e0=e0, chunk=1)[0] == first_hit


def test_iterations_to_tolerance_not_reached_and_diverging():
    lam = np.array([[1.0, 0.01], [1.0, 0.5]])
    counts = quadratic.iterations_to_tolerance(lam, 1.0, 0.0, 1e-6, t_max=50)
    assert counts[0] == metrics.NOT_REACHED and counts[1] > 0  # too few iterations for the slow problem
    # eta * lambda = 5 > 2(1 + beta): the recursion overflows; the count is -1, and no warning escapes
    assert quadratic.iterations_to_tolerance([5.0, 1.0], 1.0, 0.0, 1e-6)[0] == metrics.NOT_REACHED


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
    rng = np.random.default_rng(0)
    W, w_star = rng.standard_normal((30, 4)), rng.standard_normal(4)
    np.testing.assert_array_equal(quadratic.stacked_error_norms(W, w_star), metrics.stacked_norms(W - w_star))


def test_eigen_errors_divergence_is_flagged():
    """eta * lambda = 5: |e_t| = 4^t overflows near t = 512; the run stops there with only finite values."""
    run = quadratic.eigen_errors([5.0, 0.5], 0.0, [1.0, 1.0], 2000)
    assert run.diverged and 500 < run.nit < 520 and "diverged" in run.message
    assert run.errors.shape == (run.nit + 1, 2) and np.all(np.isfinite(run.errors))
    np.testing.assert_allclose(np.abs(run.errors[:, 0]), 4.0 ** np.arange(run.nit + 1), rtol=1e-12)
    ok = quadratic.eigen_errors([0.5], 0.5, [1.0], 100)
    assert not ok.diverged and ok.nit == 100 and np.asarray(ok).shape == (101, 1)


def test_quadratic_refuses_points_of_the_wrong_shape():
    q = quadratic.make_quadratic(3, 10.0, seed=0)
    for method in (q.loss, q.grad, q.optimality_gap):
        with pytest.raises(ValueError, match=r"w must have shape \(3,\) or \(trials, 3\)"):
            method(np.ones(4))
    with pytest.raises(ValueError, match="b must have shape"):
        quadratic.Quadratic(H=np.eye(2), b=np.ones(5))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: quadratic.make_quadratic(5, 0.5), ValueError, "kappa must be >= 1"),
    (lambda: quadratic.make_quadratic(0, 5), ValueError, "n must be >= 1"),
    (lambda: quadratic.make_quadratic(5, 5, seed=None), TypeError, "seed must be"),
    (lambda: quadratic.make_quadratic(eigenvalues=[1.0, -1.0]), ValueError, "eigenvalues must be"),
    (lambda: quadratic.make_quadratic(3, 2.0, eigenvalues=[1.0]), ValueError, "either eigenvalues"),
    (lambda: quadratic.spectrum(5, 10, spacing="cubic"), ValueError, "spacing must be"),
    (lambda: quadratic.Quadratic(H=np.diag([1.0, 0.0]), b=np.ones(2)), ValueError, "H must be positive definite"),
    (lambda: quadratic.Quadratic(H=np.eye(2), b=np.ones(3)), ValueError, r"b must have shape \(2,\)"),
    (lambda: quadratic.eigen_errors([0.5], 1.0, [1.0], 5), ValueError, "beta must be < 1"),
    (lambda: quadratic.iterations_to_tolerance([1.0], 1.0, 0.5, 2.0), ValueError, "tol must be < 1"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------- properties that kill mutants (make mutation)
@given(n=st.integers(2, 12), log_kappa=st.floats(0.1, 3.0), mu=st.floats(0.1, 10.0))
def test_linear_spectrum_is_equally_spaced_from_mu_to_kappa_mu(n, log_kappa, mu):
    kappa = 10 ** log_kappa
    lam = quadratic.spectrum(n, kappa, mu=mu, spacing="linear")
    assert lam[0] == pytest.approx(mu, rel=1e-12) and lam[-1] == pytest.approx(kappa * mu, rel=1e-12)
    np.testing.assert_allclose(np.diff(lam), (kappa - 1) * mu / (n - 1), rtol=1e-9)
    log = quadratic.spectrum(n, kappa, mu=mu)
    np.testing.assert_allclose(np.diff(np.log(log)), np.log(kappa) / (n - 1), rtol=1e-9)
    q = quadratic.make_quadratic(n, kappa, mu=mu, spacing="linear", seed=1)
    np.testing.assert_allclose(q.eigenvalues, lam, rtol=1e-9)


def test_make_quadratic_says_which_argument_is_missing_or_extra():
    assert quadratic.spectrum(1, 1.0).tolist() == [1.0]
    with pytest.raises(ValueError, match="n must be >= 2 when kappa > 1"):
        quadratic.spectrum(1, 2.0)
    with pytest.raises(ValueError, match="^kappa must be given"):
        quadratic.make_quadratic(3)
    with pytest.raises(ValueError, match="^n must be given"):
        quadratic.make_quadratic(kappa=3.0)
    with pytest.raises(ValueError, match="^give either eigenvalues or"):
        quadratic.make_quadratic(3, eigenvalues=[1.0, 2.0])
    for bad in ([0.0, 1.0], [], [[1.0, 2.0]]):
        with pytest.raises(ValueError, match="eigenvalues must"):
            quadratic.make_quadratic(eigenvalues=bad)
    np.testing.assert_array_equal(quadratic.make_quadratic(4, 10.0).H, quadratic.make_quadratic(4, 10.0, seed=0).H)


def test_quadratic_holds_its_validated_symmetrised_matrix():
    q = quadratic.Quadratic(H=[[2.0, 1.0 + 1e-13], [1.0, 2.0]], b=[1, 2])
    assert isinstance(q.H, np.ndarray) and q.H.dtype == np.float64 and np.array_equal(q.H, q.H.T)
    assert isinstance(q.b, np.ndarray) and q.b.dtype == np.float64


def test_eigen_errors_messages_flags_and_zero_steps():
    run = quadratic.eigen_errors([5.0], 0.0, [1.0], 2000)
    assert run.message.startswith(f"diverged at iteration {run.nit + 1}:")
    ok = quadratic.eigen_errors([0.5], 0.5, [1.0], 3)
    assert ok.diverged is False and ok.message == "completed 3 iterations"
    np.testing.assert_array_equal(quadratic.eigen_errors([0.5, 1.0], 0.5, [1.0, 2.0], 0).errors, [[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"^z and beta and e0 must broadcast against each other, got shapes \(2,\), \(\), \(3,\)"):
        quadratic.eigen_errors([0.5, 1.0], 0.5, [1.0, 2.0, 3.0], 5)


@given(seed=st.integers(0, 10_000), beta_frac=st.floats(0.0, 1.0), t_max=st.integers(1, 400),
       chunk=st.integers(1, 60))
def test_iterations_to_tolerance_on_short_runs(seed, beta_frac, t_max, chunk):
    """Any t_max and chunk: a count k is the first t of a stretch below the level that lasts `chunk`
    iterations or reaches t_max, and k <= t_max; -1 means the error is above the level at t_max (or at the end
    of the run)."""
    rng = np.random.default_rng(seed)
    lam = np.sort(rng.uniform(0.05, 1.0, 4))
    beta = 0.9 * beta_frac
    e0 = rng.standard_normal(4)
    k = quadratic.iterations_to_tolerance(lam, 1.0, beta, 1e-2, e0=e0, t_max=t_max, chunk=chunk)[0]
    errs = np.linalg.norm(quadratic.eigen_errors(lam, beta, e0, t_max).errors, axis=1)
    level = 1e-2 * np.linalg.norm(e0)
    if k == metrics.NOT_REACHED:
        assert errs[t_max] > level
    else:
        assert 0 < k <= t_max and errs[k - 1] > level
        assert np.all(errs[k:min(k + chunk, t_max + 1)] <= level)
        if k + chunk > t_max + 1:  # stopped by t_max: the count is metrics' on the truncated run
            assert k == metrics.iterations_to_tolerance(errs, 1e-2)


def test_iterations_to_tolerance_batches_and_arguments():
    lam = np.array([[1.0, 0.5], [5.0, 1.0], [1.0, 0.2]])  # the middle problem diverges (eta * 5 > 2)
    counts = quadratic.iterations_to_tolerance(lam, 1.0, 0.0, 1e-6)
    assert counts[1] == metrics.NOT_REACHED and counts[0] > 0 and counts[2] > counts[0]
    np.testing.assert_array_equal(quadratic.iterations_to_tolerance(lam[[0, 2]], np.array([1.0]), 0.0, 1e-6),
                                  counts[[0, 2]])
    assert quadratic.iterations_to_tolerance([1.0], 1.0, 0.0, 0.5, t_max=1)[0] == 1  # one step: e_1 = 0
    with pytest.raises(ValueError, match="^e0 must be nonzero for every problem"):
        quadratic.iterations_to_tolerance(lam[[0, 2]], 1.0, 0.0, 1e-3, e0=[[0.0, 0.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="eta must be a scalar or have shape"):
        quadratic.iterations_to_tolerance(lam, [[1.0]], 0.0, 1e-3)


def test_kappa_sweep_slopes_use_every_reached_count():
    two = quadratic.kappa_sweep([10.0, 100.0], tol=1e-3, n=2)
    assert np.isfinite(two["slope_gd"]) and np.isfinite(two["slope_heavy_ball"])
    assert two["slope_gd"] == pytest.approx(metrics.loglog_slope(two["kappa"], two["gd"]), rel=1e-12)
    close = quadratic.kappa_sweep([2.0, 2.5], tol=1e-3, n=4)
    assert np.isfinite(close["slope_gd"])
    same = quadratic.kappa_sweep([10.0, 10.0], tol=1e-3, n=4)
    assert np.isnan(same["slope_gd"]) and np.isnan(same["slope_heavy_ball"])
    with_one = quadratic.kappa_sweep([1.0, 10.0, 100.0], tol=1e-3, n=4)
    assert with_one["gd"][0] == 1  # kappa = 1, eta = 1/L: exact in one step
    assert with_one["slope_gd"] == pytest.approx(metrics.loglog_slope(with_one["kappa"], with_one["gd"]), rel=1e-12)
    with pytest.raises(ValueError, match="n must be >= 2"):
        quadratic.kappa_sweep([1.0], n=1)
    # the chapter's figure: n = 20 eigenvalues unless told otherwise
    np.testing.assert_array_equal(quadratic.kappa_sweep([30.0])["gd"], quadratic.kappa_sweep([30.0], n=20)["gd"])


def test_an_error_exactly_at_the_level_counts_as_reached():
    """metrics' convention is "at or below": z = 1/2 halves the error, and tol = 1/2 is reached at t = 1."""
    assert quadratic.iterations_to_tolerance([0.5], 1.0, 0.0, 0.5, e0=[1.0]) == [1]
