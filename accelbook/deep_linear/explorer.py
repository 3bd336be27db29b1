r"""The Chapter 4 explorer: gradient descent and heavy ball with Theorem 10's parameters on a deep linear
network (Wang, Lin & Abernethy 2021), for a chosen depth, width and condition number.

One :class:`accelbook.explorer.Explorer` (:data:`EXPLORER`): ``compute`` is :func:`deep_linear_explorer_data`,
``draw`` is :func:`draw_deep_linear_explorer`, ``summary`` is :func:`deep_linear_explorer_summary`.  It is the
one definition behind both front ends: the ipywidgets sliders and the in-page explorer,
``ab.webexplorer.embed(EXPLORER, WEB)``, precomputed on the parameters' ``grid`` (:data:`WEB` says what the
page draws).  The old names keep working: :func:`deep_linear_explorer_callback` draws one frame,
:func:`deep_linear_explorer` opens the widget, and :func:`deep_linear_explorer_static` (the figure that
tells the same story in print) draws with the same panel code.
"""

from __future__ import annotations

import numpy as np

from .. import metrics
from .._validation import flag, int_scalar, real_scalar, shown
from ..explorer import Explorer, Param
from ..webexplorer import Panel, Series, WebSpec
from .data import make_problem
from .figures import RESIDUAL_KEYS, TERMS_KEYS, _frame, residual_panel, terms_panel
from .theory import theorem10_bound
from .training import measured_rate, run_with_decomposition, train

__all__ = ["EXPLORER", "WEB", "deep_linear_explorer_data", "draw_deep_linear_explorer", "deep_linear_explorer_summary",
           "deep_linear_explorer_callback", "deep_linear_explorer", "deep_linear_explorer_static"]


def deep_linear_explorer_data(depth, width, kappa, *, d=4, n=4, d_y=2, t_max=None, with_terms=True,
                              eta_scale=1.0, seed=0):
    r"""Everything the Chapter 4 explorer draws (its ``compute``): gradient descent and heavy ball with
    Theorem 10's parameters (the step times ``eta_scale``) on data with condition number ``kappa``
    (``make_problem(d, n, d_y, kappa=kappa, seed=seed)``), a network of the given depth and width from the
    orthogonal initialisation (``seed + 1``).

    Returns a dict of finite arrays and scalars: the stacked residual norms relative to :math:`t=0`
    (``gd``, ``heavy_ball``; shorter than ``t`` when the run diverged, flagged by ``gd_diverged`` and
    ``heavy_ball_diverged``), Theorem 10's bound over ``t`` and, with ``with_terms``, the norms of Lemma 4's
    terms along the heavy-ball run (``xi_norm``, ``varphi_norm``, ``psi_norm``, ``iota_norm``). ``t_max``
    defaults to about :math:`15\sqrt\kappa` (between 50 and 400), which keeps a live frame under 100 ms.
    """
    depth = int_scalar("depth", depth, lo=1)
    kappa = real_scalar("kappa", kappa, lo=1.0)
    d, n, d_y = int_scalar("d", d, lo=1), int_scalar("n", n, lo=1), int_scalar("d_y", d_y, lo=1)
    width = int_scalar("width", width, lo=max(d, d_y))
    if depth == 1 and d != d_y:
        raise ValueError(f"depth must be >= 2 unless d == d_y (the orthogonal initialisation), got depth={depth}")
    if t_max is None:
        t_max = int(min(400, max(50, np.ceil(15 * np.sqrt(kappa)))))
    t_max = int_scalar("t_max", t_max, lo=1)
    with_terms = flag("with_terms", with_terms)
    eta_scale = real_scalar("eta_scale", eta_scale, lo=0.0, lo_open=True)
    prob = make_problem(d, n, d_y, kappa=kappa, seed=int_scalar("seed", seed, lo=0))
    w0 = prob.init(width, depth, seed=seed + 1)
    eta, beta = prob.parameters(depth)
    eta *= eta_scale
    out = {"depth": depth, "width": width, "kappa": kappa, "eta": eta, "beta": beta, "t": np.arange(t_max + 1)}
    for key, b in (("gd", 0.0), ("heavy_ball", beta)):
        if with_terms and key == "heavy_ball":
            run, terms = run_with_decomposition(prob, w0, eta, b, t_max)
            xi = terms["xi"]
            for k in ("varphi", "psi", "iota"):
                out[f"{k}_norm"] = np.linalg.norm(terms[k], axis=1)
            out["xi_norm"] = np.linalg.norm(xi, axis=1)
        else:
            run = train(prob, w0, eta, b, t_max, monitors=("xi",), record_loss=False)
            xi = run.records["xi"]
        stacked = metrics.stacked_norms(xi)
        out[key] = stacked / stacked[0]
        out[f"{key}_diverged"] = run.diverged
    out["bound"] = theorem10_bound(kappa, out["t"])
    return out


def draw_deep_linear_explorer(data, fig):
    """Draw :func:`deep_linear_explorer_data` output on ``fig`` (two panels). Returns the axes."""
    _frame(data, RESIDUAL_KEYS + TERMS_KEYS + ("depth", "width", "kappa", "eta", "beta"))
    _figure(fig)
    fig.clear()
    ax1, ax2 = fig.subplots(1, 2)
    residual_panel(ax1, data)
    terms_panel(ax2, data)
    fig.suptitle(rf"depth L={data['depth']}, width m={data['width']}, $\kappa$={data['kappa']:.0f}, "
                 rf"$\eta$={data['eta']:.3g}, $\beta$={data['beta']:.3f}", fontsize=9)
    return ax1, ax2


def deep_linear_explorer_summary(data):
    r"""The quantities of interest of a frame, the same labels at every parameter point: Theorem 10's η and
    β, the measured rates against :math:`\sqrt\beta`, iterations to reduce the stacked residual by
    :math:`10^{-6}` (-1: not reached), the final relative residuals, and whether heavy ball stays below (22)."""
    _frame(data, ("gd", "heavy_ball", "gd_diverged", "heavy_ball_diverged", "eta", "beta", "bound"))
    out = {"η, β (Theorem 10 of Wang et al.)": f"{data['eta']:.4g}, {data['beta']:.4f}"}
    for key, name in (("heavy_ball", "heavy ball"), ("gd", "gradient descent")):
        rate = measured_rate(data[key])
        out[f"{name}: measured rate"] = float(rate) if np.isfinite(rate) else "too few iterations"
        out[f"{name}: iterations to 1e-6"] = metrics.iterations_to_tolerance(data[key], 1e-6)
        out[f"{name}: diverged"] = bool(data[f"{key}_diverged"])
    out["sqrt(beta), the linear rate"] = float(np.sqrt(data["beta"]))
    hb = data["heavy_ball"]
    out["final relative residual, heavy ball"] = float(hb[-1])
    out["final relative residual, gradient descent"] = float(data["gd"][-1])
    out["heavy ball within the bound (22)"] = bool(np.all(hb <= data["bound"][:len(hb)]))
    return out


#: The Chapter 4 explorer.  Each ``grid`` is the values the in-page explorer precomputes (5 × 3 × 2 points);
#: the Jupyter sliders move over the whole range.
EXPLORER = Explorer(
    name="deep_linear",
    title="Deep linear network: gradient descent and heavy ball with Theorem 10's parameters",
    params=(Param("depth", "depth L", 2, 200, 10, 1, integer=True, grid=(2, 5, 10, 20, 50)),
            Param("width", "width m", 4, 256, 16, 4, integer=True, grid=(4, 8, 16)),
            Param("kappa", "κ", 1.0, 1000.0, 100.0, 0.25, scale="log", grid=(10.0, 100.0))),
    compute=deep_linear_explorer_data, draw=draw_deep_linear_explorer, summary=deep_linear_explorer_summary)

#: What the in-page explorer of Chapter 4 draws (``ab.webexplorer.embed(EXPLORER, WEB)``): the residuals
#: against Theorem 10's bound (22), and the norms of Lemma 4's terms along the heavy-ball run.
WEB = WebSpec(
    panels=(
        Panel((Series("gd", method="gd"), Series("heavy_ball", method="heavy_ball"),
               Series("bound", style="dashed", label="Theorem 10 bound (Wang et al.)")),
              ylabel="‖[ξ_t; ξ_t−1]‖ / ‖[ξ_0; ξ_−1]‖"),
        Panel((Series("xi_norm", color="#D55E00", label="‖ξ_t‖"), Series("varphi_norm", label="‖φ_t‖"),
               Series("psi_norm", style="dashed", color="#CC79A7", label="‖ψ_t‖"),
               Series("iota_norm", style="dotted", color="#56B4E9", label="‖ι_t‖")),
              ylabel="heavy ball: norms", ymin=1e-20),
    ),
    source="accelbook.deep_linear:EXPLORER")


def _figure(fig):
    if not (hasattr(fig, "subplots") and hasattr(fig, "suptitle") and hasattr(fig, "clear")):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__} {shown(fig)}")
    return fig


def deep_linear_explorer_callback(depth, width, kappa, *, fig=None):
    """Compute and draw one frame of the Chapter 4 explorer (``EXPLORER.frame``); returns the figure (works headless)."""
    if fig is not None:
        _figure(fig)
    return EXPLORER.frame(fig, depth=depth, width=width, kappa=kappa)


def deep_linear_explorer():  # pragma: no cover - needs a live kernel; the callback is tested
    """The live explorer: ipywidgets sliders for depth, width and kappa (with a Run button)."""
    return EXPLORER.widget(manual=True)


def deep_linear_explorer_static(settings, *, t_max=None, fig=None):
    """Small multiples of the explorer's left panel, one per ``(depth, width, kappa)`` in ``settings``
    (``t_max`` as in :func:`deep_linear_explorer_data`)."""
    import matplotlib.pyplot as plt
    if isinstance(settings, (str, bytes)) or not np.iterable(settings):
        raise TypeError(f"settings must be a list of (depth, width, kappa), got {type(settings).__name__}")
    settings = list(settings)
    if not settings or not all(np.ndim(s) == 1 and len(s) == 3 for s in settings):
        raise ValueError(f"settings must be a non-empty list of (depth, width, kappa) triples, got {settings!r}")
    if t_max is not None:
        t_max = int_scalar("t_max", t_max, lo=1)
    frames = []
    for i, (depth, width, kappa) in enumerate(settings):
        try:
            frames.append(deep_linear_explorer_data(depth, width, kappa, t_max=t_max, with_terms=False))
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"settings[{i}] = {settings[i]!r}: {exc}") from None
    if fig is not None:
        _figure(fig)
    else:
        fig = plt.figure(figsize=(3.1 * len(settings), 3.0))
    axes = np.atleast_1d(fig.subplots(1, len(settings), sharey=True))
    for ax, data in zip(axes, frames):
        residual_panel(ax, data, bound_label="Theorem 10", ylabel="", legend=False,
                       title=rf"L={data['depth']}, m={data['width']}, $\kappa$={data['kappa']:g}")
    axes[0].set_ylabel(r"$\|[\xi_t;\xi_{t-1}]\|$ (relative)")
    axes[0].legend(fontsize=7)
    return fig
