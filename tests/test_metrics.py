"""Tests of accelbook.metrics: one convention each for stacked norms, rates and iterations to tolerance."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelbook import metrics


@given(st.integers(1, 30), st.integers(1, 5), st.integers(0, 2**31 - 1))
def test_stacked_norms_is_the_norm_of_the_stacked_vector(T, n, seed):
    xi = np.random.default_rng(seed).standard_normal((T + 1, n))
    prev = np.vstack([xi[:1], xi[:-1]])
    expected = [np.linalg.norm(np.concatenate([a, b])) for a, b in zip(xi, prev)]
    np.testing.assert_allclose(metrics.stacked_norms(xi), expected, rtol=1e-14)


def test_stacked_norms_with_a_previous_residual_and_a_batch():
    rng = np.random.default_rng(1)
    xi, prev = rng.standard_normal((6, 3, 4)), rng.standard_normal((3, 4))
    out = metrics.stacked_norms(xi, xi_prev=prev)
    assert out.shape == (6, 3)
    np.testing.assert_allclose(out[0], np.sqrt(np.sum(xi[0] ** 2 + prev ** 2, axis=-1)))
    np.testing.assert_allclose(out[3], np.sqrt(np.sum(xi[3] ** 2 + xi[2] ** 2, axis=-1)))


@given(st.floats(0.05, 0.999), st.floats(0.1, 10.0), st.integers(20, 400))
def test_measured_rate_recovers_a_geometric_rate(rate, scale, T):
    v = scale * rate ** np.arange(T + 1)
    assert metrics.measured_rate(v, stop=1e-300) == pytest.approx(rate, rel=1e-9)


def test_measured_rate_averages_an_oscillation_and_respects_the_window():
    t = np.arange(400)
    v = 0.9 ** t * (1.5 + np.cos(2.1 * t))
    assert metrics.measured_rate(v, stop=1e-300) == pytest.approx(0.9, rel=2e-3)
    # a fast transient before the window does not change the rate measured inside it
    w = np.where(t < 10, 0.5 ** t, 0.5 ** 10 * 0.95 ** (t - 10))
    assert metrics.measured_rate(w, start=1e-3, stop=1e-12) == pytest.approx(0.95, rel=1e-9)
    assert np.isnan(metrics.measured_rate(np.ones(5), start=0.5))


def test_iterations_to_tolerance_counts_from_where_it_stays_below():
    v = np.array([1.0, 0.5, 1e-3, 0.2, 1e-4, 1e-5])
    assert metrics.iterations_to_tolerance(v, 1e-2) == 4  # the dip at t = 2 is transient
    assert metrics.iterations_to_tolerance(v, 1e-6) == metrics.NOT_REACHED
    assert metrics.iterations_to_tolerance(v, 2.0) == 0
    assert metrics.iterations_to_tolerance(v * 10, 1e-3, relative=False) == 4
    batch = np.stack([v, v[::-1]], axis=1)
    np.testing.assert_array_equal(metrics.iterations_to_tolerance(batch, 1e-2), [4, -1])


@given(st.integers(0, 2**31 - 1))
def test_iterations_to_tolerance_against_a_direct_scan(seed):
    rng = np.random.default_rng(seed)
    v = np.exp(np.cumsum(rng.normal(-0.3, 1.0, 40)))
    tol = 10 ** rng.uniform(-4, 0)
    level = tol * v[0]
    expected = next((t for t in range(v.size) if np.all(v[t:] <= level)), -1)
    assert metrics.iterations_to_tolerance(v, tol) == expected


def test_loglog_slope_of_a_power_law():
    x = np.logspace(0, 3, 7)
    assert metrics.loglog_slope(x, 3 * x ** 0.5) == pytest.approx(0.5)


@pytest.mark.parametrize("call, name", [
    (lambda: metrics.stacked_norms(np.ones(3)), "xi"),
    (lambda: metrics.stacked_norms(np.ones((3, 2)), xi_prev=np.ones(3)), "xi_prev"),
    (lambda: metrics.measured_rate([1.0, -1.0, 0.5]), "values"),
    (lambda: metrics.measured_rate([1.0, 0.5], start=1.5), "start"),
    (lambda: metrics.measured_rate([1.0, 0.5], stop=1.0), "stop"),
    (lambda: metrics.iterations_to_tolerance([1.0, np.nan], 0.1), "values"),
    (lambda: metrics.iterations_to_tolerance([1.0, 0.5], 0.0), "tol"),
    (lambda: metrics.iterations_to_tolerance([1.0, 0.5], 0.1, relative=1), "relative"),
    (lambda: metrics.loglog_slope([1.0, 2.0], [1.0]), "y"),
    (lambda: metrics.loglog_slope([0.0, 2.0], [1.0, 2.0]), "x"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises((ValueError, TypeError), match=rf"^{name} "):
        call()


def test_stacked_norms_of_huge_finite_residuals_do_not_overflow():
    xi = np.array([[1e200, 1e200], [3e300, 4e300]])
    out = metrics.stacked_norms(xi)
    np.testing.assert_allclose(out, [np.sqrt(4) * 1e200, np.hypot(5e300, np.sqrt(2) * 1e200)], rtol=1e-14)
