"""What each chapter's in-page explorer draws: one :class:`~accelbook.webexplorer.WebSpec` per explorer.

A chapter shows its explorer with one cell, e.g. ``ab.webexplorer.embed(ab.widgets.LRP, ab.webspecs.LRP)``.
Chapter 1's explorer is a mirror (recomputed in the page by ``heavyBall`` of ``_ext/web/accelbook-mirrors.js``);
the others are precomputed on their grids at build time.
"""

from __future__ import annotations

import numpy as np

from .explorer import Param
from .explorer_adapt import adapt
from .webexplorer import Panel, Series, WebSpec

__all__ = ["HEAVY_BALL", "LRP", "RELU", "DEEP_LINEAR", "PARTITION", "RELU_EXPLORER", "DEEP_LINEAR_EXPLORER",
           "PARTITION_EXPLORER"]

#: Chapter 1 (accelbook.widgets.HEAVY_BALL), recomputed in the page from the 2×2 blocks
HEAVY_BALL = WebSpec(
    panels=(
        Panel((Series("error", method="heavy_ball"),
               Series("gd_error", method="gd", label="gradient descent (same η)"),
               Series("bound", style="dashed", label="Theorem 7 bound (Wang et al.)")),
              ylabel="‖w_t − w*‖"),
        Panel((Series("per_direction", columns=True, label="λ = {}", label_key="lam"),),
              ylabel="|e_t,i| per eigendirection", ymin=1e-16),
    ),
    mirror="heavyBall", message="message", source="accelbook.widgets:HEAVY_BALL")

#: Chapter 2 (accelbook.widgets.LRP): stored iterates x; f(x) and the graph are recomputed in the page
LRP = WebSpec(
    panels=(
        Panel((Series("graph_f", x="graph_x", style="line", color="#000000", label="f"),
               Series("f_last", x="x_last", style="points", method="heavy_ball", label="last 30 iterates")),
              xlabel="x", ylabel="f(x)", logy=False),
        Panel((Series("gap", method="heavy_ball"),
               Series("gd_gap", method="gd", label="gradient descent, η = 1/L")),
              ylabel="f(x_t) − f*", ymin=1e-30),
    ),
    keys=("x", "gd_gap"), derive="lrp", source="accelbook.widgets:LRP")


# ---------------------------------------------------------------- Chapters 3-5, adapted from their data functions
# Until the sub-packages' own Explorer definitions land, these wrap the chapters' public data functions
# (which stay importable after the split).  To switch a chapter to its own definition, replace the
# adapter by it: ``embed(ab.relu.EXPLORER, ab.webspecs.RELU)`` (same keys) -- see the README.

def _rate(values):
    from .metrics import measured_rate
    try:
        return f"{measured_rate(values):.4f}"
    except ValueError:
        return "—"


def _relu_data(m, angle_deg, beta):
    from . import relu
    d = dict(relu.relu_explorer_data(int(m), angle_deg, None if beta == 0 else beta))
    d["message"] = ("diverges: " + d["message"][:60]) if d["diverged"] else ""
    return d


def _relu_summary(d):
    return {"κ̂, condition number of H₀": float(d["kappa_hat"]),
            "β used (Corollary 1's β)": f"{d['beta']:.4f} ({d['beta_cor1']:.4f})",
            "measured rate, heavy ball": _rate(d["hb"]), "measured rate, gradient descent": _rate(d["gd"]),
            "patterns changed at the end, heavy ball / GD": f"{100 * d['pattern_hb'][-1]:.2f}% / {100 * d['pattern_gd'][-1]:.2f}%"}


#: Chapter 3 (accelbook.relu.relu_explorer_data): residuals and activation-pattern changes
RELU = WebSpec(
    panels=(
        Panel((Series("hb", method="heavy_ball"), Series("gd", method="gd", label="gradient descent (same η)"),
               Series("linear", style="dotted", color="#000000", label="heavy ball, linearised")),
              ylabel="‖[ξ_t; ξ_t−1]‖ (relative)", ymin=1e-12),
        Panel((Series("pattern_hb", method="heavy_ball", scale=100.0), Series("pattern_gd", method="gd", scale=100.0)),
              ylabel="patterns changed (%)", logy=False),
    ),
    message="message", source="accelbook.webspecs:RELU_EXPLORER")


def _deep_linear_data(depth, width, kappa):
    from . import deep_linear
    return dict(deep_linear.deep_linear_explorer_data(int(depth), int(width), kappa))


def _deep_linear_summary(d):
    hb, bound = d["heavy_ball"], d["bound"][:len(d["heavy_ball"])]
    return {"η, β (Theorem 10 of Wang et al.)": f"{d['eta']:.4g}, {d['beta']:.4f}",
            "final relative residual, heavy ball": float(hb[-1]),
            "final relative residual, gradient descent": float(d["gd"][-1]),
            "heavy ball stays under the Theorem 10 bound": bool(np.all(hb <= bound))}


#: Chapter 4 (accelbook.deep_linear.deep_linear_explorer_data): residuals against (22), Lemma 4's terms
DEEP_LINEAR = WebSpec(
    panels=(
        Panel((Series("gd", method="gd"), Series("heavy_ball", method="heavy_ball"),
               Series("bound", style="dashed", label="Theorem 10 bound (Wang et al.)")),
              ylabel="‖[ξ_t; ξ_t−1]‖ / ‖[ξ_0; ξ_−1]‖"),
        Panel((Series("xi_norm", color="#D55E00", label="‖ξ_t‖"), Series("varphi_norm", label="‖φ_t‖"),
               Series("psi_norm", style="dashed", color="#CC79A7", label="‖ψ_t‖"),
               Series("iota_norm", style="dotted", color="#56B4E9", label="‖ι_t‖")),
              ylabel="heavy ball: norms", ymin=1e-20),
    ),
    source="accelbook.webspecs:DEEP_LINEAR_EXPLORER")


def _partition_data(kappa, sigma_A2):
    from . import partition
    d = dict(partition.partition_explorer_data(kappa, sigma_A2))
    for m in ("gd", "nesterov"):
        k, y = d[f"hit_{m}"], d[f"losses_{m}"]
        d[f"hit_t_{m}"], d[f"hit_y_{m}"] = (np.array([k]), y[[k]]) if k >= 0 else (None, None)
    d["target"] = np.full(max(len(d["losses_gd"]), len(d["losses_nesterov"])), d["tol"])
    return d


def _partition_summary(d):
    count = lambda k: str(k) if k >= 0 else "not reached"  # noqa: E731
    return {"iterations to the target, gradient descent": count(d["hit_gd"]),
            "iterations to the target, Nesterov": count(d["hit_nesterov"]),
            "ratio GD / Nesterov": "—" if not np.isfinite(d["ratio"]) else f"{d['ratio']:.3g}"}


#: Chapter 5 (accelbook.partition.partition_explorer_data): relative loss until the target
PARTITION = WebSpec(
    panels=(
        Panel((Series("losses_gd", method="gd"), Series("losses_nesterov", method="nesterov"),
               Series("target", style="dashed", label="target"),
               Series("hit_y_gd", x="hit_t_gd", style="points", method="gd", label="first below the target"),
               Series("hit_y_nesterov", x="hit_t_nesterov", style="points", method="nesterov",
                      label="first below the target")),
              xlabel="iteration k", ylabel="(f_k − f*)/(f_0 − f*)", ymin=1e-4, ymax=2.0),
    ),
    source="accelbook.webspecs:PARTITION_EXPLORER")

RELU_EXPLORER = adapt(
    "relu", "A wide ReLU network: heavy ball against gradient descent and the linearised model",
    (Param("m", "width m", 30, 1000, 300, 0.5, scale="log", integer=True, grid=(30, 100, 300, 1000)),
     Param("angle_deg", "input angle (°)", 2.0, 90.0, 20.0, 1.0, grid=(10.0, 20.0, 45.0, 90.0)),
     Param("beta", "β (0: Corollary 1's)", 0.0, 0.99, 0.0, 0.01, grid=(0.0, 0.8, 0.95))),
    _relu_data, RELU, summary=_relu_summary)

DEEP_LINEAR_EXPLORER = adapt(
    "deep_linear", "A deep linear network: heavy ball with Theorem 10's parameters",
    (Param("depth", "depth L", 2, 200, 10, 1, integer=True, grid=(2, 5, 10, 20, 50)),
     Param("width", "width m", 4, 256, 8, 4, integer=True, grid=(4, 8, 16)),
     Param("kappa", "κ", 1.0, 1000.0, 100.0, 0.25, scale="log", grid=(10.0, 100.0))),
    _deep_linear_data, DEEP_LINEAR, summary=_deep_linear_summary)

PARTITION_EXPLORER = adapt(
    "partition", "Nesterov against gradient descent on the additive model",
    (Param("kappa", "κ", 10 ** 0.5, 10 ** 3.5, 100.0, 0.25, scale="log",
           grid=tuple(float(k) for k in 10 ** np.arange(0.5, 3.51, 0.5))),
     Param("sigma_A2", "σmax(A₂)", 1e-3, 5.0, 0.01, 0.25, scale="log", grid=(0.001, 0.01, 0.1, 1.0, 5.0))),
    _partition_data, PARTITION, summary=_partition_summary)
