r"""Drawing for Chapter 4: the panels that the explorer and its static figure share.

Each panel draws the output of :func:`accelbook.deep_linear.explorer.deep_linear_explorer_data` on one
matplotlib axis; nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import plotting
from .._validation import flag, shown

__all__ = ["residual_panel", "terms_panel", "divergence_note"]

#: The keys of :func:`~accelbook.deep_linear.explorer.deep_linear_explorer_data` each panel draws.
RESIDUAL_KEYS = ("t", "gd", "heavy_ball", "bound")
TERMS_KEYS = ("t", "xi_norm", "varphi_norm", "psi_norm", "iota_norm")


def _axes(ax):
    if not (hasattr(ax, "plot") and hasattr(ax, "transAxes")):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__} {shown(ax)}")
    return ax


def _frame(data, keys):
    """Check ``data`` is a frame of the explorer with the given keys."""
    if not isinstance(data, Mapping):
        raise TypeError(f"data must be a dict from deep_linear_explorer_data, got {type(data).__name__} {shown(data)}")
    missing = [k for k in keys if k not in data]
    if missing:
        raise ValueError(f"data must have the keys {list(keys)} (deep_linear_explorer_data), missing {missing}")
    return data


def residual_panel(ax, data, *, bound_label="Theorem 10 bound", ylabel=None, title=None, legend=True):
    r"""Gradient descent's and heavy ball's relative stacked residuals
    :math:`\lVert[\xi_t;\xi_{t-1}]\rVert/\lVert[\xi_0;\xi_{-1}]\rVert` against the bound (22)."""
    _axes(ax)
    t = _frame(data, RESIDUAL_KEYS)["t"]
    legend = flag("legend", legend)
    for name, value in (("bound_label", bound_label), ("ylabel", ylabel), ("title", title)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} must be a str or None, got {type(value).__name__} {shown(value)}")
    plotting.method_line(ax, t[:len(data["gd"])], data["gd"], "gd")
    plotting.method_line(ax, t[:len(data["heavy_ball"])], data["heavy_ball"], "heavy_ball")
    plotting.bound_line(ax, t, data["bound"], label=bound_label)
    if ylabel is None:
        ylabel = r"$\|[\xi_t;\xi_{t-1}]\| / \|[\xi_0;\xi_{-1}]\|$"
    plotting.log_axes(ax, "iteration t", ylabel, title=title, legend=legend)
    divergence_note(ax, data)
    return ax


def terms_panel(ax, data):
    r"""Heavy ball's :math:`\lVert\xi_t\rVert` and the norms of Lemma 4's terms :math:`\varphi_t,\psi_t,\iota_t`."""
    _axes(ax)
    t = _frame(data, TERMS_KEYS)["t"]
    tt = t[:len(data["xi_norm"])]
    ax.plot(tt, data["xi_norm"], color=plotting.COLORS["heavy_ball"], label=r"$\|\xi_t\|$")
    for key, label, ls in (("varphi", r"$\|\varphi_t\|$", "-"), ("psi", r"$\|\psi_t\|$", "--"),
                           ("iota", r"$\|\iota_t\|$", ":")):
        v = data[f"{key}_norm"]
        ax.plot(t[:len(v)], np.maximum(v, 1e-300), ls=ls, label=label)
    plotting.log_axes(ax, "iteration t", "heavy ball: norms")
    ax.legend(fontsize=7)
    return ax


def divergence_note(ax, data):
    """A note on the axis for each method whose run diverged (its curve stops where it did)."""
    _axes(ax)
    _frame(data, ("gd", "heavy_ball"))
    notes = [f"{plotting.LABELS[key]} diverged at iteration {len(data[key])}"
             for key in ("gd", "heavy_ball") if data.get(f"{key}_diverged")]
    if notes:
        ax.text(0.02, 0.02, "\n".join(notes), transform=ax.transAxes, fontsize=7, va="bottom")
    return ax
