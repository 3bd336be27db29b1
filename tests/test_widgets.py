"""The explorers of Chapters 1 and 2 (accelbook.widgets), headless: they compute the right numbers, flag
divergence with finite values only, summarise what they show, and draw it."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from accelbook import convex, methods, quadratic, theory, widgets
from accelbook.explorer import Explorer


def test_explorer_data_matches_a_run():
    data = widgets.heavy_ball_explorer_data(1.0, 0.9, 100.0, n=5, t_max=60)
    lam = quadratic.spectrum(5, 100.0)
    q = quadratic.Quadratic(H=np.diag(lam), b=np.zeros(5))
    run = methods.heavy_ball(q.grad, np.full(5, 1 / np.sqrt(5)), 1.0 / lam[-1], 0.9, 60)
    np.testing.assert_allclose(data["error"], np.linalg.norm(run.trajectory, axis=1), rtol=1e-10)
    np.testing.assert_allclose(data["per_direction"], np.abs(run.trajectory), rtol=1e-10, atol=1e-15)
    assert data["rho"] == pytest.approx(theory.spectral_radius(q.H, 1.0 / lam[-1], 0.9))
    # beta = 0.9 satisfies Theorem 5 here, so the bound is drawn and holds
    assert data["bound"] is not None
    assert np.all(np.sqrt(data["error"] ** 2 + np.r_[data["error"][0], data["error"][:-1]] ** 2)
                  <= data["bound"] * data["error"][0] * (1 + 1e-9))


def test_explorer_callback_draws_two_labelled_log_panels():
    fig = widgets.heavy_ball_explorer_callback(1.0, 0.9, 100.0)
    axes = fig.get_axes()
    assert len(axes) == 2
    assert all(ax.get_yscale() == "log" and ax.get_xlabel() == "iteration t" for ax in axes)
    labels = [line.get_label() for line in axes[0].get_lines()]
    assert "heavy ball" in labels and "Theorem 7 bound" in labels
    plt.close(fig)


def test_explorer_outside_theorem5_has_no_bound():
    data = widgets.heavy_ball_explorer_data(1.0, 0.0, 100.0)
    assert data["bound"] is None and not data["diverged"]


def test_explorer_reports_divergence_without_warnings():
    data = widgets.heavy_ball_explorer_data(3.5, 0.1, 10.0)
    assert data["diverged"] and data["rho"] > 1 and data["message"].startswith("diverges")
    assert widgets.HEAVY_BALL.quantities(data)["iterations to 10⁻⁶, heavy ball"] == "never: the rate is >= 1"
    fig = widgets.heavy_ball_explorer_callback(3.5, 0.1, 10.0)
    texts = [t.get_text() for ax in fig.get_axes() for t in ax.texts]
    assert any("diverges" in t for t in texts)
    plt.close(fig)


@pytest.mark.parametrize("args, match", [((0.0, 0.5, 10), "eta_L must be > 0"), ((1.0, 1.0, 10), "beta must be < 1"),
                                         ((1.0, 0.5, 0.5), "kappa must be >= 1")])
def test_explorer_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        widgets.heavy_ball_explorer_data(*args)


def test_static_explorer_draws_one_curve_per_beta():
    fig = widgets.heavy_ball_explorer_static([0.0, 0.5, 0.9], 100.0)
    ax = fig.get_axes()[0]
    assert len(ax.get_lines()) == 3 and ax.get_yscale() == "log"
    final = [line.get_ydata()[-1] for line in ax.get_lines()]
    assert final[2] < final[0]  # momentum near critical damping beats gradient descent at kappa = 100
    plt.close(fig)
    with pytest.raises(ValueError, match="betas must not be empty"):
        widgets.heavy_ball_explorer_static([], 10.0)


def test_lrp_explorer_reports_the_cycle():
    data = widgets.lrp_explorer_data(3.3, 4 / 9)
    assert data["outcome"] == 3 and data["gd_gap"][-1] < 1e-20 < data["gap"][-1]
    fig = widgets.lrp_explorer_callback(3.3, 4 / 9)
    assert "cycle of period 3" in fig._suptitle.get_text()
    assert fig.get_axes()[1].get_yscale() == "log"
    plt.close(fig)
    assert widgets.lrp_explorer_data(0.1, 4 / 9)["outcome"] == 1


def test_lrp_outcome_map_matches_single_runs():
    from accelbook import convex
    x0, betas = np.linspace(-5, 5, 21), np.array([0.2, 4 / 9, 0.7])
    grid = widgets.lrp_outcome_map(x0, betas)
    assert grid.shape == (3, 21)
    for i, b in enumerate(betas):
        np.testing.assert_array_equal(grid[i], convex.classify_lrp_starts(x0, beta=b))


def test_live_explorers_build_their_sliders():
    """Each chapter's live explorer is an ipywidgets interactive whose first frame is drawn by its callback."""
    import ipywidgets
    from accelbook import deep_linear, partition, relu
    for make, n_sliders in ((widgets.heavy_ball_explorer, 3), (widgets.lrp_explorer, 2), (relu.relu_explorer, 3),
                            (deep_linear.deep_linear_explorer, 3), (partition.partition_explorer, 2)):
        w = make()
        assert isinstance(w, ipywidgets.interactive)
        assert sum(isinstance(c, ipywidgets.widgets.widget_float.FloatSlider) or
                   isinstance(c, ipywidgets.widgets.widget_int.IntSlider) or
                   isinstance(c, ipywidgets.FloatLogSlider) for c in w.children) == n_sliders
        plt.close("all")


def test_explorers_are_explorer_definitions_behind_the_old_names():
    assert isinstance(widgets.HEAVY_BALL, Explorer) and isinstance(widgets.LRP, Explorer)
    a = widgets.HEAVY_BALL.frame(eta_L=1.0, beta=0.9, kappa=100.0)
    b = widgets.heavy_ball_explorer_callback(1.0, 0.9, 100.0)
    for fa, fb in zip(a.get_axes(), b.get_axes()):
        for la, lb in zip(fa.get_lines(), fb.get_lines()):
            np.testing.assert_array_equal(la.get_ydata(), lb.get_ydata())
    plt.close("all")
    assert widgets.LRP.data(x0=3.3, beta=4 / 9)["outcome"] == widgets.lrp_explorer_data(3.3, 4 / 9)["outcome"] == 3


def _first_below(run, tol):
    """From a plain run: the first t from which the error stays below (the metrics convention)."""
    norms = np.linalg.norm(run.trajectory, axis=1)
    last_above = np.flatnonzero(norms > tol * norms[0])
    return int(last_above[-1]) + 1 if norms[-1] <= tol * norms[0] else -1


@pytest.mark.parametrize("eta_L, beta, kappa", [(1.0, 0.9, 100.0), (1.0, 0.0, 30.0), (0.5, 0.95, 1000.0),
                                                (2.5, 0.7, 10.0), (1.0, 0.8, 100.0)])
def test_summary_counts_and_condition_match_independent_runs(eta_L, beta, kappa):
    """The iterations to 1e-6 and Theorem 5's condition that the explorer prints, against a heavy-ball run
    of accelbook.methods on the same quadratic and against theory.check_theorem5_condition."""
    data = widgets.heavy_ball_explorer_data(eta_L, beta, kappa)
    lam = quadratic.spectrum(6, kappa)
    q = quadratic.Quadratic(H=np.diag(lam), b=np.zeros(6))
    w0 = np.full(6, 1 / np.sqrt(6))
    for key, b in (("iters_hb", beta), ("iters_gd", 0.0)):
        run = methods.heavy_ball(q.grad, w0, eta_L / lam[-1], b, 3000)
        assert data[key] == _first_below(run, 1e-6), key
    try:
        theory.check_theorem5_condition(q.H, eta_L / lam[-1], beta)
        holds = True
    except ValueError:
        holds = False
    text = widgets.HEAVY_BALL.quantities(data)
    assert text["condition of Theorem 5 of Wang et al."].startswith("holds" if holds else "fails")
    assert (text["its constant C₀ (sharp)"] == "—") == (not holds)
    assert text["ρ(A), heavy ball's rate"] == f"{theory.spectral_radius(q.H, eta_L / lam[-1], beta):.6f}"


def test_lrp_divergence_is_flagged_with_finite_values_only():
    data = widgets.lrp_explorer_data(-4.8, 0.04)
    assert data["diverged"] and data["outcome"] == -1
    for key in ("x", "gap", "gd_gap"):
        assert np.all(np.isfinite(data[key])), key
    assert len(data["x"]) == len(data["gap"]) == len(data["t"]) < 81
    assert abs(data["x"][-1]) > widgets.LRP_DIVERGED >= np.max(np.abs(data["x"][:-1]))
    np.testing.assert_allclose(data["gap"], convex.lrp_function(data["x"]))
    assert widgets.LRP.quantities(data)["outcome (judged on 2000 iterations)"] == "diverges"


def test_lrp_batch_equals_single_points():
    rng = np.random.default_rng(0)
    points = widgets.LRP.grid()
    chosen = [points[i] for i in rng.choice(len(points), 25, replace=False)]
    batch = widgets.lrp_explorer_batch(np.array([p["x0"] for p in chosen]), np.array([p["beta"] for p in chosen]))
    for p, b in zip(chosen, batch):
        single = widgets.LRP.data(**p)
        assert set(single) == set(b)
        for key in single:
            np.testing.assert_array_equal(np.asarray(single[key]), np.asarray(b[key]), err_msg=key)
        assert widgets.LRP.quantities(single) == widgets.LRP.quantities(b)


def test_lrp_summary_is_the_last_iterate():
    data = widgets.lrp_explorer_data(0.1, 4 / 9)
    text = widgets.LRP.quantities(data)
    assert text["outcome (judged on 2000 iterations)"] == "converges"
    assert text["last iterate T shown"] == "80"
    assert text["f(x_T) − f*, heavy ball"] == f"{convex.lrp_function(data['x'][-1]):.4g}"


@pytest.mark.parametrize("kwargs, match", [(dict(x0_grid=[0.0], beta_grid=[1.2]), "beta_grid must lie in"),
                                           (dict(x0_grid=[np.nan], beta_grid=[0.2]), "x0_grid must contain only"),
                                           (dict(x0_grid=[0.0], beta_grid=[]), "beta_grid must not be empty"),
                                           (dict(x0_grid=[[0.0]], beta_grid=[0.2]), "x0_grid must be 1-dimensional")])
def test_lrp_outcome_map_names_the_bad_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        widgets.lrp_outcome_map(**kwargs)


def test_heavy_ball_overflow_stops_with_a_finite_prefix():
    data = widgets.heavy_ball_explorer_data(4.0, 0.0, 1.0, t_max=2000)   # |1 - z| = 3 per step: overflows
    assert data["diverged"] and len(data["t"]) < 2001
    for key in ("error", "gd_error", "per_direction"):
        assert np.all(np.isfinite(data[key])), key
