"""One figure style for the whole book.

Gradient descent, heavy ball and Nesterov always get the same colour and marker (Okabe–Ito
palette, safe for the common colour-vision deficiencies); bounds are dashed; errors and losses go
on log axes; bands over trials are quantile bands (they stay positive on a log axis).
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import is_color_like

from ._validation import (choice, flag, instance_of, int_scalar, numeric_array, optional_text, real_array,
                          real_scalar, text)

__all__ = ["OKABE_ITO", "COLORS", "MARKERS", "LABELS", "use_style", "method_line", "bound_line",
           "quantile_band", "log_axes", "rho_plane"]

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
COLORS = {"gd": OKABE_ITO["blue"], "heavy_ball": OKABE_ITO["vermillion"], "nesterov": OKABE_ITO["bluish_green"],
          "bound": OKABE_ITO["black"], "other": OKABE_ITO["reddish_purple"]}
MARKERS = {"gd": "o", "heavy_ball": "s", "nesterov": "^"}
LABELS = {"gd": "gradient descent", "heavy_ball": "heavy ball", "nesterov": "Nesterov"}


def use_style():
    """Set the book's matplotlib defaults (call once per chapter)."""
    mpl.rcParams.update({
        "figure.figsize": (6.4, 3.6), "figure.dpi": 110, "savefig.dpi": 110,
        "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
        # generic curves first get the colours no method owns, so they are never mistaken for one
        "axes.prop_cycle": mpl.cycler(color=[OKABE_ITO[k] for k in
                                             ("orange", "reddish_purple", "sky_blue", "black", "blue",
                                              "vermillion", "bluish_green")]),
        "legend.frameon": False, "font.size": 10, "lines.linewidth": 1.6, "image.cmap": "viridis",
    })


def _method(method):
    return choice("method", method, ("gd", "heavy_ball", "nesterov"))


def _ax(ax):
    return instance_of("ax", ax, Axes)


def _curve(t, y):
    """``t`` finite and 1-d; ``y`` numbers of the same length (NaN/inf allowed: matplotlib leaves a gap)."""
    t = real_array("t", t, ndim=1)
    y = numeric_array("y", y, ndim=1)
    if y.shape != t.shape:
        raise ValueError(f"y must have the length of t ({t.size}), got shape {y.shape}")
    return t, y


def method_line(ax, t, y, method, *, label=None, markevery=None, **kw):
    """Plot ``y`` against iterations ``t`` in ``method``'s colour and marker, on a log y axis.

    ``ax`` is a matplotlib Axes; ``t`` finite, ``y`` of the same length; ``markevery`` None or an int >= 1;
    further keywords go to ``ax.plot``."""
    ax = _ax(ax)
    t, y = _curve(t, y)
    method = _method(method)
    label = optional_text("label", label)
    if markevery is None:
        markevery = max(1, len(t) // 8)
    markevery = int_scalar("markevery", markevery, lo=1)
    line, = ax.plot(t, y, color=COLORS[method], marker=MARKERS[method], markevery=markevery, markersize=4,
                    label=LABELS[method] if label is None else label, **kw)
    ax.set_yscale("log")
    return line


def bound_line(ax, t, y, *, label="bound", color=None, **kw):
    """A bound: dashed (or ``ls``/``linestyle`` as given), in black unless told otherwise (``color``: any
    matplotlib colour)."""
    ax = _ax(ax)
    t, y = _curve(t, y)
    label = optional_text("label", label)
    if color is not None and not is_color_like(color):
        raise ValueError(f"color must be a matplotlib colour or None, got {color!r}")
    style = kw.pop("ls", kw.pop("linestyle", "--"))
    line, = ax.plot(t, y, linestyle=style, color=COLORS["bound"] if color is None else color, label=label, **kw)
    ax.set_yscale("log")
    return line


def quantile_band(ax, t, Y, method, *, q=(0.1, 0.9), label=None):
    """Median line and a quantile band over trials (rows of ``Y`` are trials, columns follow ``t``);
    ``q = (lower, upper)`` with ``0 <= lower < 0.5 < upper <= 1``."""
    ax = _ax(ax)
    t = real_array("t", t, ndim=1)
    Y = numeric_array("Y", Y, ndim=2)
    if Y.shape[1] != t.size or Y.shape[0] == 0:
        raise ValueError(f"Y must have shape (trials, {t.size}) with trials >= 1, got {Y.shape}")
    method = _method(method)
    label = optional_text("label", label)
    q = real_array("q", q, ndim=1, lo=0.0, hi=1.0)
    if q.shape != (2,) or not q[0] < 0.5 < q[1]:
        raise ValueError(f"q must be a pair (lower, upper) with 0 <= lower < 0.5 < upper <= 1, got {q.tolist()}")
    lo, med, hi = np.quantile(Y, [q[0], 0.5, q[1]], axis=0)
    ax.fill_between(t, lo, hi, color=COLORS[method], alpha=0.25, linewidth=0)
    return method_line(ax, t, med, method, label=label)


def log_axes(ax, xlabel, ylabel, *, title=None, logx=False, legend=True):
    """Label the axes (log y), optionally log x, add a legend."""
    ax = _ax(ax)
    xlabel, ylabel = text("xlabel", xlabel), text("ylabel", ylabel)
    title = optional_text("title", title)
    logx, legend = flag("logx", logx), flag("legend", legend)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_yscale("log")
    if logx:
        ax.set_xscale("log")
    if title:
        ax.set_title(title)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend()
    return ax


def rho_plane(ax, z_max=4.0, n_grid=400):
    r"""The (ηλ, β) plane coloured by the spectral radius of the 2×2 heavy-ball block,
    with the critical-damping curve β = (1 − √(ηλ))² and the stability edge ηλ = 2(1 + β), for
    0 <= ηλ <= ``z_max`` (> 0) on an ``n_grid`` × ``n_grid`` grid (``n_grid >= 2``)."""
    from .theory import block_spectral_radius, critical_damping_beta
    ax = _ax(ax)
    z_max = real_scalar("z_max", z_max, lo=0.0, lo_open=True)
    n_grid = int_scalar("n_grid", n_grid, lo=2)
    z = np.linspace(0.0, z_max, n_grid)
    beta = np.linspace(0.0, 0.999, n_grid)
    Z, B = np.meshgrid(z, beta)
    rho = block_spectral_radius(Z, B)
    mesh = ax.pcolormesh(Z, B, np.minimum(rho, 1.5), shading="auto", cmap="viridis", vmin=0, vmax=1.5,
                         rasterized=True)
    ax.contour(Z, B, rho, levels=[1.0], colors="white", linewidths=1.5)
    zc = np.linspace(0.0, min(z_max, 4.0), 200)
    ax.plot(zc, critical_damping_beta(zc), color=OKABE_ITO["orange"], linestyle="--",
            label=r"critical damping $\beta=(1-\sqrt{\eta\lambda})^2$")
    ax.set_xlabel(r"$\eta\lambda$")
    ax.set_ylabel(r"$\beta$")
    ax.set_ylim(0, 1)
    ax.grid(False)
    return mesh
