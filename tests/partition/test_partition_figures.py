"""accelbook.partition.figures: each figure draws from the experiments' data with the book's axes."""

import matplotlib.pyplot as plt
import pytest

from accelbook import partition as P


@pytest.fixture(scope="module")
def small_regimes():
    return {s: P.regime_runs(s, n_iter=200, n_trials=4, seed=1) for s in (0.01, 5.0)}


def test_regime_and_lemma_figures_draw(small_regimes):
    fig = plt.figure()
    axes = P.draw_regimes(small_regimes, fig)
    assert axes.shape == (2, 2) and all(ax.get_yscale() == "log" for ax in axes.ravel())
    assert len(axes[0, 0].collections) == 2  # one quantile band per method
    plt.close(fig)
    fig = plt.figure()
    assert P.draw_regimes(small_regimes, fig, methods_=("heavy_ball", "nesterov"), steps=False).shape == (1, 2)
    plt.close(fig)
    diags, models = {}, {}
    for s in (0.01, 5.0):
        models[s], w0 = P.make_additive(100.0, s, n_trials=3, seed=2)
        eta, beta = P.method_parameters("nesterov", 100.0, 1.0, P.safe_c(models[s]))
        diags[s] = P.run_diagnostics(models[s], w0, eta, beta, 30)
    fig = plt.figure()
    ax1, ax2 = P.draw_lemma_checks(diags, models, fig)
    assert "Lemma 8" in [line.get_label() for line in ax1.get_lines()]
    plt.close(fig)


def test_network_figures_draw():
    study = P.width_study((32, 64), n_iter=60, n_trials=2)
    fig = plt.figure()
    assert len(P.draw_network(study["runs"][64], fig)) == 3
    plt.close(fig)
    fig = plt.figure()
    ax1, ax2 = P.draw_width_study(study, fig)
    assert ax1.get_xscale() == "log" and ax2.get_yscale() == "log"
    plt.close(fig)


def test_figures_refuse_a_missing_figure(small_regimes):
    with pytest.raises(TypeError, match="fig must be a Figure"):
        P.draw_regimes(small_regimes, None)
    with pytest.raises(TypeError, match="ax must be a Axes"):
        P.draw_block_steps(None, small_regimes[0.01][0]["gd"])


def test_conditions_and_theorem_check_figures_draw():
    study = P.width_study((32,), n_iter=20, n_trials=2)
    fig = plt.figure()
    axes = P.draw_conditions(P.conditions_map([0.01, 1.0], [10.0, 100.0], [study]), fig)
    assert len(axes) == 3 and all(ax.get_yscale() == "log" for ax in axes)
    plt.close(fig)
    fig = plt.figure()
    checks = {"c = 1": P.theorem_check_sweep([0.1, 5.0], n_iter=20, n_trials=2),
              "stable c": P.theorem_check_sweep([0.1, 5.0], c="stable", n_iter=20, n_trials=2)}
    assert len(P.draw_theorem_check(checks, fig)) == 2
    plt.close(fig)
