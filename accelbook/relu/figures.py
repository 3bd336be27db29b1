r"""Drawing for Chapter 3 (the ReLU network): panels shared by the explorer, its static companion and the
chapter's figures. Drawing only: every number drawn here is computed elsewhere in :mod:`accelbook.relu`.
"""

from __future__ import annotations

import numpy as np

from .. import plotting

__all__ = ["residual_panel", "pattern_panel"]

#: Curves on a log axis are floored here (a residual that reached exactly 0 stays drawable).
FLOOR = 1e-300


def _axes(ax):
    if not hasattr(ax, "plot") or not hasattr(ax, "set_yscale"):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    return ax


def _data(data, keys):
    if not hasattr(data, "keys") or not all(k in data for k in keys):
        raise TypeError(f"data must be a dict with the keys {keys} (the output of relu_explorer_data), "
                        f"got {type(data).__name__}")
    return data


def residual_panel(ax, data, *, gd_label=None, linear_label="linearised"):
    r"""Heavy ball, gradient descent and the linearised heavy-ball model: :math:`\|[\xi_t;\xi_{t-1}]\|`
    relative to t = 0 against t, on a log axis (the curves of the explorer and of its static figure).

    Parameters
    ----------
    ax : matplotlib Axes
    data : dict
        :func:`accelbook.relu.relu_explorer_data`'s output (``t_hb``, ``hb``, ``t_gd``, ``gd``, ``t_lin``,
        ``linear``).
    gd_label, linear_label : str, optional
        Legend labels (gradient descent: the book's default label).
    """
    ax = _axes(ax)
    data = _data(data, ("t_hb", "hb", "t_gd", "gd", "t_lin", "linear"))
    plotting.method_line(ax, data["t_hb"], np.maximum(data["hb"], FLOOR), "heavy_ball")
    plotting.method_line(ax, data["t_gd"], np.maximum(data["gd"], FLOOR), "gd", label=gd_label)
    ax.plot(data["t_lin"], np.maximum(data["linear"], FLOOR), ":", color=plotting.COLORS["bound"],
            label=linear_label)
    return ax


def pattern_panel(ax, data):
    """The percentage of activation patterns changed since initialisation, heavy ball and gradient descent."""
    ax = _axes(ax)
    data = _data(data, ("t_hb", "pattern_hb", "t_gd", "pattern_gd"))
    ax.plot(data["t_hb"], 100 * data["pattern_hb"], color=plotting.COLORS["heavy_ball"], label="heavy ball")
    ax.plot(data["t_gd"], 100 * data["pattern_gd"], color=plotting.COLORS["gd"], label="gradient descent")
    ax.set(xlabel="iteration t", ylabel="patterns changed (%)")
    ax.legend()
    return ax
