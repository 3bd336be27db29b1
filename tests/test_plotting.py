import matplotlib.pyplot as plt
import numpy as np
import pytest

from accelbook import plotting, theory


def test_method_colours_are_distinct_and_fixed():
    assert len({plotting.COLORS[m] for m in ("gd", "heavy_ball", "nesterov")}) == 3
    assert plotting.COLORS["gd"] == plotting.OKABE_ITO["blue"]


def test_lines_bounds_and_bands():
    plotting.use_style()
    fig, ax = plt.subplots()
    t = np.arange(10)
    line = plotting.method_line(ax, t, 0.5 ** t, "heavy_ball")
    bound = plotting.bound_line(ax, t, 0.6 ** t)
    plotting.quantile_band(ax, t, np.exp(-np.outer(np.linspace(0.5, 1, 5), t)), "gd")
    plotting.log_axes(ax, "iteration t", "error")
    assert ax.get_yscale() == "log" and line.get_color() == plotting.COLORS["heavy_ball"]
    assert bound.get_linestyle() == "--"
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert np.all(band > 0)  # quantile bands stay positive on a log axis
    with pytest.raises(ValueError, match="method must be one of"):
        plotting.method_line(ax, t, t, "adam")
    plt.close(fig)


def test_rho_plane_marks_the_stability_edge():
    fig, ax = plt.subplots()
    mesh = plotting.rho_plane(ax, n_grid=50)
    values = mesh.get_array()
    assert values.min() >= 0 and values.max() <= 1.5
    assert theory.block_spectral_radius(0.5, 0.5) < 1 < theory.block_spectral_radius(3.9, 0.5)
    plt.close(fig)


@pytest.mark.parametrize("call", [
    lambda ax: plotting.method_line(ax, [0, 1], [1.0, 0.5], "gd"),
    lambda ax: plotting.bound_line(ax, [0, 1], [1.0, 0.5]),
    lambda ax: plotting.quantile_band(ax, [0, 1], np.ones((3, 2)), "gd"),
    lambda ax: plotting.log_axes(ax, "t", "error"),
    lambda ax: plotting.rho_plane(ax, n_grid=5),
])
def test_every_drawing_function_needs_an_axes(call):
    with pytest.raises(TypeError, match=r"^ax must be a Axes, got NoneType None"):
        call(None)
    fig, ax = plt.subplots()
    call(ax)  # and works with one
    plt.close(fig)


def test_rho_plane_names_its_own_parameters():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="z_max must be > 0"):
        plotting.rho_plane(ax, z_max=-1)
    with pytest.raises(ValueError, match="y must have the length of t"):
        plotting.method_line(ax, [0, 1, 2], [1.0, 0.5], "gd")
    plt.close(fig)
