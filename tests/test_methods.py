"""accelbook.methods: Algorithms 1 and 2 coincide, lists of arrays behave like one array,
batches behave like separate runs, divergence stops cleanly, bad input is named."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelbook import methods, quadratic
from conftest import random_psd


def problem(seed, n):
    rng = np.random.default_rng(seed)
    H = random_psd(rng, n)
    b = rng.standard_normal(n)
    return rng, H, b, (lambda w: w @ H - b)


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 8), eta=st.floats(0.01, 1.9), beta=st.floats(0.0, 0.99))
def test_algorithm1_equals_algorithm2(seed, n, eta, beta):
    rng, H, b, grad = problem(seed, n)
    w0 = rng.standard_normal(n)
    a1 = methods.heavy_ball(grad, w0, eta, beta, 60, form="buffer")
    a2 = methods.heavy_ball(grad, w0, eta, beta, 60, form="difference")
    np.testing.assert_allclose(a1.trajectory, a2.trajectory, rtol=1e-10, atol=1e-10)


def test_algorithm1_equals_algorithm2_with_w_prev():
    rng, H, b, grad = problem(3, 4)
    w0, wm1 = rng.standard_normal(4), rng.standard_normal(4)
    a1 = methods.heavy_ball(grad, w0, 0.5, 0.7, 40, form="buffer", w_prev=wm1)
    a2 = methods.heavy_ball(grad, w0, 0.5, 0.7, 40, form="difference", w_prev=wm1)
    np.testing.assert_allclose(a1.trajectory, a2.trajectory, rtol=1e-10, atol=1e-12)
    # the first step uses the momentum of w_{-1}: it differs from the run with w_{-1} = w_0
    a0 = methods.heavy_ball(grad, w0, 0.5, 0.7, 1)
    assert not np.allclose(a0.trajectory[1], a1.trajectory[1])


def test_heavy_ball_first_steps_by_hand():
    grad = lambda w: 2.0 * w  # f(w) = w^2
    run = methods.heavy_ball(grad, np.array([1.0]), 0.1, 0.5, 2)
    # w1 = 1 - 0.1*2 = 0.8 ; M1 = 0.5*2 + 1.6 = 2.6 ; w2 = 0.8 - 0.26 = 0.54
    np.testing.assert_allclose(run.trajectory[:, 0], [1.0, 0.8, 0.54])
    nes = methods.nesterov(grad, np.array([1.0]), 0.1, 0.5, 2)
    # x1 = 0.8, y1 = 0.8 + 0.5*(0.8-1) = 0.7, x2 = 0.7 - 0.14 = 0.56
    np.testing.assert_allclose(nes.trajectory[:, 0], [1.0, 0.8, 0.56])


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 6), eta=st.floats(0.01, 1.0))
def test_heavy_ball_with_zero_momentum_is_gradient_descent(seed, n, eta):
    rng, H, b, grad = problem(seed, n)
    w0 = rng.standard_normal(n)
    gd = methods.gradient_descent(grad, w0, eta, 30)
    hb = methods.heavy_ball(grad, w0, eta, 0.0, 30)
    nes = methods.nesterov(grad, w0, eta, 0.0, 30)
    np.testing.assert_allclose(gd.trajectory, hb.trajectory, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gd.trajectory, nes.trajectory, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("method", ["gd", "heavy_ball", "nesterov"])
def test_list_of_arrays_equals_flat_array(method):
    rng, H, b, grad = problem(7, 6)
    w0 = rng.standard_normal(6)

    def split(w):
        return [w[:2].reshape(1, 2), w[2:].reshape(2, 2)]

    def join(ws):
        return np.concatenate([a.ravel() for a in ws])

    run = {"gd": lambda g, w: methods.gradient_descent(g, w, 0.3, 25),
           "heavy_ball": lambda g, w: methods.heavy_ball(g, w, 0.3, 0.6, 25),
           "nesterov": lambda g, w: methods.nesterov(g, w, 0.3, 0.6, 25)}[method]
    flat = run(grad, w0)
    tree = run(lambda ws: split(grad(join(ws))), split(w0))
    np.testing.assert_allclose(np.stack([join(w) for w in tree.iterates]), flat.trajectory, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(tree.step_norms, flat.step_norms, rtol=1e-12)
    with pytest.raises(TypeError, match="trajectory is only defined"):
        tree.trajectory


def test_batched_rows_equal_separate_runs():
    rng, H, b, grad = problem(11, 5)
    W0 = rng.standard_normal((4, 5))
    q = quadratic.Quadratic(H=H, b=b)
    batch = methods.heavy_ball(q.grad, W0, 0.4, 0.8, 40, loss=q.optimality_gap)
    assert batch.losses.shape == (41, 4)
    for i in range(4):
        single = methods.heavy_ball(q.grad, W0[i], 0.4, 0.8, 40, loss=q.optimality_gap)
        np.testing.assert_allclose(batch.trajectory[:, i], single.trajectory, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(batch.losses[:, i], single.losses, rtol=1e-10, atol=1e-14)


def test_result_fields_and_store_options():
    rng, H, b, grad = problem(5, 3)
    w0 = rng.standard_normal(3)
    full = methods.heavy_ball(grad, w0, 0.5, 0.5, 20)
    assert full.nit == 20 and len(full.iterates) == 21 and full.step_norms.shape == (20,)
    np.testing.assert_allclose(full.step_norms, np.linalg.norm(np.diff(full.trajectory, axis=0), axis=1))
    assert not full.diverged and not full.converged and "completed 20" in full.message
    every5 = methods.heavy_ball(grad, w0, 0.5, 0.5, 20, store=5)
    np.testing.assert_array_equal(every5.stored_at, [0, 5, 10, 15, 20])
    np.testing.assert_array_equal(every5.trajectory, full.trajectory[::5])
    last = methods.heavy_ball(grad, w0, 0.5, 0.5, 20, store="last")
    np.testing.assert_array_equal(last.stored_at, [20])
    picked = methods.heavy_ball(grad, w0, 0.5, 0.5, 20, store=[0, 3])
    np.testing.assert_array_equal(picked.trajectory, full.trajectory[[0, 3]])
    none = methods.heavy_ball(grad, w0, 0.5, 0.5, 20, store="none")
    assert none.iterates == [] and np.array_equal(none.x, full.x)
    assert "heavy_ball" in repr(full) and "nit=20" in repr(full)


def test_tol_stops_the_run_and_keeps_the_last_iterate():
    q = quadratic.make_quadratic(4, 10.0, seed=1)
    run = methods.heavy_ball(q.grad, np.zeros(4), 1 / q.L, 0.5, 10_000, loss=q.optimality_gap, tol=1e-10,
                             store="last")
    assert run.converged and run.nit < 10_000 and run.losses[-1] <= 1e-10 < run.losses[-2]
    np.testing.assert_array_equal(run.stored_at, [run.nit])
    assert f"iteration {run.nit}" in run.message


@pytest.mark.parametrize("method", ["gd", "heavy_ball", "nesterov"])
def test_divergence_stops_without_warnings(method):
    grad = lambda w: 10.0 * w
    call = {"gd": lambda: methods.gradient_descent(grad, np.ones(3), 1.0, 10_000, loss=lambda w: 5 * w @ w),
            "heavy_ball": lambda: methods.heavy_ball(grad, np.ones(3), 1.0, 0.5, 10_000, loss=lambda w: 5 * w @ w),
            "nesterov": lambda: methods.nesterov(grad, np.ones(3), 1.0, 0.5, 10_000, loss=lambda w: 5 * w @ w)}[method]
    run = call()  # pytest turns any RuntimeWarning into an error
    assert run.diverged and not run.converged
    assert run.nit < 200 and "diverged at iteration" in run.message
    assert np.all(np.isfinite(run.trajectory)) and np.all(np.isfinite(run.losses))


def test_divergence_on_inf_gradient():
    run = methods.gradient_descent(lambda w: np.full_like(w, np.inf), np.ones(2), 0.1, 5)
    assert run.diverged and run.nit == 0  # nit counts accepted steps


def test_nesterov_y_sequence():
    rng, H, b, grad = problem(2, 3)
    run = methods.nesterov(grad, rng.standard_normal(3), 0.5, 0.6, 15, store_y=True)
    X, Y = run.trajectory, np.stack(run.y_iterates)
    np.testing.assert_allclose(Y[0], X[0])
    np.testing.assert_allclose(Y[1:], X[1:] + 0.6 * (X[1:] - X[:-1]), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(X[1:], Y[:-1] - 0.5 * np.stack([grad(y) for y in Y[:-1]]), rtol=1e-12, atol=1e-14)


def test_input_is_not_modified():
    w0 = np.ones(3)
    methods.heavy_ball(lambda w: w, w0, 0.1, 0.5, 5)
    np.testing.assert_array_equal(w0, np.ones(3))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: methods.heavy_ball(lambda w: w, np.ones(2), 0.0, 0.5, 5), ValueError, "eta must be > 0"),
    (lambda: methods.heavy_ball(lambda w: w, np.ones(2), 0.1, 1.0, 5), ValueError, "beta must be < 1"),
    (lambda: methods.nesterov(lambda w: w, np.ones(2), 0.1, -0.2, 5), ValueError, "beta must be >= 0"),
    (lambda: methods.heavy_ball(lambda w: w, np.ones(2), 0.1, np.nan, 5), ValueError, "beta must be finite"),
    (lambda: methods.gradient_descent(lambda w: w, np.ones(2), 0.1, -1), ValueError, "n_iter must be >= 0"),
    (lambda: methods.gradient_descent(lambda w: w, np.ones(2), 0.1, 2.5), TypeError, "n_iter must be an integer"),
    (lambda: methods.gradient_descent("grad", np.ones(2), 0.1, 5), TypeError, "grad must be callable"),
    (lambda: methods.gradient_descent(lambda w: w, np.array([1.0, np.nan]), 0.1, 5), ValueError,
     "w0 must contain only finite values"),
    (lambda: methods.gradient_descent(lambda w: w, [], 0.1, 5), ValueError, "w0 must not be an empty list"),
    (lambda: methods.gradient_descent(lambda w: w, "abc", 0.1, 5), TypeError, "w0 must be a float array"),
    (lambda: methods.gradient_descent(lambda w: w[:1], np.ones(2), 0.1, 5), ValueError,
     "grad\\(w\\) must return an array .* with the shape of w"),
    (lambda: methods.heavy_ball(lambda w: w, np.ones(2), 0.1, 0.5, 5, form="other"), ValueError,
     "form must be 'buffer'"),
    (lambda: methods.heavy_ball(lambda w: w, np.ones(2), 0.1, 0.5, 5, w_prev=np.ones(3)), ValueError,
     "w_prev must have the same structure"),
    (lambda: methods.gradient_descent(lambda w: w, np.ones(2), 0.1, 5, store="some"), ValueError, "store must be"),
    (lambda: methods.gradient_descent(lambda w: w, np.ones(2), 0.1, 5, tol=-1.0), ValueError, "tol must be >= 0"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------- named records and divergence
@pytest.mark.parametrize("runner", ["gd", "heavy_ball", "nesterov"])
def test_monitors_are_returned_by_name_on_their_grid(runner):
    H = np.diag([1.0, 3.0])
    grad = lambda w: H @ w  # noqa: E731
    kw = dict(loss=lambda w: 0.5 * w @ H @ w, monitors={"norm": np.linalg.norm, "first": lambda w: w[0]},
              record_every=3)
    w0 = np.array([1.0, -2.0])
    run = {"gd": lambda: methods.gradient_descent(grad, w0, 0.3, 10, **kw),
           "heavy_ball": lambda: methods.heavy_ball(grad, w0, 0.3, 0.5, 10, **kw),
           "nesterov": lambda: methods.nesterov(grad, w0, 0.3, 0.5, 10, **kw)}[runner]()
    np.testing.assert_array_equal(run.recorded_at, [0, 3, 6, 9, 10])
    W = np.stack(run.iterates)
    np.testing.assert_allclose(run.records["norm"], np.linalg.norm(W[run.recorded_at], axis=1))
    np.testing.assert_allclose(run.records["first"], W[run.recorded_at, 0])


@pytest.mark.parametrize("runner", ["gd", "heavy_ball", "nesterov"])
def test_a_diverging_run_is_flagged_and_returns_only_finite_values(runner):
    H = np.diag([1.0, 10.0])
    grad = lambda w: H @ w  # noqa: E731
    kw = dict(loss=lambda w: 0.5 * w @ H @ w, monitors={"norm": np.linalg.norm}, max_norm=1e6)
    w0 = np.array([1.0, 1.0])
    run = {"gd": lambda: methods.gradient_descent(grad, w0, 1.0, 500, **kw),
           "heavy_ball": lambda: methods.heavy_ball(grad, w0, 1.0, 0.5, 500, **kw),
           "nesterov": lambda: methods.nesterov(grad, w0, 1.0, 0.5, 500, **kw)}[runner]()
    assert run.diverged and not run.converged and "diverged at iteration" in run.message
    assert 0 < run.nit < 500
    assert len(run.losses) == run.nit + 1 == len(run.iterates) and len(run.step_norms) == run.nit
    assert run.recorded_at[-1] == run.nit
    for arr in (run.losses, run.step_norms, run.records["norm"], np.stack(run.iterates)):
        assert np.all(np.isfinite(arr))
    assert np.linalg.norm(run.x) <= 1e6


def test_an_overflow_inside_the_gradient_is_a_divergence_not_an_exception():
    def grad(w):
        with np.errstate(over="raise"):
            return np.exp(np.abs(w) * 50.0) * np.sign(w)
    run = methods.gradient_descent(grad, np.array([1.0]), 1.0, 50)
    assert run.diverged and "overflow" in run.message and np.all(np.isfinite(run.x))


def test_bad_monitors_are_refused_by_name():
    grad = lambda w: w  # noqa: E731
    with pytest.raises(TypeError, match="monitors"):
        methods.gradient_descent(grad, np.ones(2), 0.1, 3, monitors=[np.linalg.norm])
    with pytest.raises(TypeError, match=r"monitors\['n'\]"):
        methods.gradient_descent(grad, np.ones(2), 0.1, 3, monitors={"n": 3})
    with pytest.raises(ValueError, match="record_every"):
        methods.gradient_descent(grad, np.ones(2), 0.1, 3, record_every=0)
    with pytest.raises(ValueError, match="x0"):
        methods.nesterov(grad, [np.nan], 0.1, 0.5, 3)


@pytest.mark.parametrize("runner", ["gd", "heavy_ball", "nesterov"])
def test_step_monitors_see_each_accepted_step(runner):
    """step_records[name][t] = f(w_t, w_{t+1}) for every accepted step, also on a diverging run."""
    H = np.diag([1.0, 10.0])
    grad = lambda w: H @ w  # noqa: E731
    w0 = np.array([1.0, 1.0])
    for eta, n_iter in ((0.05, 12), (1.0, 500)):  # a converging and a diverging run
        kw = dict(step_monitors={"pair": lambda w, w_next: np.concatenate([w, w_next])}, max_norm=1e6)
        run = {"gd": lambda: methods.gradient_descent(grad, w0, eta, n_iter, **kw),
               "heavy_ball": lambda: methods.heavy_ball(grad, w0, eta, 0.5, n_iter, **kw),
               "nesterov": lambda: methods.nesterov(grad, w0, eta, 0.5, n_iter, **kw)}[runner]()
        W = np.stack(run.iterates)
        assert run.step_records["pair"].shape == (run.nit, 4)
        np.testing.assert_array_equal(run.step_records["pair"], np.hstack([W[:-1], W[1:]]))
        assert run.diverged == (eta == 1.0)


def test_a_non_finite_step_monitor_is_a_divergence_and_bad_ones_are_refused():
    grad = lambda w: w  # noqa: E731
    run = methods.gradient_descent(grad, np.ones(2), 0.1, 10,
                                   step_monitors={"s": lambda w, v: np.inf if v[0] < 0.7 else 1.0})
    assert run.diverged and run.nit == 3 and run.step_records["s"].tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(TypeError, match="step_monitors"):
        methods.heavy_ball(grad, np.ones(2), 0.1, 0.5, 3, step_monitors=[np.subtract])
    with pytest.raises(TypeError, match=r"step_monitors\['s'\]"):
        methods.nesterov(grad, np.ones(2), 0.1, 0.5, 3, step_monitors={"s": 3})
