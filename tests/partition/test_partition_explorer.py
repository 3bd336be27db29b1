"""accelbook.partition.explorer: the κ explorer's definition, data, frame and static small multiples."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from accelbook import partition as P
from accelbook import webexplorer
from accelbook.explorer import Explorer


def test_explorer_data_and_callback():
    d = P.partition_explorer_data(100.0)
    for m in ("gd", "nesterov"):
        y, k = d[f"losses_{m}"], d[f"hit_{m}"]
        assert y[0] == 1.0 and np.all(y[k:] <= 1e-2) and np.all(y[:k] > 1e-2) and not d[f"diverged_{m}"]
    assert d["hit_nesterov"] < d["hit_gd"] and d["ratio"] == pytest.approx(d["hit_gd"] / d["hit_nesterov"])
    fig = P.partition_explorer_callback(100.0)
    (ax,) = fig.get_axes()
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "iteration k"
    labels = [line.get_label() for line in ax.get_lines()]
    assert "gradient descent" in labels and "Nesterov" in labels
    assert str(d["hit_gd"]) in ax.get_title() and str(d["hit_nesterov"]) in ax.get_title()
    plt.close(fig)


def test_explorer_definition():
    E = P.EXPLORER
    assert isinstance(E, Explorer) and [p.name for p in E.params] == ["kappa", "sigma_A2"]
    data = E.data(kappa=100.0)
    np.testing.assert_array_equal(data["losses_gd"], P.partition_explorer_data(100.0)["losses_gd"])
    assert all(np.all(np.isfinite(np.asarray(v, dtype=float))) for k, v in data.items() if v is not None)
    summary = E.summary(data)
    assert summary["GD iterations to the target"] == data["hit_gd"] and not summary["a run diverged"]
    # sigma_max(A2) = 0.01 at kappa = 100: Theorem 6's condition holds, Theorem 7's does not (constants 1)
    assert summary["Theorem 6's conditions hold (constants 1)"] and not summary["Theorem 7's conditions hold (constants 1)"]
    assert E.summary(E.data(kappa=10.0, sigma_A2=1e-3))["Theorem 7's conditions hold (constants 1)"]
    assert len(E.grid(n=2)) == 4
    with pytest.raises(ValueError, match="kappa must be"):
        E.data(kappa=1e6)


def test_explorer_diverging_frame_is_finite():
    d = P.partition_explorer_data(100.0, 5.0, max_iter=2000)
    assert d["diverged_gd"] and d["diverged_nesterov"] and d["hit_gd"] == -1 and d["ratio"] == -1.0
    assert np.all(np.isfinite(d["losses_gd"])) and np.all(np.isfinite(d["losses_nesterov"]))
    fig = plt.figure()
    P.draw_partition_explorer(d, fig)
    assert "n/a" in fig.get_axes()[0].get_title()
    plt.close(fig)


def test_explorer_static_small_multiples():
    fig = P.partition_explorer_static((10.0, 100.0))
    axes = fig.get_axes()
    assert len(axes) == 2 and all(ax.get_yscale() == "log" for ax in axes)
    assert "GD" in axes[1].get_title()
    plt.close(fig)
    with pytest.raises(ValueError, match="kappas must not be empty"):
        P.partition_explorer_static(())


@pytest.mark.parametrize("call, exc, match", [
    (lambda: P.partition_explorer_data(0.5), ValueError, "kappa must be >= 1"),
    (lambda: P.partition_explorer_data(10.0, -0.1), ValueError, "sigma_A2 must be >= 0"),
    (lambda: P.partition_explorer_data(10.0, tol=2.0), ValueError, "tol must be < 1"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_explorer_data_marks_the_target_and_the_first_iterate_below_it():
    d = P.partition_explorer_data(100.0)
    for m in ("gd", "nesterov"):
        k = d[f"hit_{m}"]
        assert d[f"hit_t_{m}"].tolist() == [k] and d[f"hit_y_{m}"].tolist() == [d[f"losses_{m}"][k]]
    assert d["target"].shape == (max(len(d["losses_gd"]), len(d["losses_nesterov"])),)
    assert np.all(d["target"] == d["tol"])
    d = P.partition_explorer_data(100.0, 5.0, max_iter=2000)   # diverged: no first iterate below the target
    assert d["hit_t_gd"] is None and d["hit_y_gd"] is None and d["hit_t_nesterov"] is None
    text = P.EXPLORER.quantities(d)
    assert text["GD iterations to the target"] == "not reached" and text["ratio GD / Nesterov"] == "—"


def test_the_page_and_jupyter_share_one_explorer_and_its_grid():
    ex, spec = P.EXPLORER, P.WEB
    module, _, name = spec.source.partition(":")   # how the browser test finds the explorer of a page
    assert getattr(__import__(module, fromlist=[name]), name) is ex
    np.testing.assert_allclose(ex.params[0].values(), 10 ** np.arange(0.5, 3.51, 0.5))
    assert ex.params[1].values().tolist() == [0.001, 0.01, 0.1, 1.0, 5.0]
    for p in ex.params:   # the page's grid lies inside the Jupyter slider's range, the default on it
        assert p.lo <= min(p.grid) and max(p.grid) <= p.hi and p.default in p.grid
    corner = {p.name: p.grid[-1] for p in ex.params}   # kappa 10^3.5, sigma_max(A2) = 5: both diverge
    for values in (ex.defaults, corner):
        data = ex.data(**values)
        missing = [k for k in spec.stored_keys() if k not in data]
        assert not missing, f"compute at {values} lacks {missing}"
    a, b = ex.quantities(**ex.defaults), ex.quantities(**corner)
    assert list(a) == list(b) and a != b and b["a run diverged"] == "yes"


def test_the_page_stays_within_the_data_budget():
    page = webexplorer.embed(P.EXPLORER, P.WEB)
    assert page.payload["shape"] == [7, 5] and page.payload["source"] == "accelbook.partition:EXPLORER"
    assert page.nbytes <= webexplorer.MAX_BYTES
