"""accelbook.homework: every self-check accepts right answers and rejects wrong ones with a specific message."""

import numpy as np
import pytest

from accelbook import homework, quadratic, theory


def test_check_gradient():
    q = quadratic.make_quadratic(4, 10.0, seed=0)
    x = np.ones(4)
    assert homework.check_gradient(q.loss, q.grad, x)
    wrong = homework.check_gradient(q.loss, lambda w: 2 * q.grad(w), x)
    assert not wrong and "finite differences give" in wrong.message and "coordinate 0" in wrong.message
    assert "shape" in homework.check_gradient(q.loss, lambda w: w[:2], x).message
    assert not homework.check_gradient(q.loss, lambda w: np.full(4, np.nan), x)
    with pytest.raises(TypeError, match="grad must be callable"):
        homework.check_gradient(q.loss, None, x)


def test_check_theorem5_parameters():
    H = np.diag([0.01, 1.0])
    eta, beta = theory.corollary1_parameters(0.01, 1.0)
    assert homework.check_theorem5_parameters(H, eta, beta)
    low = homework.check_theorem5_parameters(H, eta, 0.5)
    assert not low and "lambda_min" in low.message
    big_step = homework.check_theorem5_parameters(H, 3.5, 0.7)
    assert not big_step and "lambda_max" in big_step.message
    assert "reduce eta" in homework.check_theorem5_parameters(H, 5.0, 0.9).message
    assert "> 1" in homework.check_theorem5_parameters(H, 1.0, 1.2).message
    # agrees with theory on random instances
    rng = np.random.default_rng(1)
    for _ in range(50):
        e, b = rng.uniform(0.1, 5), rng.uniform(0, 1)
        try:
            theory.check_theorem5_condition(H, e, b)
            ok = True
        except ValueError:
            ok = False
        assert bool(homework.check_theorem5_parameters(H, e, b)) == ok


def test_check_rate_bound():
    e = 0.5 ** np.arange(20)
    assert homework.check_rate_bound(e, 0.5)
    fail = homework.check_rate_bound(e, 0.4)
    assert not fail and "first at t = 1" in fail.message
    assert homework.check_rate_bound(3 * e, 0.5, constant=1.0)
    assert not homework.check_rate_bound(np.r_[1.0, 2.0], 0.9, constant=1.5)
    assert not homework.check_rate_bound(np.r_[0.0, 0.0], 0.9)


def test_check_monte_carlo():
    rng = np.random.default_rng(0)
    samples = rng.normal(2.0, 1.0, (4000, 3))
    assert homework.check_monte_carlo(np.full(3, 2.0), samples)
    wrong = homework.check_monte_carlo(np.array([2.0, 2.5, 2.0]), samples)
    assert not wrong and "entry (1,)" in wrong.message
    assert "shape" in homework.check_monte_carlo(np.ones(2), samples).message


def test_check_slope():
    x = np.logspace(1, 3, 5)
    assert homework.check_slope(x, 3 * x ** 0.5, 0.5)
    bad = homework.check_slope(x, x, 0.5)
    assert not bad and "1.000 is not within" in bad.message
    with pytest.raises(ValueError, match="y must be > 0"):
        homework.check_slope(x, -x, 1.0)


def test_check_prints_a_verdict():
    c = homework.Check(False, "something specific")
    assert str(c) == "FAIL: something specific" and not c
    assert "✅" in homework.Check(True, "ok")._repr_markdown_()


def test_check_worst_case_bound():
    from accelbook import pep
    # gradient descent on quadratics: worst case (1 - eta mu)^(2n) exactly, so rate 1 - eta mu with C = 1 is tight
    wcs = pep.worst_cases("gd", 1.0, 10.0, range(1, 8), eta=0.1, function_class="quadratic")
    assert homework.check_worst_case_bound(wcs, 0.9, tight=0.01)
    fast = homework.check_worst_case_bound(wcs, 0.85)
    assert not fast and "fails first at n = 1" in fast.message and "7 of 7" in fast.message
    assert "0.9 > 1 * 0.85^1 = 0.85" in fast.message  # the distance ratio, not its square
    loose = homework.check_worst_case_bound(wcs, 0.9, constant=1.5, tight=0.01)
    assert not loose and "room to spare" in loose.message and "0.6667" in loose.message
    assert homework.check_worst_case_bound(wcs, 0.9, constant=1.5)  # valid, just not tight
    # a constant fixes a transient: heavy ball on quadratics exceeds 0.9^n early but not 1.2 * 0.9^n
    hb = pep.worst_cases("heavy_ball", 1.0, 10.0, [1, 5, 20], eta=0.1, beta=0.3, function_class="quadratic")
    closest = max(np.sqrt(w.value) / 0.9 ** w.n_steps for w in hb)
    assert homework.check_worst_case_bound(hb, 0.9, constant=closest * (1 + 1e-9), tight=1e-6)
    assert not homework.check_worst_case_bound(hb, 0.9, constant=closest * (1 - 1e-3))
    # function values are compared unsquared
    fv = pep.worst_cases("gd", 1.0, 10.0, [1, 2], eta=0.1, function_class="quadratic", measure="function_value")
    assert homework.check_worst_case_bound(fv, 0.81, tight=0.01)
    assert not homework.check_worst_case_bound(fv, 0.9, tight=0.01)
    with pytest.raises(TypeError, match="non-empty list of accelbook.pep.WorstCase"):
        homework.check_worst_case_bound([0.5, 0.25], 0.9)
    with pytest.raises(ValueError, match="one measure"):
        homework.check_worst_case_bound(wcs[:1] + fv[:1], 0.9)
    with pytest.raises(ValueError, match="rate must be >= 0, got -0.5"):
        homework.check_worst_case_bound(wcs, -0.5)
    with pytest.raises(ValueError, match="tight must be < 1, got 1"):
        homework.check_worst_case_bound(wcs, 0.9, tight=1.0)


@pytest.mark.parametrize("call, exc, match", [
    (lambda q: homework.check_gradient(q.loss, q.grad, np.ones(4), h=0), ValueError, "h must be > 0"),
    (lambda q: homework.check_gradient(q.loss, q.grad, np.ones(4), n_directions=-1), ValueError,
     "n_directions must be >= 0"),
    (lambda q: homework.check_monte_carlo(np.zeros(2), np.zeros((5, 2)), n_sigma=-1), ValueError,
     "n_sigma must be > 0"),
    (lambda q: homework.check_slope([1.0, 2.0], [1.0, 2.0], 1.0, tol=-0.1), ValueError, "tol must be >= 0"),
    (lambda q: homework.check_rate_bound([], 0.5), ValueError, "errors must not be empty"),
])
def test_tolerances_and_steps_are_refused_not_judged(call, exc, match):
    """A bad tolerance or step is the caller's error, not a FAIL verdict on the answer."""
    with pytest.raises(exc, match=match):
        call(quadratic.make_quadratic(4, 10.0, seed=0))
