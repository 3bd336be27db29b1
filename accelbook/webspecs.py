"""What each chapter's in-page explorer draws: one :class:`~accelbook.webexplorer.WebSpec` per explorer.

A chapter shows its explorer with one cell, e.g. ``ab.webexplorer.embed(ab.widgets.LRP, ab.webspecs.LRP)``.
Chapter 1's explorer is a mirror (recomputed in the page by ``heavyBall`` of ``_ext/web/accelbook-mirrors.js``);
the others are precomputed on their grids at build time.  Chapters 3-5's specs live next to their explorers
(``accelbook.relu.WEB``, ``accelbook.deep_linear.WEB``, ``accelbook.partition.WEB``: the cell is
``ab.webexplorer.embed(ab.relu.EXPLORER, ab.relu.WEB)``); ``RELU``, ``DEEP_LINEAR`` and ``PARTITION`` here are
the same objects.
"""

from __future__ import annotations

from .deep_linear.explorer import WEB as DEEP_LINEAR
from .partition.explorer import WEB as PARTITION
from .relu.explorer import WEB as RELU
from .webexplorer import Panel, Series, WebSpec

__all__ = ["HEAVY_BALL", "LRP", "RELU", "DEEP_LINEAR", "PARTITION"]

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
