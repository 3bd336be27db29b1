"""accelbook.pep: certified worst cases against exact answers, and the quadratic worst case against independent runs.

Few SDP solves, small n: the file runs in a few seconds.
"""

import dataclasses
import sys

import numpy as np
import pytest

from accelbook import methods, pep, theory

RTOL = 2e-5  # Clarabel's accuracy on these small SDPs (1e-6 to 1e-5 relative)


# ---------------------------------------------------------------- exact answers for gradient descent
@pytest.mark.parametrize("kappa, n", [(4.0, 1), (25.0, 3), (100.0, 2)])
def test_gd_optimal_step_exact(kappa, n):
    exact = ((kappa - 1) / (kappa + 1)) ** (2 * n)
    res = pep.gd_worst_case(1.0, kappa, 2 / (1 + kappa), n)
    assert res.value == pytest.approx(exact, rel=RTOL)
    assert res.value != pytest.approx(((kappa - 1) / (kappa + 1)) ** n, rel=1e-3)  # not the unsquared rate
    assert res.status == "optimal" and res.solver.startswith("CLARABEL")
    assert res.function_class == "smooth_strongly_convex" and res.measure == "distance" and res.method == "gd"
    assert abs(res.gap) <= 1e-5 * res.value and res.solve_time > 0


@pytest.mark.parametrize("kappa, n", [(10.0, 2), (50.0, 4)])
def test_gd_one_over_L_exact_both_measures(kappa, n):
    exact = (1 - 1 / kappa) ** (2 * n)
    for measure in ("distance", "function_value"):
        res = pep.gd_worst_case(2.0, 2.0 * kappa, 1 / (2.0 * kappa), n, measure=measure)
        assert res.value == pytest.approx(exact, rel=RTOL), measure


def test_gd_quadratic_exact_many():
    rng = np.random.default_rng(0)
    for _ in range(40):
        mu, kappa, n = rng.uniform(0.1, 3), 10 ** rng.uniform(0, 3), int(rng.integers(1, 30))
        L = mu * kappa
        eta = rng.uniform(0.1, 2.5) / L
        res = pep.gd_worst_case(mu, L, eta, n, function_class="quadratic")
        exact = max(abs(1 - eta * mu), abs(1 - eta * L)) ** (2 * n)
        assert res.value == pytest.approx(exact, rel=1e-12)
        assert res.upper >= res.value and res.witness in (pytest.approx(mu), pytest.approx(L))


# ---------------------------------------------------------------- identities between the methods
def test_one_heavy_ball_step_is_one_gradient_step():
    gd = pep.gd_worst_case(1.0, 25.0, 0.05, 1).value
    for beta in (0.3, 0.9):
        assert pep.heavy_ball_worst_case(1.0, 25.0, 0.05, beta, 1).value == pytest.approx(gd, rel=RTOL)
    rng = np.random.default_rng(1)
    for _ in range(20):
        mu, L, eta, beta = 1.0, 10 ** rng.uniform(0, 3), rng.uniform(0.01, 1), rng.uniform(0, 0.99)
        q = pep.heavy_ball_worst_case(mu, L, eta, beta, 1, function_class="quadratic").value
        assert q == pytest.approx(pep.gd_worst_case(mu, L, eta, 1, function_class="quadratic").value, rel=1e-12)


def test_nesterov_without_momentum_is_gradient_descent():
    gd = pep.gd_worst_case(1.0, 10.0, 0.15, 3)
    nest = pep.nesterov_worst_case(1.0, 10.0, 0.15, 0.0, 3)
    assert nest.value == pytest.approx(gd.value, rel=RTOL)
    assert nest.value == pytest.approx(0.85 ** 6, rel=RTOL)  # max(|1 - 0.15|, |1 - 1.5|)^(2n)
    for measure in ("distance", "function_value"):
        a = pep.nesterov_worst_case(1.0, 10.0, 0.15, 0.0, 7, function_class="quadratic", measure=measure)
        assert a.value == pytest.approx(0.85 ** 14, rel=1e-12)


def test_quadratic_never_exceeds_smooth_strongly_convex():
    eta, beta = theory.polyak_parameters(1.0, 25.0)
    cases = [("heavy_ball", 1.0, 25.0, eta, beta, 3, "distance"),
             ("heavy_ball", 1.0, 25.0, 0.04, 0.81, 4, "distance"),
             ("nesterov", 1.0, 25.0, 0.04, 0.7, 4, "function_value"),
             ("gd", 1.0, 25.0, 0.04, 0.0, 3, "distance")]
    for method, mu, L, eta, beta, n, measure in cases:
        ssc, quad = pep.worst_cases(method, mu, L, [n], eta=eta, beta=beta, measure=measure)[0], \
            pep.worst_cases(method, mu, L, [n], eta=eta, beta=beta, measure=measure, function_class="quadratic")[0]
        assert quad.value <= ssc.value * (1 + RTOL), method
        assert abs(ssc.gap) <= 1e-5 * max(1.0, ssc.value)
        if method == "gd":
            assert quad.value == pytest.approx(ssc.value, rel=RTOL)
    # heavy ball with Polyak's tuning: strictly worse beyond quadratics (7.92 against 3.71 at n = 2)
    ssc2 = pep.heavy_ball_worst_case(1.0, 25.0, *theory.polyak_parameters(1.0, 25.0), 2).value
    assert ssc2 > 2 * pep.heavy_ball_worst_case(1.0, 25.0, *theory.polyak_parameters(1.0, 25.0), 2,
                                                function_class="quadratic").value


# ---------------------------------------------------------------- quadratics against independent computations
def _momentum_power_error(lam, eta, beta, n):
    """e_n / e_0 for heavy ball on lam x^2 / 2, from the 2x2 momentum matrix of theory (start [1; 1])."""
    A = theory.momentum_matrix(np.array([[lam]]), eta, beta)
    return (np.linalg.matrix_power(A, n) @ np.ones(2))[0]


@pytest.mark.parametrize("seed", range(4))
def test_quadratic_heavy_ball_against_momentum_matrix(seed):
    rng = np.random.default_rng(seed)
    mu, kappa = rng.uniform(0.5, 2), 10 ** rng.uniform(0.5, 2.5)
    L, n = mu * kappa, int(rng.integers(2, 25))
    eta, beta = rng.uniform(0.2, 1.8) / L, rng.uniform(0.2, 0.95)
    res = pep.heavy_ball_worst_case(mu, L, eta, beta, n, function_class="quadratic")
    lam = np.r_[rng.uniform(mu, L, 3000), mu, L]
    sampled = np.array([_momentum_power_error(x, eta, beta, n) ** 2 for x in lam])
    assert np.all(sampled <= res.value * (1 + 1e-9))
    dense = np.linspace(mu, L, 200_001)
    run = methods.heavy_ball(lambda w: dense * w, np.ones_like(dense), eta, beta, n, form="difference", store="last")
    assert np.max(run.x ** 2) <= res.value * (1 + 1e-9) and np.max(run.x ** 2) >= res.value * (1 - 1e-4)
    assert _momentum_power_error(res.witness, eta, beta, n) ** 2 == pytest.approx(res.value, rel=1e-9)
    assert res.value < res.upper <= res.value * 1.07  # Markov's inequality inflates the grid maximum a little


def test_quadratic_nesterov_against_runs():
    rng = np.random.default_rng(5)
    for _ in range(5):
        mu, L, n = 1.0, 10 ** rng.uniform(0.5, 2.5), int(rng.integers(2, 20))
        eta, beta = rng.uniform(0.3, 1.5) / L, rng.uniform(0.2, 0.95)
        res = pep.nesterov_worst_case(mu, L, eta, beta, n, function_class="quadratic")
        lam = np.linspace(mu, L, 100_001)
        run = methods.nesterov(lambda w: lam * w, np.ones_like(lam), eta, beta, n, store="last")
        assert np.max(run.x ** 2) <= res.value * (1 + 1e-9) and np.max(run.x ** 2) >= res.value * (1 - 1e-4)
        assert res.value == pytest.approx(pep.nesterov_worst_case(mu, L, eta, beta, n, function_class="quadratic",
                                                                  measure="function_value").value, rel=1e-12)


def test_quadratic_degenerate_interval_and_overflow():
    res = pep.heavy_ball_worst_case(2.0, 2.0, 0.3, 0.5, 4, function_class="quadratic")
    assert res.value == pytest.approx(_momentum_power_error(2.0, 0.3, 0.5, 4) ** 2, rel=1e-12)
    with pytest.raises(OverflowError, match="exceeds 1e300"):
        pep.gd_worst_case(1.0, 10.0, 100.0, 200, function_class="quadratic")


# ---------------------------------------------------------------- failures are loud, output is quiet
def test_solver_failure_raises(monkeypatch):
    with pytest.raises(RuntimeError, match="failed in NOPE: The solver NOPE is not installed"):
        pep.gd_worst_case(1.0, 10.0, 0.1, 2, solver="nope")
    monkeypatch.setattr(pep, "CLARABEL_ATTEMPTS", ({"max_iter": 2}, {"max_iter": 3}))  # stopped early, twice
    with pytest.raises(RuntimeError, match="returned status 'user_limit'"):
        pep.heavy_ball_worst_case(1.0, 25.0, 0.04, 0.81, 3)


def test_sdp_below_the_quadratic_worst_case_is_refused(monkeypatch):
    monkeypatch.setattr(pep, "_quadratic", lambda *args: (100.0, 100.0, 1.0))
    with pytest.raises(RuntimeError, match="below the worst case 100 over quadratics"):
        pep.gd_worst_case(1.0, 10.0, 0.1, 2)


def test_nothing_printed(capsys):
    pep.heavy_ball_worst_case(1.0, 25.0, 0.04, 0.81, 2)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_missing_pepit_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "PEPit", None)
    with pytest.raises(ImportError, match=r"book extra"):
        pep.gd_worst_case(1.0, 10.0, 0.1, 2)
    assert pep.gd_worst_case(1.0, 10.0, 0.1, 2, function_class="quadratic").value == pytest.approx(0.9 ** 4)


def test_result_is_frozen():
    res = pep.gd_worst_case(1.0, 10.0, 0.1, 2, function_class="quadratic")
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.value = 0.0
    assert (res.mu, res.L, res.eta, res.beta, res.n_steps) == (1.0, 10.0, 0.1, 0.0, 2)
    assert res.status == "exact" and res.gap >= 0


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs, err, match", [
    ({"mu": 0.0}, ValueError, r"mu must be > 0, got 0"),
    ({"mu": "1"}, TypeError, r"mu must be a real number, got str"),
    ({"L": 0.5}, ValueError, r"L must be >= mu \(0 < mu <= L\), got L=0.5 < mu=1"),
    ({"eta": -0.1}, ValueError, r"eta must be > 0, got -0.1"),
    ({"beta": 1.0}, ValueError, r"beta must be < 1, got 1"),
    ({"beta": -0.2}, ValueError, r"beta must be >= 0, got -0.2"),
    ({"beta": float("nan")}, ValueError, r"beta must be finite, got nan"),
    ({"n_steps": 0}, ValueError, r"n_steps must be >= 1, got 0"),
    ({"n_steps": 2.0}, TypeError, r"n_steps must be an integer, got float"),
    ({"n_steps": True}, TypeError, r"n_steps must be an integer, got bool"),
    ({"function_class": "convex"}, ValueError, r"function_class must be one of .*'quadratic'.*got 'convex'"),
    ({"measure": "gradient"}, ValueError, r"measure must be one of .*'function_value'.*got 'gradient'"),
    ({"solver": 3}, TypeError, r"solver must be a non-empty string"),
])
def test_bad_input(kwargs, err, match):
    args = {"mu": 1.0, "L": 10.0, "eta": 0.1, "beta": 0.5, "n_steps": 2} | kwargs
    with pytest.raises(err, match=match):
        pep.heavy_ball_worst_case(**args)
    with pytest.raises(err, match=match):
        pep.nesterov_worst_case(**args)
    if "beta" not in kwargs:
        args.pop("beta")
        with pytest.raises(err, match=match):
            pep.gd_worst_case(**args)


def test_worst_cases_list():
    out = pep.worst_cases("gd", 1.0, 4.0, range(1, 4), eta=0.25, function_class="quadratic")
    assert [r.n_steps for r in out] == [1, 2, 3]
    assert [r.value for r in out] == pytest.approx([0.75 ** 2, 0.75 ** 4, 0.75 ** 6])
    assert pep.values(out) == pytest.approx(0.75 ** (2 * np.arange(1, 4))) and pep.values(out).dtype == np.float64
    with pytest.raises(TypeError, match="iterable of WorstCase"):
        pep.values([0.5])
    with pytest.raises(ValueError, match="method must be one of"):
        pep.worst_cases("adam", 1.0, 4.0, [1], eta=0.25)
    with pytest.raises(ValueError, match="beta must be 0 for method 'gd', got 0.5"):
        pep.worst_cases("gd", 1.0, 4.0, [1], eta=0.25, beta=0.5)
    with pytest.raises(ValueError, match="n_steps must be a non-empty iterable"):
        pep.worst_cases("gd", 1.0, 4.0, [], eta=0.25)
    with pytest.raises(ValueError, match="n_steps must be >= 1, got 0"):
        pep.worst_cases("gd", 1.0, 4.0, [0], eta=0.25)
