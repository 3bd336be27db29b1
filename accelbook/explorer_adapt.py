"""Explorers from a data function alone, for the in-page front end (:mod:`accelbook.webexplorer`).

:func:`adapt` wraps a chapter's ``*_explorer_data`` function (and a summary) into an
:class:`~accelbook.explorer.Explorer` whose Jupyter drawing, :func:`spec_drawer`, draws the same panels
as the page (the book's colours, markers and log axes).  Chapters 3-5 use it until their own explorer
definitions land; then ``embed(ab.<pkg>.EXPLORER, spec)`` replaces it (see the README).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import plotting
from ._validation import callable_arg, instance_of
from .explorer import Explorer
from .webexplorer import WebSpec

__all__ = ["adapt", "spec_drawer"]


def spec_drawer(spec):
    """A matplotlib ``draw(data, fig)`` that draws ``spec``'s panels the way the page does (book colours,
    markers, log axes): the Jupyter drawing of an explorer that has only a data function and a spec."""
    instance_of("spec", spec, WebSpec)

    def draw(data, fig):
        instance_of("data", data, Mapping)
        fig.clear()
        axes = np.atleast_1d(fig.subplots(1, len(spec.panels)))
        message = data.get(spec.message, "") if spec.message else ""
        for ax, panel in zip(axes, spec.panels):
            ax.set(xlabel=panel.xlabel, ylabel=panel.ylabel, title=panel.title)
            if message:
                ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
                continue
            for s in panel.series:
                _draw_series(ax, s, panel, data)
            ax.set_yscale("log" if panel.logy else "linear")    # method_line sets log; a linear panel stays linear
            if panel.logx:
                ax.set_xscale("log")
            if panel.ymin is not None or panel.ymax is not None:
                ax.set_ylim(panel.ymin, panel.ymax)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=7)
        return axes
    return draw


def _draw_series(ax, s, panel, data):
    y = data.get(s.key)
    if y is None:
        return
    y = np.asarray(y, dtype=float) * s.scale
    y = y.reshape(y.shape[0], -1)
    x = np.arange(y.shape[0]) if s.x is None else np.asarray(data[s.x], dtype=float)
    if s.last:
        x, y = x[-s.last:], y[-s.last:]
    if panel.logy and panel.ymin is not None:
        y = np.maximum(y, panel.ymin)
    for c in range(y.shape[1] if s.columns else 1):
        label = s.label or (plotting.LABELS[s.method] if s.method else s.key)
        if s.columns and s.label_key:
            label = label.replace("{}", f"{np.asarray(data[s.label_key])[c]:.3g}")
        kw = {"color": s.color or (plotting.COLORS[s.method] if s.method else
                                   (plotting.COLORS["bound"] if s.style == "dashed" else None)), "label": label}
        if s.style == "points":
            ax.plot(x, y[:, c], "o", ms=4, **kw)
        elif s.method and s.style == "line":
            plotting.method_line(ax, x, y[:, c], s.method, label=label)
        else:
            ax.plot(x, y[:, c], linestyle={"dashed": "--", "dotted": ":"}.get(s.style, "-"), **kw)


def adapt(name, title, params, data, spec, *, summary=None) -> Explorer:
    """An :class:`~accelbook.explorer.Explorer` from a data function alone: ``data(**values) -> dict``
    (the chapters' ``*_explorer_data``, wrapped to take the slider values), drawn in Jupyter by
    :func:`spec_drawer` from the same ``spec`` the page uses."""
    callable_arg("data", data, "data(**values) -> dict")
    if not isinstance(params, (tuple, list)):
        raise TypeError(f"params must be a tuple of Param, got {type(params).__name__}")
    return Explorer(name, title, tuple(params), compute=data, draw=spec_drawer(spec), summary=summary)
