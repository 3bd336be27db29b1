"""Chapters 3-5's in-page explorers, adapted from their data functions (accelbook.webspecs, explorer_adapt)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from accelbook import deep_linear, partition, relu, webexplorer, webspecs


@pytest.mark.parametrize("explorer, spec", [(webspecs.RELU_EXPLORER, webspecs.RELU),
                                            (webspecs.DEEP_LINEAR_EXPLORER, webspecs.DEEP_LINEAR),
                                            (webspecs.PARTITION_EXPLORER, webspecs.PARTITION)])
def test_adapted_explorers_draw_their_spec_and_summarise(explorer, spec):
    data = explorer.data(**explorer.defaults)
    for key in spec.stored_keys():
        assert key in data, key
    fig = explorer.frame(**explorer.defaults)
    axes = fig.get_axes()
    assert len(axes) == len(spec.panels)
    for ax, panel in zip(axes, spec.panels):
        assert ax.get_yscale() == ("log" if panel.logy else "linear") and ax.get_lines()
    plt.close(fig)
    text = explorer.quantities(data)
    assert text and all(isinstance(v, str) and v for v in text.values())


def test_the_adapters_pass_the_chapters_data_through():
    d = webspecs.RELU_EXPLORER.data(m=100, angle_deg=20.0, beta=0.0)
    ref = relu.relu_explorer_data(100, 20.0)
    np.testing.assert_array_equal(d["hb"], ref["hb"])
    assert d["beta"] == ref["beta_cor1"] and d["message"] == ""
    d = webspecs.DEEP_LINEAR_EXPLORER.data(depth=5, width=8, kappa=10.0)
    ref = deep_linear.deep_linear_explorer_data(5, 8, 10.0)
    np.testing.assert_array_equal(d["psi_norm"], ref["psi_norm"])
    text = webspecs.DEEP_LINEAR_EXPLORER.quantities(d)
    assert text["heavy ball stays under the Theorem 10 bound"] == \
        ("yes" if np.all(ref["heavy_ball"] <= ref["bound"][:len(ref["heavy_ball"])]) else "no")
    d = webspecs.PARTITION_EXPLORER.data(kappa=100.0, sigma_A2=0.01)
    ref = partition.partition_explorer_data(100.0, 0.01)
    assert d["hit_t_gd"][0] == ref["hit_gd"] and d["hit_y_gd"][0] <= ref["tol"] < ref["losses_gd"][ref["hit_gd"] - 1]
    assert webspecs.PARTITION_EXPLORER.quantities(d)["iterations to the target, Nesterov"] == str(ref["hit_nesterov"])


def test_the_chapter_pages_stay_within_the_data_budget():
    for explorer, spec in ((webspecs.PARTITION_EXPLORER, webspecs.PARTITION),):
        assert webexplorer.embed(explorer, spec).nbytes <= webexplorer.MAX_BYTES
