"""accelbook.deep_linear.explorer: the Chapter 4 explorer's data against a plain run, its frame and static
figure, its summary, and a diverging frame."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from deep_linear_helpers import stacked

from accelbook import deep_linear as dl
from accelbook import methods, webexplorer
from accelbook.explorer import Explorer


def test_explorer_data_matches_a_run():
    data = dl.deep_linear_explorer_data(6, 12, 30.0, t_max=50)
    prob = dl.make_problem(4, 4, 2, kappa=30.0, seed=0)
    ws = prob.init(12, 6, seed=1)
    eta, beta = prob.parameters(6)
    run = methods.heavy_ball(prob.grad, ws, eta, beta, 50, monitors={"xi": prob.residual}, store="none")
    s = stacked(run.records["xi"])
    np.testing.assert_allclose(data["heavy_ball"], s / s[0], rtol=1e-10)
    gd = methods.gradient_descent(prob.grad, ws, eta, 50, monitors={"xi": prob.residual}, store="none")
    np.testing.assert_allclose(data["gd"], stacked(gd.records["xi"]) / stacked(gd.records["xi"])[0], rtol=1e-10)
    assert (data["eta"], data["beta"]) == pytest.approx((eta, beta))
    np.testing.assert_allclose(data["bound"], dl.theorem10_bound(30.0, np.arange(51)))
    assert all(len(data[f"{k}_norm"]) == 50 for k in ("varphi", "psi", "iota")) and len(data["xi_norm"]) == 51
    assert not data["gd_diverged"] and not data["heavy_ball_diverged"]
    assert dl.EXPLORER.data(depth=6, width=12, kappa=30.0)["depth"] == 6


def test_the_explorer_is_one_definition():
    assert isinstance(dl.EXPLORER, Explorer)
    assert [p.name for p in dl.EXPLORER.params] == ["depth", "width", "kappa"]
    assert dl.EXPLORER.compute is dl.deep_linear_explorer_data
    summary = dl.EXPLORER.summary(dl.deep_linear_explorer_data(4, 16, 100.0))
    assert summary["heavy ball within the bound (22)"] is True
    assert summary["heavy ball: measured rate"] == pytest.approx(summary["sqrt(beta), the linear rate"], rel=0.01)
    assert 0 < summary["heavy ball: iterations to 1e-6"] < summary["gradient descent: iterations to 1e-6"] \
        or summary["gradient descent: iterations to 1e-6"] == -1


def test_explorer_callback_draws_two_labelled_log_panels():
    fig = dl.deep_linear_explorer_callback(5, 8, 10.0)
    axes = fig.get_axes()
    assert len(axes) == 2 and all(ax.get_yscale() == "log" for ax in axes)
    labels = [line.get_label() for line in axes[0].get_lines()]
    assert {"gradient descent", "heavy ball", "Theorem 10 bound"} <= set(labels)
    assert "L=5" in fig._suptitle.get_text()
    plt.close(fig)


def test_explorer_static_has_one_panel_per_setting():
    fig = dl.deep_linear_explorer_static([(2, 8, 10.0), (20, 8, 10.0)])
    axes = fig.get_axes()
    assert len(axes) == 2 and all(len(ax.get_lines()) == 3 for ax in axes)
    plt.close(fig)


def test_a_diverging_frame_is_flagged_finite_and_drawn():
    data = dl.deep_linear_explorer_data(5, 8, 10.0, t_max=300, eta_scale=50.0)
    assert data["gd_diverged"] and data["heavy_ball_diverged"]
    for key in ("gd", "heavy_ball", "xi_norm", "varphi_norm", "psi_norm", "iota_norm", "bound"):
        assert np.all(np.isfinite(data[key]))
    assert len(data["heavy_ball"]) < 301 and len(data["varphi_norm"]) == len(data["heavy_ball"]) - 1
    fig = plt.figure()
    dl.draw_deep_linear_explorer(data, fig)
    assert any("diverged at iteration" in t.get_text() for t in fig.get_axes()[0].texts)
    plt.close(fig)
    assert dl.deep_linear_explorer_summary(data)["heavy ball: diverged"] is True


@pytest.mark.parametrize("args, exc, match", [
    ((0, 8, 10.0), ValueError, "depth must be >= 1"),
    ((3, 2, 10.0), ValueError, "width must be >= 4"),
    ((3, 8, 0.5), ValueError, "kappa must be >= 1"),
    ((3.5, 8, 10.0), TypeError, "depth must be an integer"),
])
def test_explorer_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        dl.deep_linear_explorer_data(*args)


def test_the_page_and_jupyter_share_one_explorer_and_its_grid():
    ex, spec = dl.EXPLORER, dl.WEB
    module, _, name = spec.source.partition(":")   # how the browser test finds the explorer of a page
    assert getattr(__import__(module, fromlist=[name]), name) is ex
    assert [p.values().tolist() for p in ex.params] == [[2, 5, 10, 20, 50], [4, 8, 16], [10.0, 100.0]]
    for p in ex.params:   # the page's grid lies inside the Jupyter slider's range, the default on it
        assert p.lo <= min(p.grid) and max(p.grid) <= p.hi and p.default in p.grid
    corner = {p.name: p.values()[0] for p in ex.params}   # depth 2, width 4, kappa 10
    for values in (ex.defaults, corner):
        data = ex.data(**values)
        missing = [k for k in spec.stored_keys() if k not in data]
        assert not missing, f"compute at {values} lacks {missing}"
    a, b = ex.quantities(**ex.defaults), ex.quantities(**corner)
    assert list(a) == list(b) and a != b
    d = ex.data(**corner)
    assert a["heavy ball within the bound (22)"] == "yes"
    assert b["final relative residual, heavy ball"] == f"{d['heavy_ball'][-1]:.4g}"
    assert b["η, β (Theorem 10 of Wang et al.)"] == f"{d['eta']:.4g}, {d['beta']:.4f}"


def test_the_page_stays_within_the_data_budget():
    page = webexplorer.embed(dl.EXPLORER, dl.WEB)
    assert page.payload["shape"] == [5, 3, 2] and page.payload["source"] == "accelbook.deep_linear:EXPLORER"
    assert page.nbytes <= webexplorer.MAX_BYTES
