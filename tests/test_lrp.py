"""accelbook.lrp: the Lessard-Recht-Packard counterexample of Chapter 2 (heavy ball with Polyak's tuning cycles on a
smooth strongly convex function), the outcome classifier, its convergence certificate, the cycle detector, and the
multipliers that make the 3-cycle attracting."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelbook import lrp, methods, theory


def _step_many(x, x_prev, eta, beta, n):
    """n heavy-ball steps on the counterexample from the state (x, x_prev); returns all iterates."""
    out = []
    for _ in range(n):
        x, x_prev = x - eta * lrp.lrp_gradient(x) + beta * (x - x_prev), x
        out.append(float(x))
    return np.array(out)


@pytest.mark.parametrize("beta", [0.39, 0.4, 4 / 9, 0.6, 0.9])
def test_linear_piece_gain_is_the_supremum_of_the_powers(beta):
    B = np.array([[1 + beta - 25 / 9, -beta], [1.0, 0.0]])
    norms, P = [1.0], np.eye(2)
    for _ in range(6000):
        P = B @ P
        norms.append(np.linalg.norm(P, 2))
    assert lrp.lrp_linear_piece_gain(1 / 9, beta) == pytest.approx(max(norms), rel=1e-12)


def test_linear_piece_gain_is_infinite_when_the_piece_is_unstable():
    # eta * 25 = 25/9 > 2(1 + beta) for beta < 7/18: the quadratic piece alone diverges
    assert theory.block_spectral_radius(25 / 9, 0.38) > 1
    assert lrp.lrp_linear_piece_gain(1 / 9, 0.38) == np.inf
    assert lrp.lrp_linear_piece_gain(1 / 9, 0.0) == np.inf


@given(seed=st.integers(0, 10_000))
def test_certified_states_converge_and_stay_in_the_quadratic_piece(seed):
    rng = np.random.default_rng(seed)
    beta = rng.uniform(0.39, 0.95)
    m = lrp.lrp_linear_piece_gain(1 / 9, beta)
    x, x_prev = rng.uniform(-1, 1, 2) * rng.uniform(0.05, 0.35) / m  # within the certificate
    assert lrp.lrp_certified_convergence(x, x_prev, 1 / 9, beta)
    rate = theory.block_spectral_radius(25 / 9, beta)
    path = _step_many(x, x_prev, 1 / 9, beta, int(np.ceil(60 / -np.log(rate))))
    assert np.all(np.abs(path) < 0.5)
    assert abs(path[-1]) < 1e-20


def test_certificate_rejects_cycles_divergence_and_unstable_tuning():
    orbit = lrp.lrp_heavy_ball(3.3, 1 / 9, 4 / 9, 3000)[-2:]
    assert not lrp.lrp_certified_convergence(orbit[1], orbit[0], 1 / 9, 4 / 9)
    assert not lrp.lrp_certified_convergence(np.inf, 1.0, 1 / 9, 4 / 9)
    assert not lrp.lrp_certified_convergence(1e-8, 1e-8, 1 / 9, 0.3)  # piece unstable: no certificate
    assert lrp.lrp_certified_convergence(0.0, 0.0, 1 / 9, 0.3)  # the minimiser itself is a fixed point


def test_slow_convergence_is_classified_as_convergence():
    # beta = 0.39 converges at rate 0.9963 per step on the quadratic piece; 2000 iterations do not bring the
    # iterates below 1e-6, but the certificate decides; a long run confirms
    x0 = np.linspace(-5, 5, 41)
    out = lrp.classify_lrp_starts(x0, beta=0.39)
    assert np.all(out == 1)
    long = lrp.lrp_heavy_ball(x0, 1 / 9, 0.39, 30_000)
    assert np.abs(long[-1]).max() < 1e-30
    assert np.abs(lrp.lrp_heavy_ball(x0, 1 / 9, 0.39, 2000)[-1]).max() > 1e-6


def test_detect_cycle_finds_any_period_up_to_the_bound():
    t = np.arange(800)
    for p in (2, 5, 11, 23, 50):
        signal = np.cos(2 * np.pi * t / p) + 0.3 * np.sin(4 * np.pi * t / p + 0.4)
        assert lrp.detect_cycle(signal) == p
    assert lrp.detect_cycle(np.cos(2 * np.pi * t / 51 + 0.1)) == 0  # beyond max_period
    assert lrp.detect_cycle(np.cos(2 * np.pi * t / 51 + 0.1), max_period=60) == 51


def test_detect_cycle_does_not_mistake_a_small_slow_oscillation_for_a_cycle():
    t = np.arange(600)
    signal = 1e-7 * (-0.9999) ** t  # |x_t - x_(t-2)| ~ 2e-11 is below an absolute 1e-9
    assert lrp.detect_cycle(signal) == 0


def test_the_three_cycle_is_attracting_with_multiplier_eight_27ths():
    eta, beta = theory.polyak_parameters(lrp.LRP_MU, lrp.LRP_L)
    orbit = lrp.lrp_heavy_ball(3.3, eta, beta, 3000)[-3:]
    mult = lrp.lrp_orbit_multipliers(orbit, eta, beta)
    np.testing.assert_allclose(mult, [-(2 / 3) ** 3] * 2, atol=1e-6)
    # independent check: central differences of the 3-step map at the state (x_t, x_(t-1))
    x, x_prev, eps = orbit[0], orbit[2], 1e-6
    J = np.empty((2, 2))
    for j, e in enumerate(np.eye(2) * eps):
        plus = _step_many(x + e[0], x_prev + e[1], eta, beta, 3)
        minus = _step_many(x - e[0], x_prev - e[1], eta, beta, 3)
        J[0, j], J[1, j] = (plus[2] - minus[2]) / (2 * eps), (plus[1] - minus[1]) / (2 * eps)
    # (a double eigenvalue is ill-conditioned: compare the trace and determinant, which are not)
    assert np.trace(J) == pytest.approx(np.sum(mult).real, abs=1e-7)
    assert np.linalg.det(J) == pytest.approx(np.prod(mult).real, abs=1e-7)
    # and nearby starts are pulled in: the deviation shrinks by about 8/27 per round
    near = _step_many(x + 1e-3, x_prev, eta, beta, 3 * 40)
    np.testing.assert_allclose(near[-3:], [orbit[1], orbit[2], orbit[0]], atol=1e-12)


@pytest.mark.parametrize("call, match", [
    (lambda: lrp.lrp_heavy_ball(1.0, 0.1, 1.0, 5), "beta must be < 1"),
    (lambda: lrp.lrp_heavy_ball(1.0, -0.1, 0.5, 5), "eta must be > 0"),
    (lambda: lrp.detect_cycle(np.ones(10)), "trajectory must have at least"),
    (lambda: lrp.lrp_orbit_multipliers([0.5, 0.7, 0.9], 1 / 9, 4 / 9), "orbit must be consecutive iterates"),
    (lambda: lrp.lrp_orbit_multipliers([1.0], 1 / 9, 4 / 9), "orbit must avoid the kinks"),
    (lambda: lrp.lrp_certified_convergence(0.1, 0.1, 1 / 9, 1.0), r"beta must be in \[0, 1\)"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------- moved from test_lrp.py
def test_lrp_constants_on_a_fine_grid():
    x = np.linspace(-6, 6, 120_001)
    g = lrp.lrp_gradient(x)
    slopes = np.diff(g) / np.diff(x)
    assert slopes.min() >= lrp.LRP_MU - 1e-9 and slopes.max() <= lrp.LRP_L + 1e-9
    assert np.isclose(slopes.min(), 1.0) and np.isclose(slopes.max(), 25.0)
    # f is C^1: the pieces agree in value and slope at the kinks; the gradient is the derivative
    for k in (1.0, 2.0):
        assert lrp.lrp_function(k - 1e-12) == pytest.approx(lrp.lrp_function(k), abs=1e-9)
        assert lrp.lrp_gradient(k - 1e-12) == pytest.approx(lrp.lrp_gradient(k), abs=1e-9)
    fd = np.diff(lrp.lrp_function(x)) / np.diff(x)
    np.testing.assert_allclose(fd, 0.5 * (g[1:] + g[:-1]), atol=1e-6)
    assert lrp.lrp_function(0.0) == 0.0 and np.all(lrp.lrp_function(x) >= 0)


def test_polyak_tuning_cycles_while_gradient_descent_converges():
    eta, beta = theory.polyak_parameters(lrp.LRP_MU, lrp.LRP_L)
    assert eta == pytest.approx(1 / 9) and beta == pytest.approx(4 / 9)
    traj = lrp.lrp_heavy_ball(3.3, eta, beta, 2000)
    assert lrp.detect_cycle(traj) == 3
    assert np.ptp(traj[-3:]) > 1  # a genuine cycle, far from the minimiser
    assert np.all(np.abs(traj[-300:]) > 0.5)
    gd = lrp.lrp_heavy_ball(3.3, 1 / lrp.LRP_L, 0.0, 2000)
    assert abs(gd[-1]) < 1e-12
    # the scalar recursion is the package's heavy ball
    run = methods.heavy_ball(lrp.lrp_gradient, np.array([3.3]), eta, beta, 50)
    np.testing.assert_allclose(run.trajectory[:, 0], traj[:51], rtol=1e-12)


def test_classify_lrp_starts():
    x0 = np.linspace(-5, 5, 401)
    outcome = lrp.classify_lrp_starts(x0)
    assert set(np.unique(outcome)) == {1, 3}
    assert outcome[np.argmin(np.abs(x0 - 0.1))] == 1  # near the minimiser: local convergence
    assert np.all(lrp.classify_lrp_starts(x0, beta=0.81, eta=1 / 25, n_iter=4000) == 1)


def test_detect_cycle_on_synthetic_signals():
    t = np.arange(600)
    assert lrp.detect_cycle(np.sin(2 * np.pi * t / 5)) == 5
    assert lrp.detect_cycle(0.5 ** t) == 1
    assert lrp.detect_cycle(t.astype(float)) == 0


def test_lrp_divergence_is_classified():
    # gradient descent with eta = 1/9: eta * L = 25/9 > 2, so it diverges from any start near 0
    assert lrp.classify_lrp_starts(np.array([0.5]), beta=0.0)[0] == -1
    # beta = 0.1 is unstable at 0 too, but the iterates stay bounded without settling
    traj = lrp.lrp_heavy_ball(0.5, 1 / 9, 0.1, 2000)
    assert lrp.classify_lrp_starts(np.array([0.5]), beta=0.1)[0] == 0 and np.abs(traj).max() < 10


def test_true_intervals():
    x = np.arange(8.0)
    assert lrp.true_intervals(x, [0, 1, 1, 0, 0, 1, 0, 1]) == [(1.0, 2.0), (5.0, 5.0), (7.0, 7.0)]
    assert lrp.true_intervals(x, np.zeros(8)) == []
    with pytest.raises(ValueError, match="mask must have the shape of x"):
        lrp.true_intervals(x, [1, 0])


def test_lrp_heavy_ball_flags_divergence_with_a_finite_prefix():
    """eta = 1 is far too large (eta * L = 25): |x_t| grows like 24^t and leaves [-1e100, 1e100] near t = 72."""
    run = lrp.lrp_heavy_ball(0.5, 1.0, 0.0, 200)
    assert run.diverged and 60 < int(run.nit) < 80 and "diverged" in run.message
    assert np.all(np.isfinite(run.trajectory))
    prefix = run.prefix()
    assert prefix.shape == (int(run.nit) + 1,) and np.all(np.abs(prefix) <= 1e100)
    assert prefix[1] == 0.5 - 25 * 0.5 and prefix[2] == prefix[1] - 25 * prefix[1]  # x < 1: x - 25 x
    assert lrp.detect_cycle(np.zeros(300)) == 1 and lrp.detect_cycle(lrp.lrp_heavy_ball(0.5, 1.0, 0.0, 300)) == 0


def test_lrp_heavy_ball_batch_stops_only_the_diverging_trials():
    run = lrp.lrp_heavy_ball(np.array([0.5, 0.5, 3.3]), np.array([1.0, 1 / 25, 1 / 9]), np.array([0.0, 0.0, 4 / 9]),
                                2000)
    np.testing.assert_array_equal(run.diverged, [True, False, False])
    assert np.all(np.isfinite(run.trajectory)) and run.nit[1] == run.nit[2] == 2000
    np.testing.assert_array_equal(run.prefix(1), run.trajectory[:, 1])
    np.testing.assert_array_equal(lrp.detect_cycle(run), [0, 1, 3])
    # the record reads as its array, so code written for the old return value keeps working
    assert np.asarray(run).shape == (2001, 3) and run[-1].shape == (3,) and len(run) == 2001


def test_classify_needs_enough_iterations():
    with pytest.raises(ValueError, match="n_iter must be >= 249"):
        lrp.classify_lrp_starts(np.array([1.0]), n_iter=248)
    assert lrp.classify_lrp_starts(np.array([3.3]), n_iter=249)[0] in (0, 3)


def test_lrp_heavy_ball_stops_each_trial_at_its_exit_and_says_so():
    """x < 1 and beta = 0, eta = 1: x_t = 0.5 (-24)^t leaves [-1e100, 1e100] at t = 73 exactly."""
    run = lrp.lrp_heavy_ball(np.array([0.5, 0.5, 0.1]), np.array([1.0, 1 / 25, 1.0]), 0.0, 200)
    assert run.nit.dtype.kind == "i" and run.nit.tolist() == [72, 200, int(run.nit[2])]
    assert run.message == "2 of 3 trials diverged (|x_t| > 1e+100)"
    assert lrp.lrp_heavy_ball(0.5, 0.1, 0.5, 0).trajectory.shape == (1,)
    assert lrp.lrp_heavy_ball(1e100, 1e-3, 0.0, 2).nit == 2  # x0 = max_abs itself is allowed
    small = lrp.lrp_heavy_ball(0.1, 1 / 25, 0.0, 5, max_abs=0.5)
    assert not small.diverged and small.nit == 5
    with pytest.raises(ValueError, match="max_abs must be > 0"):
        lrp.lrp_heavy_ball(0.0, 0.1, 0.0, 5, max_abs=0.0)


def test_classify_lrp_starts_in_every_regime():
    """Slow divergence (|x| > 1e6 at the end, far below the runner's cap) is -1; a start far out that comes back
    converges (1); a run too slow to move (eta = 1e-14) is "settled" but not at 0: 0; batches are classified
    trial by trial."""
    slow_growth = lrp.classify_lrp_starts(np.array([100.0, 50.0]), beta=0.0, eta=0.0815, n_iter=2000)
    assert slow_growth.tolist() == [-1, -1]
    assert not np.any(lrp.lrp_heavy_ball(100.0, 0.0815, 0.0, 2000).diverged)  # |x| ~ 1e34 < 1e100: not the cap
    mixed = lrp.classify_lrp_starts(np.array([100.0, 0.5]), beta=0.0, eta=np.array([0.0815, 1 / 25]), n_iter=2000)
    assert mixed.tolist() == [-1, 1]
    assert lrp.classify_lrp_starts(np.array([1e7]), beta=0.0, eta=0.0004, n_iter=5000)[0] == 1
    stuck = lrp.classify_lrp_starts(np.array([1.0]), beta=0.0, eta=1e-14, n_iter=300)
    assert stuck.tolist() == [0] and stuck.dtype.kind == "i"


def test_detect_cycle_edge_cases():
    t = np.arange(400)
    assert lrp.detect_cycle((-1.0) ** t, max_period=2) == 2
    assert lrp.detect_cycle(0.1 * np.sin(2 * np.pi * t / 5)) == 5       # small amplitude, default tol
    assert lrp.detect_cycle(np.sin(2 * np.pi * t / 50)) == 50           # the largest period looked for
    assert lrp.detect_cycle(np.full(300, 7.0)) == 1                     # settled away from 0
    assert lrp.detect_cycle(np.tile([1.0, 2.0, 4.0], 100), tol=0.0) == 3  # exact cycle, zero tolerance
    assert lrp.detect_cycle(np.full(300, 2.0), tol=0.0) == 1
    both = lrp.detect_cycle(np.stack([np.sin(2 * np.pi * t / 3), np.sin(2 * np.pi * t / 5)], axis=1))
    assert both.tolist() == [3, 5] and both.dtype.kind == "i"
    assert lrp.detect_cycle(np.sin(2 * np.pi * t / 3), tail=2, max_period=3) == 3
    with pytest.raises(ValueError, match=r"at least tail \+ max_period = 250 steps"):
        lrp.detect_cycle(np.ones(240))


def test_true_intervals_on_any_increasing_grid():
    assert lrp.true_intervals([0.0, 0.5, 1.0, 1.5], [1, 1, 0, 1]) == [(0.0, 0.5), (1.5, 1.5)]
    assert lrp.true_intervals([0.0, 0.0, 1.0], [True, True, False]) == [(0.0, 0.0)]
    with pytest.raises(ValueError, match="x must be sorted"):
        lrp.true_intervals([1.0, 0.0], [1, 1])



# ---------------------------------------------------------------- properties that kill mutants (make mutation)
def _p_step_jacobian(orbit, eta, beta, eps=1e-6):
    """Central differences of the p-step heavy-ball map at the state (x_p, x_(p-1)) of a periodic orbit."""
    x, x_prev = orbit[-1], orbit[-2]
    p = len(orbit)
    J = np.empty((2, 2))
    for j, e in enumerate(np.eye(2) * eps):
        plus = _step_many(x + e[0], x_prev + e[1], eta, beta, p)
        minus = _step_many(x - e[0], x_prev - e[1], eta, beta, p)
        J[0, j], J[1, j] = (plus[-1] - minus[-1]) / (2 * eps), (plus[-2] - minus[-2]) / (2 * eps)
    return J


def test_multipliers_of_a_cycle_through_the_middle_piece_match_finite_differences():
    """A 7-cycle at eta = 0.12, beta = 0.875 visits all three pieces (one point in [1, 2), where f'' = 1): the
    multipliers are the eigenvalues of the 7-step map's derivative, checked against central differences (trace
    and determinant); a curvature of 25 on the middle piece gives other multipliers."""
    eta, beta = 0.12, 0.875
    run = lrp.lrp_heavy_ball(2.5, eta, beta, 4000)
    assert lrp.detect_cycle(run) == 7
    orbit = run.trajectory[-7:]
    assert np.sum((orbit > 1) & (orbit < 2)) == 1 and np.sum(orbit >= 2) >= 1 and np.sum(orbit < 1) >= 1
    mult = lrp.lrp_orbit_multipliers(orbit, eta, beta)
    J = _p_step_jacobian(orbit, eta, beta)
    assert np.trace(J) == pytest.approx(np.sum(mult).real, rel=1e-6, abs=1e-8)
    assert np.linalg.det(J) == pytest.approx(np.prod(mult).real, rel=1e-6, abs=1e-10)
    # the product of determinants: each one-step block has det beta, whatever the piece
    assert np.prod(mult).real == pytest.approx(beta ** 7, rel=1e-10)
    # and the orbit may be given from any of its points (a cyclic shift of the same cycle)
    np.testing.assert_allclose(np.sort_complex(lrp.lrp_orbit_multipliers(np.roll(orbit, 3), eta, beta)),
                               np.sort_complex(mult), atol=1e-9)


def test_orbit_multipliers_refuse_what_is_not_a_cycle_by_name():
    """The refusals name the argument and say what is wrong: the orbit must be 1-d, consecutive iterates of a
    cycle (the mismatch is the largest |x_(t+1) - step(x_t)|, the shift by one), away from both kinks (to tol);
    tol must be > 0."""
    eta, beta = theory.polyak_parameters(lrp.LRP_MU, lrp.LRP_L)
    orbit = lrp.lrp_heavy_ball(3.3, eta, beta, 3000)[-3:]
    with pytest.raises(ValueError, match=r"^orbit must be 1-dimensional"):
        lrp.lrp_orbit_multipliers(orbit[None, :], eta, beta)
    for bad_tol in (0.0, -1e-8):
        with pytest.raises(ValueError, match=r"^tol must be > 0"):
            lrp.lrp_orbit_multipliers(orbit, eta, beta, tol=bad_tol)
    shifted = orbit.copy()
    shifted[1] += 1e-3  # one point off the cycle: x_1 -> x_2 and x_2 -> x_3 are both off by about 1e-3
    with pytest.raises(ValueError, match="consecutive iterates") as info:
        lrp.lrp_orbit_multipliers(shifted, eta, beta)
    nxt = shifted - eta * lrp.lrp_gradient(shifted) + beta * (shifted - np.roll(shifted, 1))
    assert f"mismatch of {np.max(np.abs(nxt - np.roll(shifted, -1))):.3g}" in str(info.value)
    # a point within tol of either kink is refused, at distance exactly tol too (tol = 2^-20: exact sums)
    tol = 2.0 ** -20
    for kink in (1.0, 2.0):
        for near in (kink, kink + tol, kink - tol, kink + 0.5 * tol):
            with pytest.raises(ValueError, match="orbit must avoid the kinks"):
                lrp.lrp_orbit_multipliers([near], eta, beta, tol=tol)
    # the fixed point 0 is a cycle of period 1: its multipliers are the quadratic piece's roots, -2/3 twice
    np.testing.assert_allclose(lrp.lrp_orbit_multipliers([0.0], eta, beta), [-2 / 3, -2 / 3], atol=1e-7)


def test_cycle_check_tolerance_is_absolute_and_scaled_by_the_orbit_size():
    """The cycle check accepts a mismatch up to tol * max(1, max|x|) and nothing relative to the values: a 7-cycle
    perturbed by 0.5 * tol * max|x| passes, by 2 * tol * max|x| fails (max|x| > 2 here, so max(1, .) matters)."""
    eta, beta = 0.12, 0.875
    orbit = lrp.lrp_heavy_ball(2.5, eta, beta, 4000).trajectory[-7:]
    scale = np.max(np.abs(orbit))
    assert scale > 2
    tol = 1e-9
    ok = orbit.copy()
    ok[0] += 0.25 * tol * scale
    lrp.lrp_orbit_multipliers(ok, eta, beta, tol=tol)
    bad = orbit.copy()
    bad[0] += 2 * tol * scale
    with pytest.raises(ValueError, match="consecutive iterates"):
        lrp.lrp_orbit_multipliers(bad, eta, beta, tol=tol)
    # near 0 the scale is 1: the one-point "orbit" [d] is mapped to -16/9 d (mismatch 25/9 d), so with
    # 25/9 d = 1.5 tol it is refused (and d = 0.3 tol is accepted)
    for d, accepted in ((1.5 * 9 / 25 * 1e-6, False), (0.3 * 9 / 25 * 1e-6, True)):
        if accepted:
            lrp.lrp_orbit_multipliers([d], 1 / 9, 4 / 9, tol=1e-6)
        else:
            with pytest.raises(ValueError, match="consecutive iterates"):
                lrp.lrp_orbit_multipliers([d], 1 / 9, 4 / 9, tol=1e-6)


def test_true_intervals_refuses_by_name():
    with pytest.raises(ValueError, match=r"^x must be 1-dimensional"):
        lrp.true_intervals(np.zeros((2, 2)), np.ones((2, 2), dtype=bool))
    with pytest.raises(TypeError, match=r"^mask must be an array of bools \(or 0/1\), got str"):
        lrp.true_intervals([0.0, 1.0], "ab")
    with pytest.raises(TypeError, match=r"got list \[0.5, 1\]"):
        lrp.true_intervals([0.0, 1.0], [0.5, 1])


def test_a_two_cycle_is_classified_as_period_two():
    """eta = 0.1, beta = 0.25 puts a root of the quadratic piece's block at exactly -1 (the other at -1/4): the
    iterates settle on the 2-cycle +-0.4 (0.4 -> 0.4 - 0.1 * 10 + 0.25 * 0.8 = -0.4), a period the classifier
    reports as 2, not as "none of these"."""
    traj = lrp.lrp_heavy_ball(-6.0, 0.1, 0.25, 2000).trajectory
    np.testing.assert_allclose(traj[-4:], [0.4, -0.4, 0.4, -0.4], atol=1e-12)
    assert lrp.classify_lrp_starts(np.array([-6.0]), beta=0.25, eta=0.1).tolist() == [2]


def test_detect_cycle_reads_each_trial_by_its_own_spread():
    """Trials of very different levels in one batch: the relative period test uses each trial's own spread.
    A drift of 1e-9 per step near 100 is not a cycle (and not settled), however close to 0 the other trial is."""
    t = np.arange(600)
    drift = 100.0 + 1e-9 * t
    cycle = np.sin(2 * np.pi * t / 5)
    assert lrp.detect_cycle(np.stack([drift, cycle], axis=1)).tolist() == [0, 5]
    assert lrp.detect_cycle(np.stack([cycle, drift], axis=1)).tolist() == [5, 0]


def test_certificate_is_the_documented_half_margin_batched_and_overflow_free():
    """M * ||(x_t, x_(t-1))|| < 1/2 is certified and M * ||.|| slightly above 1/2 is not (the docstring's margin),
    element by element over any broadcast of the four arguments; a huge state is refused without an overflow
    warning; a text state is refused by name."""
    for beta in (0.4, 0.5, 0.9):
        M = lrp.lrp_linear_piece_gain(1 / 9, beta)
        x = np.array([0.499, 0.501, 0.3, 0.9]) / M
        np.testing.assert_array_equal(lrp.lrp_certified_convergence(x, 0.0, 1 / 9, beta), [True, False, True, False])
        np.testing.assert_array_equal(lrp.lrp_certified_convergence(0.0, x, 1 / 9, beta), [True, False, True, False])
    betas = np.array([0.4, 0.9])
    gains = np.array([lrp.lrp_linear_piece_gain(1 / 9, b) for b in betas])
    x = 0.45 / gains.min()  # below 1/2 for the smaller gain only
    np.testing.assert_array_equal(lrp.lrp_certified_convergence(x, 0.0, 1 / 9, betas), gains * x < 0.5)
    np.testing.assert_array_equal(lrp.lrp_certified_convergence(x, 0.0, np.array([1 / 9, 1 / 9]), 0.9),
                                  [gains[1] * x < 0.5] * 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not lrp.lrp_certified_convergence(1e308, 1e308, 1 / 9, 0.9)
    with pytest.raises(TypeError, match=r"^x_last must be an array of real numbers, got str"):
        lrp.lrp_certified_convergence("abc", 0.0, 1 / 9, 0.5)
    with pytest.raises(TypeError, match=r"^x_prev must be an array of real numbers \("):
        lrp.lrp_certified_convergence(0.0, [1.0, "a"], 1 / 9, 0.5)


def test_linear_piece_gain_with_the_shortest_horizon():
    """horizon = 1 is allowed: B itself has norm above 1 at these tunings, so nothing is certified within it."""
    assert lrp.lrp_linear_piece_gain(1 / 9, 0.9, horizon=1) == np.inf
    assert lrp.lrp_linear_piece_gain(1 / 9, 0.9, horizon=20_000) < np.inf


def test_the_divergence_cap_is_inclusive_and_a_completed_run_says_so():
    """|x_t| = max_abs is accepted: x = 0.5, eta = 2/25, beta = 0 maps 0.5 to -0.5 exactly and back."""
    run = lrp.lrp_heavy_ball(0.5, 2 / 25, 0.0, 10, max_abs=0.5)
    assert not run.diverged and run.nit == 10 and run.message == "completed 10 iterations"
    np.testing.assert_array_equal(run.trajectory, 0.5 * (-1.0) ** np.arange(11))
