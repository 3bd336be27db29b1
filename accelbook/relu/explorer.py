r"""The Chapter 3 explorer: heavy ball on a ReLU network against gradient descent and the linearised model.

One :class:`accelbook.explorer.Explorer` (:data:`EXPLORER`): the width :math:`m`, the angle of the inputs from
a common direction (small angles: an ill-conditioned kernel) and the momentum β (0 selects Corollary 1's
:math:`(1-\frac{1}{2\sqrt{\hat\kappa}})^2`), with Appendix H's step :math:`\eta = 1/\lambda_{\max}(H_0)` of
Wang, Lin & Abernethy (2021). It is the one definition behind both front ends: the ipywidgets sliders
(:func:`relu_explorer`) and the in-page explorer, ``ab.webexplorer.embed(EXPLORER, WEB)``, which precomputes
it on its parameters' ``grid`` (:data:`WEB` says what the page draws). The old names keep working:
:func:`relu_explorer_callback` draws one frame, :func:`relu_explorer_static` is the figure that tells the
same story in print.
"""

from __future__ import annotations

import numpy as np

from .. import metrics, plotting
from .._validation import int_scalar, int_sequence, real_scalar, real_sequence, rng_from
from ..explorer import Explorer, Param
from ..webexplorer import Panel, Series, WebSpec
from .data import clustered_inputs, random_labels
from .figures import _data, pattern_panel, residual_panel
from .model import make_problem
from .training import linearised_residuals, train

__all__ = ["EXPLORER", "WEB", "relu_explorer_data", "draw_relu_explorer", "relu_explorer_summary",
           "relu_explorer_callback", "relu_explorer", "relu_explorer_static"]


def relu_explorer_data(m, angle_deg, beta=None, *, n=5, d=10, n_iter=250, seed=0):
    r"""Everything the Chapter 3 explorer draws (its ``compute``).

    ``n`` inputs at angle ``angle_deg`` (degrees) from a common direction (:func:`clustered_inputs`),
    random labels, width ``m``, Appendix H's :math:`\eta = 1/\lambda_{\max}(H_0)`; heavy ball with momentum
    ``beta`` (default: Corollary 1's :math:`(1-\frac{1}{2\sqrt{\hat\kappa}})^2`), gradient descent with
    the same η, and the linearised heavy-ball model. Returns a dict of finite arrays and scalars: the
    stacked norms relative to t = 0 (``hb``, ``gd``, ``linear`` over ``t_hb``, ``t_gd``, ``t_lin``), the
    pattern changes, ``diverged`` with ``diverged_at`` (the first rejected iteration, -1 if none) and
    ``message``, the text a front end draws instead of the curves ("diverges at iteration k"; "" if none).
    """
    m = int_scalar("m", m, lo=1)
    angle_deg = real_scalar("angle_deg", angle_deg, lo=0.0, hi=90.0, lo_open=True)
    if beta is not None:
        beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    n_iter = int_scalar("n_iter", n_iter, lo=1)
    rng = rng_from(seed)
    X = clustered_inputs(n, d, np.deg2rad(angle_deg), seed=rng)
    prob = make_problem(X, random_labels(n, seed=rng), m, seed=rng)
    eta, beta_cor1 = prob.momentum_parameters()
    beta = beta_cor1 if beta is None else beta
    hb = train(prob, "heavy_ball", eta, beta, n_iter, records=("pattern_change",))
    gd = train(prob, "gd", eta, 0.0, n_iter, records=("pattern_change",))
    lin = linearised_residuals(prob.H0, hb.xi[0], eta, beta, hb.nit)
    stopped = [r.nit + 1 for r in (hb, gd, lin) if r.diverged]
    norms = {k: r.stacked_norms for k, r in (("hb", hb), ("gd", gd), ("linear", lin))}
    return {"m": m, "angle_deg": angle_deg, "kappa_hat": float(prob.kappa_hat), "eta": eta, "beta": beta,
            "beta_cor1": beta_cor1, "t_hb": np.arange(hb.nit + 1), "t_gd": np.arange(gd.nit + 1),
            "t_lin": np.arange(lin.nit + 1), **{k: v / v[0] for k, v in norms.items()},
            "pattern_hb": hb.pattern_change, "pattern_gd": gd.pattern_change,
            "diverged": bool(stopped), "diverged_at": min(stopped) if stopped else metrics.NOT_REACHED,
            "message": f"diverges at iteration {min(stopped)}" if stopped else ""}


def draw_relu_explorer(data, fig):
    """Draw :func:`relu_explorer_data` output on ``fig`` (two panels: residuals, pattern changes). Returns the axes."""
    data = _data(data, ("m", "angle_deg", "kappa_hat", "beta", "beta_cor1", "diverged", "diverged_at"))
    if not hasattr(fig, "subplots") or not hasattr(fig, "suptitle"):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    fig.clear()
    ax1, ax2 = fig.subplots(1, 2)
    title = (rf"$m$={data['m']}, angle {data['angle_deg']:.0f}°, $\hat\kappa$={data['kappa_hat']:.1f}, "
             rf"$\beta$={data['beta']:.3f} (Corollary 1: {data['beta_cor1']:.3f})")
    fig.suptitle(title, fontsize=9)
    if data["diverged"]:
        for ax in (ax1, ax2):
            ax.text(0.5, 0.5, f"diverges at iteration {data['diverged_at']}", ha="center", va="center",
                    transform=ax.transAxes, fontsize=8)
            ax.set_xlabel("iteration t")
        return ax1, ax2
    residual_panel(ax1, data, gd_label="gradient descent (same η)", linear_label="heavy ball, linearised")
    plotting.log_axes(ax1, "iteration t", r"$\|[\xi_t;\xi_{t-1}]\|$ (relative)")
    ax1.set_ylim(bottom=1e-12)
    pattern_panel(ax2, data)
    return ax1, ax2


def relu_explorer_summary(data):
    r"""The explorer's quantities of interest, the same labels at every parameter point: :math:`\hat\kappa`,
    the β used, Corollary 1's β and :math:`\sqrt\beta`, the measured rates
    (:func:`accelbook.metrics.measured_rate` over the window 10⁻¹ to 10⁻⁹; "—" when the run does not reach
    the window), the iterations until the stacked norm stays below 10⁻⁸ (-1: not within the run), the final
    pattern changes."""
    data = _data(data, ("kappa_hat", "beta", "beta_cor1", "hb", "gd", "pattern_hb", "pattern_gd"))
    rate = {k: metrics.measured_rate(data[k], start=1e-1, stop=1e-9) for k in ("hb", "gd")}
    rate = {k: float(v) if np.isfinite(v) else "—" for k, v in rate.items()}
    return {"κ̂, condition number of H₀": float(data["kappa_hat"]), "β used": float(data["beta"]),
            "β of Corollary 1": float(data["beta_cor1"]), "sqrt(beta)": float(np.sqrt(data["beta"])),
            "rate, heavy ball": rate["hb"], "rate, gradient descent": rate["gd"],
            "iterations to 1e-8, heavy ball": metrics.iterations_to_tolerance(data["hb"], 1e-8),
            "iterations to 1e-8, gradient descent": metrics.iterations_to_tolerance(data["gd"], 1e-8),
            "patterns changed (%), heavy ball": _last_percent(data["pattern_hb"]),
            "patterns changed (%), gradient descent": _last_percent(data["pattern_gd"])}


def _last_percent(fractions):
    """The last entry of a fraction curve, in per cent ("—" for an empty curve: a run stopped at once)."""
    return float(100 * fractions[-1]) if len(fractions) else "—"


def _compute(m, angle_deg, beta):
    """The explorer's compute: the sliders' values (``beta = 0`` selects Corollary 1's β)."""
    return relu_explorer_data(int(round(m)), angle_deg, None if beta == 0 else beta)


#: The Chapter 3 explorer: width (log scale), input angle, momentum (0: Corollary 1's β). Each ``grid`` is the
#: values the in-page explorer precomputes (4 × 4 × 3 points); the Jupyter sliders move over the whole range.
EXPLORER = Explorer(
    name="relu", title="Heavy ball on a wide ReLU network: residuals and changed activation patterns",
    params=(Param("m", "width m", 30.0, 10 ** 4, 1000.0, 0.25, scale="log", grid=(30, 100, 300, 1000)),
            Param("angle_deg", "angle (°)", 2.0, 90.0, 20.0, 1.0, grid=(10.0, 20.0, 45.0, 90.0)),
            Param("beta", "β (0: Cor. 1)", 0.0, 0.99, 0.0, 0.01, grid=(0.0, 0.8, 0.95))),
    compute=_compute, draw=draw_relu_explorer, summary=relu_explorer_summary, figsize=(9.0, 3.4))

#: What the in-page explorer of Chapter 3 draws (``ab.webexplorer.embed(EXPLORER, WEB)``): the residuals
#: of heavy ball, gradient descent and the linearised model, and the activation-pattern changes.
WEB = WebSpec(
    panels=(
        Panel((Series("hb", method="heavy_ball"), Series("gd", method="gd", label="gradient descent (same η)"),
               Series("linear", style="dotted", color="#000000", label="heavy ball, linearised")),
              ylabel="‖[ξ_t; ξ_t−1]‖ (relative)", ymin=1e-12),
        Panel((Series("pattern_hb", method="heavy_ball", scale=100.0), Series("pattern_gd", method="gd", scale=100.0)),
              ylabel="patterns changed (%)", logy=False),
    ),
    message="message", source="accelbook.relu:EXPLORER")


def relu_explorer_callback(m, angle_deg, beta=None, *, fig=None, n_iter=250, seed=0):
    """Compute and draw one frame of the explorer (:data:`EXPLORER`'s draw); returns the figure (headless).
    Here ``beta=None`` selects Corollary 1's β and any other value is used as given."""
    data = relu_explorer_data(m, angle_deg, beta, n_iter=n_iter, seed=seed)
    if fig is None:
        import matplotlib.pyplot as plt
        fig = plt.figure(figsize=EXPLORER.figsize)
    elif not hasattr(fig, "subplots"):
        raise TypeError(f"fig must be a matplotlib Figure or None, got {type(fig).__name__}")
    EXPLORER.draw(data, fig)
    return fig


def relu_explorer():  # pragma: no cover - needs a live kernel; the frame is tested
    """The live explorer (:meth:`EXPLORER.widget <accelbook.explorer.Explorer.widget>`): sliders for the
    width, the input angle and β (0 selects Corollary 1's β)."""
    return EXPLORER.widget()


def relu_explorer_static(widths, angles_deg, *, n_iter=400, seed=0, fig=None):
    """The static companion of the explorer: one panel per (angle, width), heavy ball with Corollary 1's β
    against gradient descent and the linearised heavy-ball model (the explorer's data and residual panel).
    Returns the figure."""
    widths = int_sequence("widths", widths, lo=1)
    angles_deg = real_sequence("angles_deg", angles_deg, lo=0.0, hi=90.0, lo_open=True)
    n_iter = int_scalar("n_iter", n_iter, lo=1)
    if fig is None:
        import matplotlib.pyplot as plt
        fig = plt.figure(figsize=(3.0 * len(widths), 2.6 * len(angles_deg)))
    elif not hasattr(fig, "subplots"):
        raise TypeError(f"fig must be a matplotlib Figure or None, got {type(fig).__name__}")
    axes = np.atleast_2d(fig.subplots(len(angles_deg), len(widths), sharey=True, squeeze=False))
    for i, angle in enumerate(angles_deg):
        for j, m in enumerate(widths):
            d = relu_explorer_data(m, angle, n_iter=n_iter, seed=seed)
            ax = residual_panel(axes[i, j], d)
            ax.set_ylim(1e-12, 10)
            ax.set_title(rf"angle {angle:.0f}°, $m$={m}, $\hat\kappa$={d['kappa_hat']:.0f}", fontsize=8)
            if i == len(angles_deg) - 1:
                ax.set_xlabel("iteration t")
            if j == 0:
                ax.set_ylabel(r"$\|[\xi_t;\xi_{t-1}]\|$ (rel.)")
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    return fig
