"""Chapter 3, accelbook.relu.explorer: the explorer definition (compute, draw, summary), its old callback
names, its static companion and the live widget."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from accelbook import metrics, relu, webexplorer
from accelbook.explorer import Explorer
from accelbook.relu import explorer as relu_explorer_module


def test_explorer_data_and_callback():
    data = relu.relu_explorer_data(200, 30.0, n_iter=60)
    assert data["beta"] == data["beta_cor1"] and not data["diverged"] and data["diverged_at"] == -1
    assert data["hb"][0] == 1.0 and data["hb"].shape == (61,)
    fig = relu.relu_explorer_callback(200, 30.0, 0.5, n_iter=60)
    ax1, ax2 = fig.get_axes()
    assert ax1.get_yscale() == "log" and ax1.get_xlabel() == "iteration t"
    labels = [line.get_label() for line in ax1.get_lines()]
    assert "heavy ball" in labels and "heavy ball, linearised" in labels
    assert "0.500" in fig._suptitle.get_text()
    plt.close(fig)


def test_the_explorer_definition_is_the_callback_and_the_widget():
    ex = relu.EXPLORER
    assert isinstance(ex, Explorer) and [p.name for p in ex.params] == ["m", "angle_deg", "beta"]
    # the sliders' beta = 0 selects Corollary 1's beta, and m is rounded to a width
    data = ex.data(m=200.4, angle_deg=30.0, beta=0.0)
    ref = relu.relu_explorer_data(200, 30.0)
    assert data["m"] == 200 and data["beta"] == data["beta_cor1"]
    for key in ("hb", "gd", "linear", "pattern_hb"):
        np.testing.assert_array_equal(data[key], ref[key])
    assert data["message"] == ""   # not diverged: the page draws the curves
    for key, value in data.items():   # what an in-page front end precomputes: finite numbers only
        if key != "message":
            assert np.all(np.isfinite(np.asarray(value, dtype=float))), key
    fig = ex.frame(m=200.0, angle_deg=30.0, beta=0.5)
    assert "0.500" in fig._suptitle.get_text() and len(fig.get_axes()) == 2
    plt.close(fig)
    assert len(ex.grid(n=2)) == 8


def test_explorer_summary_reports_the_rate_and_counts():
    data = relu.relu_explorer_data(1000, 60.0)
    s = relu.relu_explorer_summary(data)
    # heavy ball with Corollary 1's beta on well-separated inputs at this width follows sqrt(beta)
    assert s["rate, heavy ball"] == pytest.approx(s["sqrt(beta)"], rel=0.02)
    assert s["iterations to 1e-8, heavy ball"] == metrics.iterations_to_tolerance(data["hb"], 1e-8) > 0
    assert 0 < s["patterns changed (%), heavy ball"] < 100


def test_a_diverged_frame_is_drawn_as_such():
    data = dict(relu.relu_explorer_data(50, 30.0, n_iter=20), diverged=True, diverged_at=7)
    fig = plt.figure()
    ax1, ax2 = relu.draw_relu_explorer(data, fig)
    assert "diverges at iteration 7" in ax1.texts[0].get_text() and not ax1.get_lines()
    plt.close(fig)
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        relu.draw_relu_explorer(data, "figure")


def test_explorer_static_draws_one_panel_per_setting():
    fig = relu.relu_explorer_static([50, 100], [60.0], n_iter=30)
    assert len(fig.get_axes()) == 2
    labels = [line.get_label() for line in fig.get_axes()[0].get_lines()]
    assert labels == ["heavy ball", "gradient descent", "linearised"]   # the explorer's residual panel
    plt.close(fig)
    with pytest.raises(ValueError, match="must not be empty"):
        relu.relu_explorer_static([], [10.0])


def test_live_explorer_wrapper_builds_three_sliders():
    widget = relu.relu_explorer()   # outside a kernel the first frame is drawn and printed, not shown
    sliders = [c for c in widget.children if hasattr(c, "min")]
    assert [s.description for s in sliders] == ["width m", "angle (°)", "β (0: Cor. 1)"]
    plt.close("all")


def test_the_page_and_jupyter_share_one_explorer_and_its_grid():
    ex, spec = relu.EXPLORER, relu.WEB
    assert spec.source == "accelbook.relu:EXPLORER"
    module, _, name = spec.source.partition(":")   # how the browser test finds the explorer of a page
    assert getattr(__import__(module, fromlist=[name]), name) is ex
    assert [p.values().tolist() for p in ex.params] == [[30, 100, 300, 1000], [10, 20, 45, 90], [0, 0.8, 0.95]]
    for p in ex.params:   # the page's grid lies inside the Jupyter slider's range, the default on it
        assert p.lo <= min(p.grid) and max(p.grid) <= p.hi and p.default in p.grid
    corner = {p.name: p.grid[-1] for p in ex.params}
    for values in (ex.defaults, corner):
        data = ex.data(**values)
        missing = [k for k in spec.stored_keys() if k not in data]
        assert not missing, f"compute at {values} lacks {missing}"
    a, b = ex.quantities(**ex.defaults), ex.quantities(m=30, angle_deg=10.0, beta=0.95)
    assert list(a) == list(b) and a != b
    assert a["β used"] == a["β of Corollary 1"] and b["β used"] == "0.95"


def test_a_diverged_frame_carries_its_message(monkeypatch):
    real = relu_explorer_module.linearised_residuals
    monkeypatch.setattr(relu_explorer_module, "linearised_residuals",
                        lambda H0, xi0, eta, beta, nit: real(H0, xi0, 100 * eta, beta, nit))   # unstable
    data = relu.relu_explorer_data(50, 30.0, n_iter=150)
    assert data["diverged"] and data["message"] == f"diverges at iteration {data['diverged_at']}"
    assert list(relu.EXPLORER.quantities(data)) == list(relu.EXPLORER.quantities(relu.relu_explorer_data(50, 30.0)))


def test_the_page_stays_within_the_data_budget():
    page = webexplorer.embed(relu.EXPLORER, relu.WEB)
    assert page.payload["shape"] == [4, 4, 3] and page.payload["source"] == "accelbook.relu:EXPLORER"
    assert page.nbytes <= webexplorer.MAX_BYTES
