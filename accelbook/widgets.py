r"""Interactive explorers.  Each has a pure, headless-testable callback (compute + draw on a given
figure) and a thin ipywidgets wrapper for Jupyter/Binder; the book shows a static figure.

Chapter 1 explorer: heavy ball on a diagonal quadratic with ``n`` log-spaced eigenvalues in
:math:`[1, \kappa]`, step :math:`\eta = c/L`, momentum β.  The explorer shows the total error
:math:`\|w_t - w_*\|` (with gradient descent at the same η and, when β satisfies Theorem 5's
condition, the Theorem 7 bound) and the error along each eigendirection.
"""

from __future__ import annotations

import numpy as np

from . import plotting, theory
from ._validation import int_scalar, real_scalar
from .quadratic import eigen_errors, spectrum

__all__ = ["draw_frame", "live_explorer", "heavy_ball_explorer_data", "draw_heavy_ball_explorer", "heavy_ball_explorer_callback",
           "heavy_ball_explorer", "heavy_ball_explorer_static", "lrp_explorer_data", "draw_lrp_explorer",
           "lrp_explorer_callback", "lrp_explorer", "lrp_outcome_map"]


# ---------------------------------------------------------------- shared by every explorer
def draw_frame(draw, data, fig=None, *, figsize=(9, 3.4)):
    """Draw one explorer frame: ``draw(data, fig)`` on ``fig`` (a new figure when None); returns the figure."""
    import matplotlib.pyplot as plt
    if fig is None:
        fig = plt.figure(figsize=figsize)
    draw(data, fig)
    return fig


def live_explorer(frame, *, manual=False, **sliders):  # pragma: no cover - needs a live kernel
    """An ipywidgets explorer: moving a slider calls ``frame(**values)``, which returns a figure, and shows it.
    ``manual=True`` adds a Run button instead of redrawing on every move (for slow frames)."""
    import ipywidgets as W
    import matplotlib.pyplot as plt
    from IPython.display import display

    def show(**values):
        fig = frame(**values)
        display(fig)
        plt.close(fig)

    options = ({"manual": True, "manual_name": "Run"},) if manual else ()
    return W.interactive(show, *options, **sliders)


def heavy_ball_explorer_data(eta_L, beta, kappa, *, n=6, t_max=150):
    """Everything the Chapter 1 explorer draws, as a dict of arrays.

    Parameters
    ----------
    eta_L : float
        Step size in units of 1/L (``eta = eta_L / L``), ``0 < eta_L <= 4``.
    beta : float
        Momentum, ``0 <= beta < 1``.
    kappa : float
        Condition number, ``kappa >= 1``.
    """
    eta_L = real_scalar("eta_L", eta_L, lo=0.0, lo_open=True, hi=4.0)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    kappa = real_scalar("kappa", kappa, lo=1.0)
    n = int_scalar("n", n, lo=2)
    t_max = int_scalar("t_max", t_max, lo=1)
    lam = spectrum(n, kappa)
    eta = eta_L / lam[-1]
    z = eta * lam
    t = np.arange(t_max + 1)
    e0 = np.full(n, 1.0 / np.sqrt(n))
    out = {"t": t, "lam": lam, "eta": eta, "beta": beta, "kappa": kappa, "rho": theory.spectral_radius(np.diag(lam), eta, beta)}
    with np.errstate(over="ignore", invalid="ignore"):
        diverged = out["rho"] > 1.0
        try:
            per_dir = eigen_errors(z, beta, e0, t_max)
            gd = eigen_errors(z, 0.0, e0, t_max)
        except FloatingPointError:
            per_dir = gd = None
            diverged = True
    out["diverged"] = bool(diverged)
    out["per_direction"] = None if per_dir is None else np.abs(per_dir)
    out["error"] = None if per_dir is None else np.linalg.norm(per_dir, axis=1)
    out["gd_error"] = None if gd is None else np.linalg.norm(gd, axis=1)
    try:
        out["bound"] = theory.theorem7_bound(np.diag(lam), eta, beta, t) * np.sqrt(2.0)  # ||[e0; e0]|| = sqrt(2)
    except ValueError:
        out["bound"] = None
    return out


def draw_heavy_ball_explorer(data, fig):
    """Draw :func:`heavy_ball_explorer_data` output on ``fig`` (two panels). Returns the axes."""
    fig.clear()
    ax1, ax2 = fig.subplots(1, 2)
    t = data["t"]
    title = rf"$\kappa$={data['kappa']:.0f}, $\eta L$={data['eta'] * data['lam'][-1]:.2f}, $\beta$={data['beta']:.3f}, $\rho(A)$={data['rho']:.4f}"
    if data["error"] is None or not np.all(np.isfinite(data["error"])) or data["diverged"]:
        for ax in (ax1, ax2):
            ax.text(0.5, 0.5, f"diverges: rho(A) = {data['rho']:.3f} > 1", ha="center", va="center",
                    transform=ax.transAxes)
            ax.set_xlabel("iteration t")
        fig.suptitle(title, fontsize=9)
        return ax1, ax2
    plotting.method_line(ax1, t, data["error"], "heavy_ball")
    plotting.method_line(ax1, t, data["gd_error"], "gd", label="gradient descent (same η)")
    if data["bound"] is not None:
        plotting.bound_line(ax1, t, data["bound"], label="Theorem 7 bound")
    plotting.log_axes(ax1, "iteration t", r"$\|w_t - w_*\|$")
    for i, lam in enumerate(data["lam"]):
        ax2.plot(t, np.maximum(data["per_direction"][:, i], 1e-300), label=rf"$\lambda$={lam:.3g}")
    plotting.log_axes(ax2, "iteration t", r"$|e_{t,i}|$ per eigendirection")
    ax2.legend(fontsize=7, ncol=2)
    fig.suptitle(title, fontsize=9)
    return ax1, ax2


def heavy_ball_explorer_callback(eta_L, beta, kappa, *, fig=None):
    """Compute and draw one frame of the explorer; returns the figure (works without a display)."""
    return draw_frame(draw_heavy_ball_explorer, heavy_ball_explorer_data(eta_L, beta, kappa), fig)


def heavy_ball_explorer():  # pragma: no cover - needs a live kernel; the callback is tested
    """The live explorer (ipywidgets sliders for η·L, β and κ)."""
    import ipywidgets as W
    return live_explorer(
        lambda eta_L, beta, log10_kappa: heavy_ball_explorer_callback(eta_L, beta, 10 ** log10_kappa),
        eta_L=W.FloatSlider(value=1.0, min=0.05, max=2.5, step=0.05, description="η·L"),
        beta=W.FloatSlider(value=0.8, min=0.0, max=0.99, step=0.01, description="β"),
        log10_kappa=W.FloatSlider(value=2.0, min=0.0, max=4.0, step=0.25, description="log₁₀ κ"),
    )


def heavy_ball_explorer_static(betas, kappa, *, eta_L=1.0, t_max=150, fig=None):
    """The static companion of the explorer: total error for several β at fixed κ and η = eta_L/L,
    with gradient descent (β = 0) for reference. Returns the figure."""
    import matplotlib.pyplot as plt
    betas = [real_scalar("betas[i]", b, lo=0.0, hi=1.0, hi_open=True) for b in betas]
    if not betas:
        raise ValueError("betas must not be empty")
    if fig is None:
        fig = plt.figure(figsize=(6.4, 3.6))
    ax = fig.subplots()
    for beta in betas:
        d = heavy_ball_explorer_data(eta_L, beta, kappa, t_max=t_max)
        if d["diverged"]:
            continue
        if beta == 0.0:
            plotting.method_line(ax, d["t"], d["error"], "gd", label=r"gradient descent ($\beta$=0)")
        else:
            ax.plot(d["t"], d["error"], label=rf"$\beta$={beta:.3f}, $\rho$={d['rho']:.3f}")
    plotting.log_axes(ax, "iteration t", r"$\|w_t - w_*\|$")
    ax.legend(fontsize=8)
    return fig


# ---------------------------------------------------------------- Chapter 2: the counterexample
def lrp_explorer_data(x0, beta, *, eta=1 / 9, n_iter=80):
    """Heavy ball on the Lessard–Recht–Packard function from ``x0`` with momentum ``beta``: the
    trajectory, its gaps f(x_t) − f*, the outcome (1 converges, p ≥ 2 cycle of period p, −1 diverges,
    0 none of these; judged on a long run) and gradient descent with step 1/L from the same start."""
    from . import convex
    x0 = real_scalar("x0", x0)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    n_iter = int_scalar("n_iter", n_iter, lo=1)
    with np.errstate(over="ignore", invalid="ignore"):
        x = convex.lrp_heavy_ball(x0, eta, beta, n_iter)
        gap = np.where(np.isfinite(x), convex.lrp_function(np.where(np.isfinite(x), x, 0.0)), np.inf)
    outcome = int(convex.classify_lrp_starts(np.array([x0]), beta=beta, eta=eta)[0])
    gd = convex.lrp_heavy_ball(x0, 1 / convex.LRP_L, 0.0, n_iter)
    return {"t": np.arange(n_iter + 1), "x": x, "gap": gap, "gd_gap": convex.lrp_function(gd),
            "outcome": outcome, "x0": x0, "beta": beta, "eta": eta}


def draw_lrp_explorer(data, fig):
    """Two panels: the function with the iterates on it, and f(x_t) − f* against t (log scale)."""
    from . import convex
    fig.clear()
    ax1, ax2 = fig.subplots(1, 2)
    grid = np.linspace(-3, 4, 400)
    ax1.plot(grid, convex.lrp_function(grid), color=plotting.COLORS["bound"], lw=1)
    ax1.plot(data["x"][-30:], convex.lrp_function(data["x"][-30:]), "o", color=plotting.COLORS["heavy_ball"],
             ms=4, label="last 30 iterates")
    ax1.set(xlabel="x", ylabel="f(x)")
    ax1.legend(fontsize=8)
    floor = 1e-30
    plotting.method_line(ax2, data["t"], np.maximum(data["gap"], floor), "heavy_ball")
    plotting.method_line(ax2, data["t"], np.maximum(data["gd_gap"], floor), "gd", label="gradient descent, η = 1/L")
    plotting.log_axes(ax2, "iteration t", r"$f(x_t) - f^*$")
    verdict = {-1: "diverges", 0: "bounded, no limit or short cycle", 1: "converges"}.get(data["outcome"],
                                                                       f"cycle of period {data['outcome']}")
    fig.suptitle(rf"$x_0$ = {data['x0']:.2f}, $\beta$ = {data['beta']:.3f}, $\eta$ = {data['eta']:.3f}: {verdict}",
                 fontsize=9)
    return ax1, ax2


def lrp_explorer_callback(x0, beta, *, eta=1 / 9, fig=None):
    """Compute and draw one frame of the Chapter 2 explorer; returns the figure."""
    return draw_frame(draw_lrp_explorer, lrp_explorer_data(x0, beta, eta=eta), fig)


def lrp_explorer():  # pragma: no cover - needs a live kernel; the callback is tested
    """Live explorer: sliders for the start x0 and the momentum β (η = 1/9, Polyak's step)."""
    import ipywidgets as W
    return live_explorer(lrp_explorer_callback,
                         x0=W.FloatSlider(value=3.3, min=-5, max=5, step=0.05, description="x₀"),
                         beta=W.FloatSlider(value=4 / 9, min=0.0, max=0.95, step=0.01, description="β"))


def lrp_outcome_map(x0_grid, beta_grid, *, eta=1 / 9, n_iter=2000):
    """Outcome of heavy ball on the counterexample over a grid of starts (columns) and momenta (rows),
    as one batched run; see :func:`accelbook.convex.classify_lrp_starts`."""
    from . import convex
    x0_grid = np.asarray(x0_grid, dtype=np.float64)
    beta_grid = np.asarray(beta_grid, dtype=np.float64)
    if x0_grid.ndim != 1 or beta_grid.ndim != 1:
        raise ValueError("x0_grid and beta_grid must be 1-dimensional")
    return convex.classify_lrp_starts(x0_grid[None, :], beta=beta_grid[:, None], eta=eta, n_iter=n_iter)
