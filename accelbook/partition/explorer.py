r"""The κ explorer of Chapter 5: gradient descent and Nesterov on one additive instance with condition number κ
and coupling :math:`\sigma_{\max}(A_2)`, run to the explainer's target :math:`f_k/f_0 \le 10^{-2}`.

:data:`EXPLORER` is the one definition (parameters, compute, draw, summary) behind every front end: the
ipywidgets sliders and the in-page explorer, ``ab.webexplorer.embed(EXPLORER, WEB)``, precomputed on the
parameters' ``grid`` (:data:`WEB` says what the page draws). The old names stay:
:func:`partition_explorer_callback` is ``EXPLORER.frame``, :func:`partition_explorer` is ``EXPLORER.widget()``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .. import plotting
from .._validation import instance_of, int_scalar, real_array, real_scalar
from ..explorer import Explorer, Param
from ..webexplorer import Panel, Series, WebSpec
from .defaults import DEFAULTS
from .model import make_additive
from .theory import _c, conditions_hold, method_parameters, theorem_conditions
from .training import iterations_to_tol, train

__all__ = ["EXPLORER", "WEB", "partition_explorer_data", "draw_partition_explorer", "partition_explorer_callback",
           "partition_explorer", "partition_explorer_static"]


def partition_explorer_data(kappa, sigma_A2=None, *, c=None, tol=None, seed=0, max_iter=100_000):
    r"""What the κ explorer draws: relative loss of GD and Nesterov on one additive instance with
    condition number κ, and the iteration from which each stays below ``tol``.

    Returns a dict with ``kappa``, ``sigma_A2``, ``tol``, ``c``, and per method ``"losses_<m>"`` (finite; the
    accepted prefix of a diverged run), ``"hit_<m>"`` (-1 if not reached) and ``"diverged_<m>"``, plus
    ``"ratio"`` = GD's iterations over Nesterov's (-1 when either is not reached), and the instance's constants
    ``"mu"``, ``"L1"``, ``"G1"``, ``"G2"`` (the explorer's summary evaluates the theorems' conditions from them).
    For drawing: ``"hit_t_<m>"`` and ``"hit_y_<m>"``, the first iterate below the target as one-point arrays
    (iteration, relative loss; None when not reached), and ``"target"``, ``tol`` over the longer run.
    """
    kappa = real_scalar("kappa", kappa, lo=1.0)
    sigma_A2 = DEFAULTS.sigma_regimes[0] if sigma_A2 is None else real_scalar("sigma_A2", sigma_A2, lo=0.0)
    c = DEFAULTS.c if c is None else _c(c)
    tol = DEFAULTS.tol_explorer if tol is None else real_scalar("tol", tol, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    seed = int_scalar("seed", seed, lo=0)
    max_iter = int_scalar("max_iter", max_iter, lo=1)
    model, w0 = make_additive(kappa, sigma_A2, n_trials=1, seed=seed)
    out = {"kappa": kappa, "sigma_A2": sigma_A2, "tol": tol, "c": c}
    for m in ("gd", "nesterov"):
        eta, beta = method_parameters(m, kappa, float(model.L1[0]), c)
        run = train(model, w0, m, max_iter, eta=eta, beta=beta, tol=tol, block_steps=False)
        out[f"losses_{m}"] = run.relative_losses[:, 0]
        out[f"hit_{m}"] = int(iterations_to_tol(run.relative_losses, tol)[0])
        out[f"diverged_{m}"] = bool(run.result.diverged)
        k, y = out[f"hit_{m}"], out[f"losses_{m}"]
        out[f"hit_t_{m}"], out[f"hit_y_{m}"] = (np.array([k]), y[[k]]) if k >= 0 else (None, None)
    out["ratio"] = out["hit_gd"] / out["hit_nesterov"] if min(out["hit_gd"], out["hit_nesterov"]) > 0 else -1.0
    out["target"] = np.full(max(len(out["losses_gd"]), len(out["losses_nesterov"])), tol)
    out.update(mu=float(model.mu[0]), L1=float(model.L1[0]), G1=float(model.G1[0]), G2=float(model.G2[0]))
    return out


def _draw_explorer_axis(ax, data, *, title=True):
    for m in ("gd", "nesterov"):
        y = data[f"losses_{m}"]
        plotting.method_line(ax, np.arange(y.size), y, m)
        k = data[f"hit_{m}"]
        if k >= 0:
            ax.plot([k], [y[k]], "o", color=plotting.COLORS[m], markersize=8, zorder=5)
    ax.axhline(data["tol"], color=plotting.COLORS["bound"], ls="--", lw=1, label=f"target {data['tol']:g}")
    plotting.log_axes(ax, "iteration k", r"$(f_k - f^\star)/(f_0 - f^\star)$")
    ax.set_ylim(max(data["tol"] / 100, 1e-8), 2.0)
    if title:
        ratio = f"{data['ratio']:.1f}" if data["ratio"] > 0 else "n/a"
        ax.set_title(rf"$\kappa$={data['kappa']:.0f}: GD {data['hit_gd']}, Nesterov {data['hit_nesterov']} "
                     f"(ratio {ratio})", fontsize=9)
    return ax


def draw_partition_explorer(data, fig):
    """Draw :func:`partition_explorer_data` output on ``fig`` (one log panel). Returns the axis."""
    if not isinstance(data, dict) or "losses_gd" not in data:
        raise TypeError("data must be the dict returned by partition_explorer_data")
    fig = instance_of("fig", fig, Figure)
    fig.clear()
    ax = _draw_explorer_axis(fig.subplots(), data)
    fig.suptitle(rf"additive model, $\sigma_{{\max}}(A_2)$={data['sigma_A2']:g}, $\eta=c/L_1$, c={data['c']:g}",
                 fontsize=9)
    return ax


def _conditions(data):
    """Whether the instance meets the smallness conditions of Theorems 6 and 7, every hidden constant = 1 (an
    assumption; :func:`theorem_conditions`)."""
    ratios = theorem_conditions(data["mu"], data["L1"], 1.0, data["G1"], data["G2"], 1.0, c=data["c"])["ratios"]
    return {thm: bool(conditions_hold(ratios, keys)) for thm, keys in
            (("thm6", ["thm6_G1"]), ("thm7", ["thm7_G1", "thm7_G1G2"]))}


def _summary(data):
    """The explorer's quantities of interest, the same labels at every parameter point: the iterations to the
    target ("not reached" within the run), their ratio ("—" unless both reached), whether a run diverged and
    whether the theorems' conditions hold (constants 1)."""
    holds = _conditions(data)
    count = lambda k: int(k) if k >= 0 else "not reached"  # noqa: E731
    return {"GD iterations to the target": count(data["hit_gd"]),
            "Nesterov iterations to the target": count(data["hit_nesterov"]),
            "ratio GD / Nesterov": round(float(data["ratio"]), 2) if data["ratio"] > 0 else "—",
            "a run diverged": bool(data["diverged_gd"] or data["diverged_nesterov"]),
            "Theorem 6's conditions hold (constants 1)": holds["thm6"],
            "Theorem 7's conditions hold (constants 1)": holds["thm7"]}


def _compute(kappa, sigma_A2):
    """The explorer's compute: :func:`partition_explorer_data` at the sliders' values."""
    return partition_explorer_data(kappa, sigma_A2)


#: The κ explorer.  Each ``grid`` is the values the in-page explorer precomputes (κ in half decades × 5
#: couplings); the Jupyter sliders move over the whole range.
EXPLORER = Explorer(
    "partition", "Gradient descent and Nesterov on the additive model: iterations to 10^-2 against κ",
    params=(Param("kappa", "κ", 10 ** 0.5, 10 ** 3.5, 100.0, 0.25, scale="log",
                  grid=tuple(float(k) for k in 10 ** np.arange(0.5, 3.51, 0.5))),
            Param("sigma_A2", "σmax(A₂)", 1e-3, 10 ** 0.7, 0.01, 0.25, scale="log",
                  grid=(0.001, 0.01, 0.1, 1.0, 5.0))),
    compute=_compute, draw=draw_partition_explorer, summary=_summary, figsize=(6.4, 3.6))

#: What the in-page explorer of Chapter 5 draws (``ab.webexplorer.embed(EXPLORER, WEB)``): the relative loss
#: of both methods until the target, and the first iterate below it.
WEB = WebSpec(
    panels=(
        Panel((Series("losses_gd", method="gd"), Series("losses_nesterov", method="nesterov"),
               Series("target", style="dashed", label="target"),
               Series("hit_y_gd", x="hit_t_gd", style="points", method="gd", label="first below the target"),
               Series("hit_y_nesterov", x="hit_t_nesterov", style="points", method="nesterov",
                      label="first below the target")),
              xlabel="iteration k", ylabel="(f_k − f*)/(f_0 − f*)", ymin=1e-4, ymax=2.0),
    ),
    source="accelbook.partition:EXPLORER")


def partition_explorer_static(kappas=(10.0, 100.0, 1000.0), sigma_A2=None, *, fig=None):
    """Small multiples of the explorer, one panel per κ (the static companion of the live explorer)."""
    import matplotlib.pyplot as plt
    kappas = list(np.atleast_1d(real_array("kappas", kappas, lo=1.0, nonempty=True)).ravel())
    if fig is None:
        fig = plt.figure(figsize=(3.2 * len(kappas), 3.2))
    fig = instance_of("fig", fig, Figure)
    axes = np.atleast_1d(fig.subplots(1, len(kappas), sharey=True))
    for ax, k in zip(axes, kappas):
        _draw_explorer_axis(ax, partition_explorer_data(float(k), sigma_A2))
        if ax is not axes[0]:
            ax.set_ylabel("")
            if ax.get_legend() is not None:
                ax.get_legend().remove()
    fig.tight_layout()
    return fig


def partition_explorer_callback(kappa, sigma_A2=None, *, fig=None):
    """Compute and draw one frame of the κ explorer (``EXPLORER.frame``); returns the figure (works without a
    display). ``sigma_A2=None`` is the explorer's default."""
    values = {"kappa": kappa} if sigma_A2 is None else {"kappa": kappa, "sigma_A2": sigma_A2}
    return EXPLORER.frame(fig, **values)


def partition_explorer():  # pragma: no cover - needs a live kernel; the callback is tested
    """The live κ explorer (ipywidgets sliders for κ and σmax(A2)): ``EXPLORER.widget()``."""
    return EXPLORER.widget()
