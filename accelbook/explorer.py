"""The explorer definition: one object per interactive explorer, shared by every front end.

An :class:`Explorer` is data, not a widget: its parameters (name, label, range, default, step, linear or
log scale), a ``compute`` function returning a dict of arrays computed by ``accelbook``, a ``draw``
function that draws such a dict on a matplotlib figure, and optionally a ``summary`` giving the quantities
of interest (a rate, a count, whether a theorem's condition holds) as short text.  Front ends:

* :meth:`Explorer.widget` — ipywidgets sliders for Jupyter and Binder (redraws through ``draw``);
* :meth:`Explorer.frame` — one figure, headless (tests, static figures, benchmarks);
* :meth:`Explorer.grid` — the parameter grid an in-page HTML front end precomputes at build time.

This module only describes; it imports matplotlib and ipywidgets lazily, inside the front ends.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ._validation import callable_arg, choice, int_scalar, real_scalar, shown

__all__ = ["Param", "Explorer"]


@dataclass(frozen=True)
class Param:
    """One explorer parameter: a real (or integer) in ``[lo, hi]`` on a linear or log scale.

    ``step`` is the slider's resolution on its own scale (in log10 units when ``scale="log"``);
    ``integer=True`` rounds values to integers.
    """

    name: str
    label: str
    lo: float
    hi: float
    default: float
    step: float
    scale: str = "linear"
    integer: bool = False

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"name must be a Python identifier, got {shown(self.name)}")
        choice("scale", self.scale, ("linear", "log"))
        lo = real_scalar("lo", self.lo, lo=0.0, lo_open=True) if self.scale == "log" else real_scalar("lo", self.lo)
        real_scalar("hi", self.hi, lo=lo, lo_open=True)
        real_scalar("default", self.default, lo=lo, hi=self.hi)
        real_scalar("step", self.step, lo=0.0, lo_open=True)

    def check(self, value):
        """``value`` as a float (or int) after checking it lies in ``[lo, hi]``; errors name the parameter."""
        if self.integer:
            return int_scalar(self.name, value, lo=int(np.ceil(self.lo)))
        return real_scalar(self.name, value, lo=self.lo, hi=self.hi)

    def values(self, n=None):
        """The grid of values the slider can take (``n`` points instead, evenly spaced on the scale)."""
        if self.scale == "log":
            a, b = np.log10(self.lo), np.log10(self.hi)
            k = n if n is not None else int(round((b - a) / self.step)) + 1
            out = 10.0 ** np.linspace(a, b, int_scalar("n", k, lo=2))
        else:
            k = n if n is not None else int(round((self.hi - self.lo) / self.step)) + 1
            out = np.linspace(self.lo, self.hi, int_scalar("n", k, lo=2))
        return np.unique(np.round(out).astype(int)) if self.integer else out


@dataclass(frozen=True)
class Explorer:
    """An interactive explorer: parameters, a compute function returning data, a draw function.

    Parameters
    ----------
    name : str
        A short identifier (e.g. ``"heavy_ball"``).
    title : str
        What the explorer shows, one line.
    params : tuple of Param
        Keyword arguments of ``compute``, in slider order.
    compute : callable
        ``compute(**values) -> dict`` of arrays and scalars (all computed by accelbook; finite).
    draw : callable
        ``draw(data, fig)`` draws ``compute``'s output on a matplotlib figure.
    summary : callable, optional
        ``summary(data) -> dict`` of label -> value (float, int, bool or str): the quantities shown as text.
    figsize : tuple
    """

    name: str
    title: str
    params: tuple
    compute: Callable[..., Mapping]
    draw: Callable
    summary: Callable | None = None
    figsize: tuple = (9.0, 3.4)
    options: dict = field(default_factory=dict)

    def __post_init__(self):
        callable_arg("compute", self.compute)
        callable_arg("draw", self.draw)
        if self.summary is not None:
            callable_arg("summary", self.summary)
        if not self.params or not all(isinstance(p, Param) for p in self.params):
            raise TypeError("params must be a non-empty tuple of Param")

    @property
    def defaults(self) -> dict:
        """The parameters' default values."""
        return {p.name: (int(p.default) if p.integer else float(p.default)) for p in self.params}

    def _values(self, values):
        unknown = set(values) - {p.name for p in self.params}
        if unknown:
            raise TypeError(f"{self.name} explorer has no parameter {sorted(unknown)[0]!r}")
        merged = {**self.defaults, **values}
        return {p.name: p.check(merged[p.name]) for p in self.params}

    def data(self, **values) -> Mapping:
        """``compute`` at the given values (defaults for the others), after range checks."""
        return self.compute(**self._values(values))

    def frame(self, fig=None, **values):
        """One frame: compute and draw on ``fig`` (a new figure when None). Returns the figure."""
        import matplotlib.pyplot as plt
        if fig is None:
            fig = plt.figure(figsize=self.figsize)
        self.draw(self.data(**values), fig)
        return fig

    def grid(self, n=None) -> list:
        """Every combination of the parameters' slider values (``n`` per parameter if given), as dicts."""
        axes = [p.values(n) for p in self.params]
        return [dict(zip((p.name for p in self.params), combo)) for combo in itertools.product(*axes)]

    def widget(self, *, manual=False):  # pragma: no cover - needs a live kernel; frame() is tested
        """The ipywidgets front end: a slider per parameter; moving one redraws (``manual``: a Run button)."""
        import ipywidgets as W
        import matplotlib.pyplot as plt
        from IPython.display import display

        sliders = {}
        for p in self.params:
            if p.scale == "log":
                sliders[p.name] = W.FloatLogSlider(value=p.default, min=np.log10(p.lo), max=np.log10(p.hi),
                                                   step=p.step, description=p.label)
            elif p.integer:
                sliders[p.name] = W.IntSlider(value=int(p.default), min=int(p.lo), max=int(p.hi),
                                              step=max(1, int(p.step)), description=p.label)
            else:
                sliders[p.name] = W.FloatSlider(value=p.default, min=p.lo, max=p.hi, step=p.step,
                                                description=p.label)

        def show(**values):
            fig = self.frame(**values)
            display(fig)
            plt.close(fig)

        options = ({"manual": True, "manual_name": "Run"},) if manual else ()
        return W.interactive(show, *options, **sliders)
