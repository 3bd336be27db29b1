"""The Chapter 1 explorer's callback, headless: it computes the right numbers and draws them."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from accelbook import methods, quadratic, theory, widgets


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
    assert data["diverged"] and data["rho"] > 1
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
