"""accelbook.convex behind Chapter 2's claims (issue 14): convergence on the Lessard-Recht-Packard function judged
by a certificate (slow convergence is convergence), cycles of any period up to the bound, and the multipliers
that make the 3-cycle attracting."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelbook import convex, theory


def _step_many(x, x_prev, eta, beta, n):
    """n heavy-ball steps on the counterexample from the state (x, x_prev); returns all iterates."""
    out = []
    for _ in range(n):
        x, x_prev = x - eta * convex.lrp_gradient(x) + beta * (x - x_prev), x
        out.append(float(x))
    return np.array(out)


@pytest.mark.parametrize("beta", [0.39, 0.4, 4 / 9, 0.6, 0.9])
def test_linear_piece_gain_is_the_supremum_of_the_powers(beta):
    B = np.array([[1 + beta - 25 / 9, -beta], [1.0, 0.0]])
    norms, P = [1.0], np.eye(2)
    for _ in range(6000):
        P = B @ P
        norms.append(np.linalg.norm(P, 2))
    assert convex.lrp_linear_piece_gain(1 / 9, beta) == pytest.approx(max(norms), rel=1e-12)


def test_linear_piece_gain_is_infinite_when_the_piece_is_unstable():
    # eta * 25 = 25/9 > 2(1 + beta) for beta < 7/18: the quadratic piece alone diverges
    assert theory.block_spectral_radius(25 / 9, 0.38) > 1
    assert convex.lrp_linear_piece_gain(1 / 9, 0.38) == np.inf
    assert convex.lrp_linear_piece_gain(1 / 9, 0.0) == np.inf


@given(seed=st.integers(0, 10_000))
def test_certified_states_converge_and_stay_in_the_quadratic_piece(seed):
    rng = np.random.default_rng(seed)
    beta = rng.uniform(0.39, 0.95)
    m = convex.lrp_linear_piece_gain(1 / 9, beta)
    x, x_prev = rng.uniform(-1, 1, 2) * rng.uniform(0.05, 0.35) / m  # within the certificate
    assert convex.lrp_certified_convergence(x, x_prev, 1 / 9, beta)
    rate = theory.block_spectral_radius(25 / 9, beta)
    path = _step_many(x, x_prev, 1 / 9, beta, int(np.ceil(60 / -np.log(rate))))
    assert np.all(np.abs(path) < 0.5)
    assert abs(path[-1]) < 1e-20


def test_certificate_rejects_cycles_divergence_and_unstable_tuning():
    orbit = convex.lrp_heavy_ball(3.3, 1 / 9, 4 / 9, 3000)[-2:]
    assert not convex.lrp_certified_convergence(orbit[1], orbit[0], 1 / 9, 4 / 9)
    assert not convex.lrp_certified_convergence(np.inf, 1.0, 1 / 9, 4 / 9)
    assert not convex.lrp_certified_convergence(1e-8, 1e-8, 1 / 9, 0.3)  # piece unstable: no certificate
    assert convex.lrp_certified_convergence(0.0, 0.0, 1 / 9, 0.3)  # the minimiser itself is a fixed point


def test_slow_convergence_is_classified_as_convergence():
    # beta = 0.39 converges at rate 0.9963 per step on the quadratic piece; 2000 iterations do not bring the
    # iterates below 1e-6, but the certificate decides; a long run confirms
    x0 = np.linspace(-5, 5, 41)
    out = convex.classify_lrp_starts(x0, beta=0.39)
    assert np.all(out == 1)
    long = convex.lrp_heavy_ball(x0, 1 / 9, 0.39, 30_000)
    assert np.abs(long[-1]).max() < 1e-30
    assert np.abs(convex.lrp_heavy_ball(x0, 1 / 9, 0.39, 2000)[-1]).max() > 1e-6


def test_detect_cycle_finds_any_period_up_to_the_bound():
    t = np.arange(800)
    for p in (2, 5, 11, 23, 50):
        signal = np.cos(2 * np.pi * t / p) + 0.3 * np.sin(4 * np.pi * t / p + 0.4)
        assert convex.detect_cycle(signal) == p
    assert convex.detect_cycle(np.cos(2 * np.pi * t / 51 + 0.1)) == 0  # beyond max_period
    assert convex.detect_cycle(np.cos(2 * np.pi * t / 51 + 0.1), max_period=60) == 51


def test_detect_cycle_does_not_mistake_a_small_slow_oscillation_for_a_cycle():
    t = np.arange(600)
    signal = 1e-7 * (-0.9999) ** t  # |x_t - x_(t-2)| ~ 2e-11 is below an absolute 1e-9
    assert convex.detect_cycle(signal) == 0


def test_the_three_cycle_is_attracting_with_multiplier_eight_27ths():
    eta, beta = theory.polyak_parameters(convex.LRP_MU, convex.LRP_L)
    orbit = convex.lrp_heavy_ball(3.3, eta, beta, 3000)[-3:]
    mult = convex.lrp_orbit_multipliers(orbit, eta, beta)
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
    (lambda: convex.lrp_orbit_multipliers([0.5, 0.7, 0.9], 1 / 9, 4 / 9), "orbit must be consecutive iterates"),
    (lambda: convex.lrp_orbit_multipliers([1.0], 1 / 9, 4 / 9), "orbit must avoid the kinks"),
    (lambda: convex.lrp_certified_convergence(0.1, 0.1, 1 / 9, 1.0), r"beta must be in \[0, 1\)"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
