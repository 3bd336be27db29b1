r"""The explorers of Chapters 1 and 2, as :class:`accelbook.explorer.Explorer` definitions.

Each explorer is one definition (parameters, ``compute``, ``draw``, ``summary``) shared by every front end:
the ipywidgets sliders of Jupyter/Binder (:meth:`~accelbook.explorer.Explorer.widget`), headless frames
(:meth:`~accelbook.explorer.Explorer.frame`, the book's static figures and the tests) and the in-page HTML
explorer (:mod:`accelbook.webexplorer`).

:data:`HEAVY_BALL` (Chapter 1): heavy ball on a diagonal quadratic with ``n`` log-spaced eigenvalues in
:math:`[1, \kappa]`, step :math:`\eta = c/L`, momentum β: the total error :math:`\|w_t - w_*\|` (with
gradient descent at the same η and, when β satisfies Theorem 5's condition, the Theorem 7 bound) and the
error along each eigendirection.  Its in-page version recomputes the 2×2 blocks in JavaScript
(``_ext/web/mirrors.js``, checked against :func:`heavy_ball_explorer_data` with node).

:data:`LRP` (Chapter 2): heavy ball on the Lessard–Recht–Packard counterexample from a start ``x0`` with
momentum β (η = 1/9): the iterates on the graph of f, the gap against t, the outcome of a long run.
"""

from __future__ import annotations

import numpy as np

from collections.abc import Mapping

from . import plotting, theory
from ._validation import callable_arg, finite_array, flag, instance_of, int_scalar, real_scalar, shown
from .explorer import Explorer, Param
from .quadratic import eigen_errors, iterations_to_tolerance, spectrum

__all__ = ["draw_frame", "live_explorer", "HEAVY_BALL", "LRP", "heavy_ball_explorer_data", "heavy_ball_summary",
           "draw_heavy_ball_explorer", "heavy_ball_explorer_callback", "heavy_ball_explorer",
           "heavy_ball_explorer_static", "lrp_explorer_data", "lrp_explorer_batch", "lrp_summary",
           "draw_lrp_explorer", "lrp_explorer_callback", "lrp_explorer", "lrp_outcome_map"]

#: the tolerance of the explorers' "iterations to tolerance" (relative to the start)
TOL = 1e-6
#: the most iterations the Chapter 1 summary runs to find the count (mirrored in JavaScript)
COUNT_MAX = 20_000
COUNT_CHUNK = 256  # the count holds once the error has stayed below for this many iterations (mirrored in JS)


# ---------------------------------------------------------------- shared by every explorer
def _figure(fig, optional=True):
    """``fig`` after checking it is a matplotlib figure (or None when ``optional``)."""
    if fig is not None or not optional:
        from matplotlib.figure import Figure
        instance_of("fig", fig, Figure)
    return fig


def _data(data, keys):
    """``data`` after checking it is a dict with ``keys`` (an explorer's compute output)."""
    instance_of("data", data, Mapping)
    missing = [k for k in keys if k not in data]
    if missing:
        raise ValueError(f"data must be an explorer's data, with keys {', '.join(keys)}; missing {missing}")
    return data


def draw_frame(draw, data, fig=None, *, figsize=(9, 3.4)):
    """Draw one explorer frame: ``draw(data, fig)`` on ``fig`` (a new figure when None); returns the figure."""
    import matplotlib.pyplot as plt
    callable_arg("draw", draw, "draw(data, fig)")
    if (not isinstance(figsize, (tuple, list)) or len(figsize) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < 100 for v in figsize)):
        raise ValueError(f"figsize must be (width, height) in inches, got {shown(figsize)}")
    if fig is None:
        fig = plt.figure(figsize=figsize)
    draw(data, _figure(fig))
    return fig


def live_explorer(frame, *, manual=False, **sliders):  # pragma: no cover - needs a live kernel
    """An ipywidgets explorer: moving a slider calls ``frame(**values)``, which returns a figure, and shows it.
    ``manual=True`` adds a Run button instead of redrawing on every move (for slow frames)."""
    import ipywidgets as W
    import matplotlib.pyplot as plt
    from IPython.display import display
    callable_arg("frame", frame, "frame(**values) -> figure")
    flag("manual", manual)

    def show(**values):
        fig = frame(**values)
        display(fig)
        plt.close(fig)

    options = ({"manual": True, "manual_name": "Run"},) if manual else ()
    return W.interactive(show, *options, **sliders)


# ---------------------------------------------------------------- Chapter 1: heavy ball on a quadratic
#: a diverging run stops before its first error component beyond this (norms stay finite)
GROWTH_CAP = 1e100


def _finite_errors(z, beta, e0, t_max):
    """:func:`accelbook.quadratic.eigen_errors` (which stops, flagged ``diverged``, before a step that overflows),
    cut before the first iterate with a component beyond :data:`GROWTH_CAP`, so that the norms of the rows
    are finite too (a diverging run stops; only finite values are returned)."""
    rows = eigen_errors(z, beta, e0, t_max).errors
    big = np.flatnonzero(np.max(np.abs(rows), axis=1) > GROWTH_CAP)
    return rows if big.size == 0 else rows[:big[0]]


def heavy_ball_explorer_data(eta_L, beta, kappa, *, n=6, t_max=150):
    """Everything the Chapter 1 explorer draws, as a dict of finite arrays and scalars.

    Parameters
    ----------
    eta_L : float
        Step size in units of 1/L (``eta = eta_L / L``), ``0 < eta_L <= 4``.
    beta : float
        Momentum, ``0 <= beta < 1``.
    kappa : float
        Condition number, ``kappa >= 1``.
    n : int
        Number of eigenvalues (log-spaced in ``[1, kappa]``); the start has weight ``1/sqrt(n)`` on each.
    t_max : int
        Iterations shown.  A run that overflows stops earlier (``diverged`` is then True); ``error``,
        ``gd_error`` and ``per_direction`` are the finite prefix, ``t`` its iterations.

    Returns
    -------
    dict
        ``t``, ``lam``, ``eta``, ``beta``, ``kappa``, ``rho`` (ρ(A), Theorem 2's rate), ``gd_rate``,
        ``diverged``, ``per_direction`` (|e_{t,i}|), ``error``, ``gd_error``, ``bound`` (Theorem 7 of
        Wang et al. for the stacked error, None outside Theorem 5's condition), ``lower`` (the open lower end
        of Theorem 5's condition on β), ``c0`` (Theorem 5's sharp constant, None outside),
        ``iters_hb`` / ``iters_gd`` (the first t from which ``error <= TOL * error[0]`` holds for good, within ``COUNT_MAX``
        iterations, -1 otherwise) and ``message`` ("" or why nothing is drawn).
    """
    eta_L = real_scalar("eta_L", eta_L, lo=0.0, lo_open=True, hi=4.0)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    kappa = real_scalar("kappa", kappa, lo=1.0)
    n = int_scalar("n", n, lo=2)
    t_max = int_scalar("t_max", t_max, lo=1)
    lam = spectrum(n, kappa)
    H = np.diag(lam)
    eta = eta_L / lam[-1]
    z = eta * lam
    e0 = np.full(n, 1.0 / np.sqrt(n))
    rho = theory.spectral_radius(H, eta, beta)
    gd_rate = float(np.max(np.abs(1.0 - z)))
    per_dir, gd = _finite_errors(z, beta, e0, t_max), _finite_errors(z, 0.0, e0, t_max)
    k = min(len(per_dir), len(gd))
    out = {"t": np.arange(k), "lam": lam, "eta": eta, "beta": beta, "kappa": kappa, "rho": rho, "gd_rate": gd_rate,
           "diverged": bool(rho > 1.0 or k < t_max + 1), "per_direction": np.abs(per_dir[:k]),
           "error": np.linalg.norm(per_dir[:k], axis=1), "gd_error": np.linalg.norm(gd[:k], axis=1)}
    out["lower"] = theory.admissible_beta_bounds(H, eta)[0]
    try:
        out["c0"] = theory.theorem5_constant(H, eta, beta)
        out["bound"] = theory.theorem7_bound(H, eta, beta, out["t"]) * np.sqrt(2.0)  # ||[e0; e0]|| = sqrt(2)
    except ValueError:
        out["c0"] = out["bound"] = None
    counts = np.full(2, -1)
    stable = np.array([rho < 1.0, gd_rate < 1.0])
    if stable.any():
        counts[stable] = iterations_to_tolerance(np.stack([lam, lam])[stable], eta, np.array([beta, 0.0])[stable],
                                                 TOL, t_max=COUNT_MAX, chunk=COUNT_CHUNK)
    out["iters_hb"], out["iters_gd"] = int(counts[0]), int(counts[1])
    out["message"] = f"diverges: ρ(A) = {rho:.4g} > 1" if out["diverged"] else ""
    return out


def _count(k, rate):
    if rate >= 1.0:
        return "never: the rate is >= 1"
    return str(k) if k >= 0 else f"more than {COUNT_MAX}"


def _condition(holds, lower):
    if lower >= 1.0:
        return "fails: no β satisfies it for this η"
    return ("holds:" if holds else "fails: needs") + f" {lower:.4g} < β ≤ 1"


_HB_KEYS = ("rho", "gd_rate", "c0", "lower", "iters_hb", "iters_gd")


def heavy_ball_summary(data):
    """The quantities the Chapter 1 explorer shows as text (labels -> values)."""
    _data(data, _HB_KEYS)
    return {
        "ρ(A), heavy ball's rate": f"{data['rho']:.6f}",
        "gradient descent's rate at the same η": f"{data['gd_rate']:.6f}",
        "condition of Theorem 5 of Wang et al.": _condition(data["c0"] is not None, data["lower"]),
        "its constant C₀ (sharp)": "—" if data["c0"] is None else f"{data['c0']:.4g}",
        "iterations to 10⁻⁶, heavy ball": _count(data["iters_hb"], data["rho"]),
        "iterations to 10⁻⁶, gradient descent": _count(data["iters_gd"], data["gd_rate"]),
    }


def draw_heavy_ball_explorer(data, fig):
    """Draw :func:`heavy_ball_explorer_data` output on ``fig`` (two panels). Returns the axes."""
    _data(data, ("t", "lam", "eta", "beta", "kappa", "rho", "diverged", "error", "gd_error", "bound", "per_direction"))
    _figure(fig, optional=False)
    fig.clear()
    ax1, ax2 = fig.subplots(1, 2)
    t = data["t"]
    title = rf"$\kappa$={data['kappa']:.0f}, $\eta L$={data['eta'] * data['lam'][-1]:.2f}, $\beta$={data['beta']:.3f}, $\rho(A)$={data['rho']:.4f}"
    if data["diverged"]:
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


HEAVY_BALL = Explorer(
    "heavy_ball", "Heavy ball on a quadratic: error against iteration",
    (Param("eta_L", "η·L", 0.05, 2.5, 1.0, 0.01),
     Param("beta", "β", 0.0, 0.999, 0.8, 0.001),
     Param("kappa", "κ", 1.0, 1e4, 100.0, 0.02, scale="log")),
    compute=heavy_ball_explorer_data, draw=draw_heavy_ball_explorer, summary=heavy_ball_summary)


def heavy_ball_explorer_callback(eta_L, beta, kappa, *, fig=None):
    """Compute and draw one frame of the explorer; returns the figure (works without a display)."""
    return draw_frame(draw_heavy_ball_explorer, heavy_ball_explorer_data(eta_L, beta, kappa), fig)


def heavy_ball_explorer():  # pragma: no cover - needs a live kernel; the callback is tested
    """The live explorer (ipywidgets sliders for η·L, β and κ): ``HEAVY_BALL.widget()``."""
    return HEAVY_BALL.widget()


def heavy_ball_explorer_static(betas, kappa, *, eta_L=1.0, t_max=150, fig=None):
    """The static companion of the explorer: total error for several β at fixed κ and η = eta_L/L,
    with gradient descent (β = 0) for reference. Returns the figure."""
    import matplotlib.pyplot as plt
    fig = _figure(fig)
    if isinstance(betas, str) or not hasattr(betas, "__iter__"):
        raise TypeError(f"betas must be a list of momenta, got {shown(betas)}")
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
#: |x_t| beyond this counts as divergence (as in accelbook.convex.classify_lrp_starts)
LRP_DIVERGED = 1e6
_VERDICTS = {-1: "diverges", 0: "bounded, no limit or short cycle", 1: "converges"}


def lrp_explorer_batch(x0, beta, *, eta=1 / 9, n_iter=80):
    """:func:`lrp_explorer_data` at many points at once: ``x0`` and ``beta`` are 1-d arrays of equal length
    (one entry per point); every run of every point advances together.  Returns a list of dicts."""
    from . import convex
    x0 = finite_array("x0", x0, ndim=1)
    if x0.size == 0:
        raise ValueError("x0 must not be empty")
    beta = finite_array("beta", beta, shape=x0.shape)
    if np.any(beta < 0) or np.any(beta >= 1):
        raise ValueError(f"beta must be in [0, 1), got values from {beta.min():g} to {beta.max():g}")
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    n_iter = int_scalar("n_iter", n_iter, lo=1)
    x = convex.lrp_heavy_ball(x0, eta, beta, n_iter)
    outcome = convex.classify_lrp_starts(x0, beta=beta, eta=eta)
    gd_gap = convex.lrp_function(convex.lrp_heavy_ball(x0, 1 / convex.LRP_L, 0.0, n_iter))
    out = []
    for i in range(x0.size):
        big = np.flatnonzero(~(np.abs(x[:, i]) <= LRP_DIVERGED))
        k = n_iter + 1 if big.size == 0 else big[0] + 1      # a diverging run stops after its first |x| > 1e6
        xi = x[:k, i]
        out.append({"t": np.arange(k), "x": xi, "gap": convex.lrp_function(xi), "gd_gap": gd_gap[:, i],
                    "outcome": int(outcome[i]), "diverged": bool(big.size), "x0": float(x0[i]),
                    "beta": float(beta[i]), "eta": eta})
    return out


def lrp_explorer_data(x0, beta, *, eta=1 / 9, n_iter=80):
    """Heavy ball on the Lessard–Recht–Packard function from ``x0`` with momentum ``beta``: the
    trajectory ``x`` and its gaps f(x_t) − f* (``gap``), the outcome (1 converges, p ≥ 2 cycle of period p,
    −1 diverges, 0 none of these; judged on a 2000-iteration run) and gradient descent with step 1/L from
    the same start (``gd_gap``).  A run whose iterate leaves [−1e6, 1e6] stops there (``diverged``): only
    finite values are returned."""
    x0 = real_scalar("x0", x0)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    return lrp_explorer_batch(np.array([x0]), np.array([beta]), eta=eta, n_iter=n_iter)[0]


def _verdict(outcome):
    return _VERDICTS.get(outcome, f"cycle of period {outcome}")


def lrp_summary(data):
    """The quantities the Chapter 2 explorer shows as text (labels -> values)."""
    _data(data, ("outcome", "t", "gap", "gd_gap"))
    return {"outcome (judged on 2000 iterations)": _verdict(data["outcome"]),
            "last iterate T shown": int(data["t"][-1]),
            "f(x_T) − f*, heavy ball": float(data["gap"][-1]),
            "f(x_T) − f*, gradient descent (η = 1/L)": float(data["gd_gap"][data["t"][-1]])}


def draw_lrp_explorer(data, fig):
    """Two panels: the function with the iterates on it, and f(x_t) − f* against t (log scale)."""
    from . import convex
    _data(data, ("x", "t", "gap", "gd_gap", "x0", "beta", "eta", "outcome"))
    _figure(fig, optional=False)
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
    plotting.method_line(ax2, np.arange(len(data["gd_gap"])), np.maximum(data["gd_gap"], floor), "gd",
                         label="gradient descent, η = 1/L")
    plotting.log_axes(ax2, "iteration t", r"$f(x_t) - f^*$")
    fig.suptitle(rf"$x_0$ = {data['x0']:.2f}, $\beta$ = {data['beta']:.3f}, $\eta$ = {data['eta']:.3f}: "
                 f"{_verdict(data['outcome'])}", fontsize=9)
    return ax1, ax2


LRP = Explorer(
    "lrp", "Heavy ball on the Lessard–Recht–Packard function",
    (Param("x0", "x₀", -5.0, 5.0, 3.3, 0.05, grid=tuple(np.round(np.linspace(-5.0, 5.0, 101), 10))),
     Param("beta", "β", 0.0, 0.95, 4 / 9, 0.01,
           grid=tuple(sorted({*np.round(np.linspace(0.0, 0.94, 48), 10), 4 / 9})))),
    compute=lambda x0, beta: lrp_explorer_data(x0, beta), draw=draw_lrp_explorer, summary=lrp_summary,
    batch=lambda x0, beta: lrp_explorer_batch(x0, beta))


def lrp_explorer_callback(x0, beta, *, eta=1 / 9, fig=None):
    """Compute and draw one frame of the Chapter 2 explorer; returns the figure."""
    return draw_frame(draw_lrp_explorer, lrp_explorer_data(x0, beta, eta=eta), fig)


def lrp_explorer():  # pragma: no cover - needs a live kernel; the callback is tested
    """Live explorer: sliders for the start x0 and the momentum β (η = 1/9, Polyak's step): ``LRP.widget()``."""
    return LRP.widget()


def lrp_outcome_map(x0_grid, beta_grid, *, eta=1 / 9, n_iter=2000):
    """Outcome of heavy ball on the counterexample over a grid of starts (columns) and momenta (rows),
    as one batched run; see :func:`accelbook.convex.classify_lrp_starts`."""
    from . import convex
    x0_grid = finite_array("x0_grid", x0_grid, ndim=1)
    beta_grid = finite_array("beta_grid", beta_grid, ndim=1)
    for name, grid in (("x0_grid", x0_grid), ("beta_grid", beta_grid)):
        if grid.size == 0:
            raise ValueError(f"{name} must not be empty")
    if np.any(beta_grid < 0) or np.any(beta_grid >= 1):
        raise ValueError(f"beta_grid must lie in [0, 1), got values from {beta_grid.min():g} to {beta_grid.max():g}")
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    n_iter = int_scalar("n_iter", n_iter, lo=250)  # detect_cycle reads the last 250 iterates
    return convex.classify_lrp_starts(x0_grid[None, :], beta=beta_grid[:, None], eta=eta, n_iter=n_iter)
