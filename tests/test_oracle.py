"""The contract of accelbook.oracle.CachedOracle (see its module docstring)."""

import numpy as np
import pytest

from accelbook import methods
from accelbook.oracle import CachedOracle


def _quadratic_oracle(H):
    def evaluate(w):
        r = H @ w
        return {"grad": r, "half_sq": 0.5 * float(w @ r)}
    return CachedOracle(evaluate)


def test_one_evaluation_per_iterate_in_any_order():
    o = _quadratic_oracle(np.diag([1.0, 2.0]))
    w = np.array([1.0, -1.0])
    o.monitor("half_sq")(w)
    o.grad(w.copy())          # equal values, another object
    o.monitor("half_sq")(np.array([1.0, -1.0]))
    assert o.evaluations == 1
    o.grad(np.array([1.0, -1.0 + 1e-15]))
    assert o.evaluations == 2


def test_the_cache_holds_a_copy_not_the_callers_array():
    o = _quadratic_oracle(np.eye(2))
    w = np.array([1.0, 2.0])
    g = o.grad(w)
    w[0] = 5.0               # the caller mutates its array in place
    np.testing.assert_array_equal(o.grad(w), [5.0, 2.0])
    np.testing.assert_array_equal(g, [1.0, 2.0])


def test_lists_of_arrays_and_maxsize():
    calls = []

    def evaluate(ws):
        calls.append(1)
        return {"grad": [2 * a for a in ws]}
    o = CachedOracle(evaluate, maxsize=2)
    a, b, c = [np.ones(2), np.zeros(3)], [np.ones(2), np.ones(3)], [np.zeros(2), np.zeros(3)]
    for w in (a, b, a, b):
        o.grad(w)
    assert o.evaluations == 2
    o.grad(c)                # evicts the least recently used (a)
    o.grad(b)
    assert o.evaluations == 3
    o.grad(a)
    assert o.evaluations == 4


def test_a_run_with_monitors_evaluates_once_per_iterate_and_records_by_name():
    H = np.diag([1.0, 4.0])
    o = _quadratic_oracle(H)
    run = methods.gradient_descent(o.grad, np.array([1.0, 1.0]), 0.2, 10, monitors=o.monitors("half_sq"))
    assert o.evaluations == 11   # w_0..w_10, the gradient at w_10 is never needed but its monitor is
    W = np.stack(run.iterates)
    np.testing.assert_allclose(run.records["half_sq"], 0.5 * np.einsum("ti,ij,tj->t", W, H, W))
    np.testing.assert_array_equal(run.recorded_at, np.arange(11))


def test_errors():
    with pytest.raises(TypeError, match="evaluate"):
        CachedOracle(3)
    with pytest.raises(ValueError, match="maxsize"):
        CachedOracle(lambda w: {"grad": w}, maxsize=0)
    with pytest.raises(KeyError, match="nope"):
        CachedOracle(lambda w: {"grad": w}).monitor("nope")(np.ones(2))
    with pytest.raises(TypeError, match="dict"):
        CachedOracle(lambda w: w).grad(np.ones(2))


def test_an_iterate_differing_away_from_the_sampled_entries_is_evaluated_anew():
    """The cheap rejection compares a few entries first; a change anywhere else must still miss the cache."""
    o = CachedOracle(lambda w: {"grad": w.copy()})
    w = np.arange(1000.0).reshape(100, 10)
    o.grad(w)
    for k in (1, 333, 998):              # entries other than the first, quarter, middle, three-quarter, last
        v = w.copy()
        v.flat[k] += 1e-12
        np.testing.assert_array_equal(o.grad(v), v)
    nan = w.copy()
    nan.flat[7] = np.nan
    o.grad(nan)
    before = o.evaluations
    o.grad(nan.copy())                   # NaN never equals NaN: evaluated again
    assert o.evaluations == before + 1


def test_the_probe_only_shortcuts_misses():
    """Iterates that differ only where the probe does not look, or in how many leaves they have, are still told
    apart; equal iterates with a NaN-free probe still hit."""
    o = CachedOracle(lambda ws: {"grad": ws}, maxsize=4)
    a = [np.arange(7.0e3), np.arange(5.0), np.arange(3.0e3), np.arange(9.0e3)]   # large enough to be probed
    o.grad(a)
    b = [x.copy() for x in a]
    b[1][1] += 1.0           # neither probed leaf (first, middle = a[2], last) nor a probed entry
    o.grad(b)
    assert o.evaluations == 2
    o.grad([x.copy() for x in a])
    o.grad([x.copy() for x in b])
    assert o.evaluations == 2
    o.grad(a[:3])            # one leaf fewer
    assert o.evaluations == 3
