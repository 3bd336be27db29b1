r"""Chapter 5's figures (drawing only): block step norms, the three regimes, the Lemma 8 / Lemma 9 checks,
the deep ReLU network and its width study.  The data come from :mod:`.experiments` and :mod:`.training`."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .. import plotting
from .._validation import flag, instance_of, int_scalar
from .defaults import METHODS
from .experiments import _methods, _regimes
from .model import AdditiveModel
from .training import PartitionRun

__all__ = ["draw_block_steps", "draw_regimes", "draw_lemma_checks", "draw_network", "draw_width_study",
           "draw_conditions", "draw_theorem_check"]


def _fig(fig):
    return instance_of("fig", fig, Figure)


def _kmax(kmax):
    return None if kmax is None else int_scalar("kmax", kmax, lo=1)


def _runs(name, runs):
    if not isinstance(runs, Mapping) or not runs or not all(isinstance(r, PartitionRun) for r in runs.values()):
        raise TypeError(f"{name} must be a non-empty dict method -> PartitionRun, got {type(runs).__name__}")
    return runs


def draw_block_steps(ax, run, *, kmax=None):
    r"""Median over trials of :math:`\|\Delta x_k\|` (solid, with a 10–90% band) and :math:`\|\Delta u_k\|`
    (dashed), for k = 1, ..., ``kmax``."""
    ax = instance_of("ax", ax, Axes)
    run = instance_of("run", run, PartitionRun)
    kmax = _kmax(kmax)
    method = run.method
    dx, du = run.dx[:kmax], run.du[:kmax]
    k = np.arange(1, dx.shape[0] + 1)
    floor = np.finfo(float).tiny
    plotting.quantile_band(ax, k, np.maximum(dx.T, floor), method,
                           label=rf"{plotting.LABELS[method]}: $\|\Delta x_k\|$")
    plotting.method_line(ax, k, np.maximum(np.median(du, axis=1), floor), method, linestyle="--",
                         label=rf"{plotting.LABELS[method]}: $\|\Delta u_k\|$")
    return ax


def draw_regimes(regimes, fig, *, methods_=("gd", "nesterov"), kmax=None, steps=True):
    """The three-regimes figure: losses (top row, 10–90% quantile bands over trials) and, with ``steps``,
    the block step norms (bottom row). ``regimes`` is ``{sigma: (runs, model, c)}`` (:func:`regime_runs`)."""
    regimes, fig, methods_, kmax = _regimes(regimes), _fig(fig), _methods(methods_), _kmax(kmax)
    steps = flag("steps", steps)
    fig.clear()
    axes = fig.subplots(2 if steps else 1, len(regimes), squeeze=False, sharex=True)
    for j, (sigma, (runs, model, c)) in enumerate(regimes.items()):
        for m in methods_:
            R = runs[m].relative_losses[:kmax]
            plotting.quantile_band(axes[0, j], np.arange(R.shape[0]), np.maximum(R.T, 1e-32), m)
            if steps:
                draw_block_steps(axes[1, j], runs[m], kmax=kmax)
        axes[0, j].set_title(rf"$\sigma_{{\max}}(A_2)$ = {sigma:g}, c = {c:.3g}", fontsize=9)
        plotting.log_axes(axes[0, j], "" if steps else "iteration k", r"$f_k/f_0$" if j == 0 else "", legend=False)
        axes[0, j].set_ylim(1e-30, 10)
        if steps:
            plotting.log_axes(axes[1, j], "iteration k", "step norm" if j == 0 else "", legend=False)
    handles, labels = axes[-1, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8)
    fig.tight_layout(rect=(0, 0.08 if steps else 0.12, 1, 1))
    return axes


def draw_lemma_checks(diags, models, fig):
    r"""Lemma 8 and Lemma 9 (gradient dominance) along Nesterov runs, each quotient divided by its bound.

    ``diags`` and ``models`` map a label (e.g. :math:`\sigma_{\max}(A_2)`) to :func:`run_diagnostics` output
    and the model."""
    if not isinstance(diags, Mapping) or not diags or not all(isinstance(d, Mapping) and "x_star" in d
                                                              for d in diags.values()):
        raise TypeError("diags must be a non-empty dict label -> run_diagnostics output")
    if not isinstance(models, Mapping) or set(models) != set(diags) or \
            not all(isinstance(m, AdditiveModel) for m in models.values()):
        raise TypeError("models must be a dict with the keys of diags, label -> AdditiveModel")
    fig = _fig(fig)
    fig.clear()
    ax1, ax2 = fig.subplots(1, 2)
    for i, (label, d) in enumerate(diags.items()):
        model, color = models[label], f"C{i}"
        q = d["x_star"] / (model.G2 / model.mu)
        rows = np.any(np.isfinite(q), axis=1)  # iterations where some trial's u still moves
        k = np.arange(1, q.shape[0] + 1)[rows]
        q = q[rows]
        ax1.plot(k, np.nanmedian(q, axis=1), color=color, label=rf"$\sigma_{{\max}}(A_2)$={label:g}")
        ax1.fill_between(k, np.nanmin(q, axis=1), np.nanmax(q, axis=1), color=color, alpha=0.2, lw=0)
        g = d["dominance_y"] / (model.G1 ** 2 * model.L2 / model.mu)
        k = np.arange(g.shape[0])
        ax2.plot(k, np.median(g, axis=1), color=color, label=rf"$\sigma_{{\max}}(A_2)$={label:g}")
        ax2.fill_between(k, g.min(axis=1), g.max(axis=1), color=color, alpha=0.2, lw=0)
    first = next(iter(models.values()))
    sharp = np.median(first.x_star_lipschitz() / (first.G2 / first.mu))
    ax1.axhline(1.0, color="black", ls="--", label="Lemma 8")
    ax1.axhline(sharp, color="black", ls=":", label=r"additive model: $B\sigma_{\max}(A_2)/\sigma_{\min}(A_1)$")
    ax2.axhline(1.0, color="black", ls="--", label="Lemma 9 (gradient dominance)")
    plotting.log_axes(ax1, "iteration k", "Lemma 8 quotient / bound", legend=False)
    plotting.log_axes(ax2, "iteration k", r"dominance ratio at $(y_k, v_k)$ / bound", legend=False)
    ax1.legend(fontsize=7, loc="lower right")
    ax2.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return ax1, ax2


def draw_network(runs, fig, *, kmax=None):
    r"""The network figure: relative loss (quantile bands, every method), block step norms (gradient descent
    and Nesterov) and :math:`\sigma_{\min}(F_{\Lambda-1})` relative to its initial value."""
    runs, fig, kmax = _runs("runs", runs), _fig(fig), _kmax(kmax)
    if any(r.sigma_min is None for r in runs.values()):
        raise ValueError("runs must track sigma_min (network_runs with track_every)")
    fig.clear()
    ax1, ax2, ax3 = fig.subplots(1, 3)
    for m, run in runs.items():
        R = run.relative_losses[:kmax]
        plotting.quantile_band(ax1, np.arange(R.shape[0]), np.maximum(R.T, 1e-32), m)
        if m != "heavy_ball":
            draw_block_steps(ax2, run, kmax=kmax)
        s = run.sigma_min / run.sigma_min[0]
        ax3.plot(run.tracked_at, np.median(s, axis=1), color=plotting.COLORS[m], marker=plotting.MARKERS[m],
                 label=plotting.LABELS[m])
        ax3.fill_between(run.tracked_at, s.min(axis=1), s.max(axis=1), color=plotting.COLORS[m], alpha=0.2, lw=0)
    plotting.log_axes(ax1, "iteration k", r"$f_k/f_0$")
    plotting.log_axes(ax2, "iteration k", "step norm", legend=False)
    ax2.legend(fontsize=7)
    ax3.set(xlabel="iteration k", ylabel=r"$\sigma_{\min}(F_{\Lambda-1})$ / initial value")
    ax3.legend(fontsize=7)
    fig.tight_layout()
    return ax1, ax2, ax3


def draw_width_study(study, fig):
    r"""Iterations to the study's tolerance and the median :math:`\|\Delta u_k\|/\|\Delta x_k\|` against the
    penultimate width (median over trials, bars from the smallest to the largest trial); a width where some trial
    of a method did not reach the tolerance (a diverged run) has no marker for that method."""
    if not isinstance(study, Mapping) or not {"widths", "hits", "du_over_dx"} <= set(study):
        raise TypeError("study must be the dict returned by width_study")
    fig = _fig(fig)
    fig.clear()
    ax1, ax2 = fig.subplots(1, 2)
    w = study["widths"]
    for m in METHODS:
        for ax, Y in ((ax1, study["hits"][m]), (ax2, study["du_over_dx"][m])):
            ok = np.all(Y > 0, axis=1)  # widths where every trial reached the tolerance (counts: -1 otherwise)
            if not ok.any():
                continue
            Y, med = Y[ok], np.median(Y[ok], axis=1)
            ax.errorbar(w[ok], med, yerr=[med - Y.min(axis=1), Y.max(axis=1) - med], color=plotting.COLORS[m],
                        marker=plotting.MARKERS[m], capsize=3, label=plotting.LABELS[m])
    plotting.log_axes(ax1, r"penultimate width $d_{\Lambda-1}$", "iterations to tolerance", logx=True)
    plotting.log_axes(ax2, r"penultimate width $d_{\Lambda-1}$", r"median $\|\Delta u_k\|/\|\Delta x_k\|$, k < 50",
                      logx=True, legend=False)
    fig.tight_layout()
    return ax1, ax2


_COND_STYLE = {"thm6_G1": ("C2", "-", r"Thm 6: $G_1^4$"), "thm7_G1": ("C4", "-", r"Thm 7: $G_1^4$ (poster)"),
               "thm7_G1G2": ("C3", "-", r"Thm 7: $G_1^2G_2^2$ (poster)"),
               "thm7_G1_explainer": ("C4", ":", r"Thm 7: $G_1^4$ (explainer)"),
               "thm7_G1G2_explainer": ("C3", ":", r"Thm 7: $G_1^2G_2^2$ (explainer)")}


def draw_conditions(cmap, fig):
    r"""Three log-log panels of :func:`conditions_map`: the ratio (left side / right side) of each smallness
    condition against :math:`\sigma_{\max}(A_2)`, against κ (the κ sweep) and against the network's width (lower
    bounds; one marker per initialisation).  Below the dashed line at 1 the condition holds."""
    if not isinstance(cmap, Mapping) or not {"sigma", "kappa_sweep", "sigma_values"} <= set(cmap):
        raise TypeError("cmap must be the dict returned by conditions_map")
    fig = _fig(fig)
    fig.clear()
    axes = fig.subplots(1, 3, sharey=True)
    panels = [(cmap["sigma_values"], cmap["sigma"], rf"$\sigma_{{\max}}(A_2)$ ($\kappa$={cmap['kappa']:g})", {}),
              (cmap["kappa_values"], cmap["kappa_sweep"], rf"$\kappa$ ($\sigma_{{\max}}(A_2)$={cmap['sigma_A2']:g})", {})]
    for ax, (x, ratios, xlabel, _) in zip(axes, panels):
        for key, (color, ls, label) in _COND_STYLE.items():
            ax.plot(x, ratios[key], color=color, ls=ls, marker="o", ms=3, label=label)
        plotting.log_axes(ax, xlabel, "condition ratio (left / right side)" if ax is axes[0] else "", logx=True,
                          legend=False)
    ax = axes[2]
    for init, marker in (("paper", "o"), ("he", "s")):
        if f"network_{init}" in cmap:
            w, ratios = cmap[f"network_{init}_widths"], cmap[f"network_{init}"]
            for key, (color, ls, label) in _COND_STYLE.items():
                ax.plot(w, ratios[key], color=color, ls=ls, marker=marker, ms=4)
            ax.plot([], [], "k" + marker, ls="none", label=f"{init} initialisation")
    plotting.log_axes(ax, r"penultimate width (lower bounds)", "", logx=True, legend=False)
    for ax in axes:
        ax.axhline(1.0, color="black", ls="--", lw=1)
    axes[0].legend(fontsize=6, loc="lower right")
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return axes


def draw_theorem_check(checks, fig):
    r"""The worst bound ratio of Theorems 6 and 7 against :math:`\sigma_{\max}(A_2)`, one panel per step constant.

    ``checks`` maps a panel title to :func:`theorem_check_sweep` output; diverged runs are drawn as open markers,
    clipped at 100."""
    if not isinstance(checks, Mapping) or not checks or not all(isinstance(ch, Mapping) and "sigma" in ch
                                                                for ch in checks.values()):
        raise TypeError("checks must be a non-empty dict title -> theorem_check_sweep output")
    fig = _fig(fig)
    fig.clear()
    axes = np.atleast_1d(fig.subplots(1, len(checks), sharey=True))
    for ax, (title, chk) in zip(axes, checks.items()):
        for m in ("gd", "nesterov"):
            shown = np.minimum(chk[m], 100.0)  # diverged runs are far off the scale: clipped at the top
            plotting.method_line(ax, chk["sigma"], shown, m, markevery=1)
            div = chk[f"diverged_{m}"]
            ax.plot(chk["sigma"][div], shown[div], "o", mfc="white", color=plotting.COLORS[m], ms=9)
        ax.axhline(1.0, color="black", ls="--", label="bound")
        ax.set_title(title, fontsize=9)
        plotting.log_axes(ax, r"$\sigma_{\max}(A_2)$", r"worst $(f_k/f_0)\,/\,$bound$_k$" if ax is axes[0] else "",
                          logx=True, legend=ax is axes[0])
    fig.tight_layout()
    return axes
