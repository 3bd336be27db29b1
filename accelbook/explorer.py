"""The explorer definition: one object per interactive explorer, shared by every front end.

An :class:`Explorer` is data, not a widget: its parameters (name, label, range, default, step, linear or
log scale), a ``compute`` function returning a dict of arrays computed by ``accelbook``, a ``draw``
function that draws such a dict on a matplotlib figure, and optionally a ``summary`` giving the quantities
of interest (a rate, a count, whether a theorem's condition holds) as short text.  Front ends:

* :meth:`Explorer.widget` — ipywidgets sliders for Jupyter and Binder (redraws through ``draw``);
* :meth:`Explorer.frame` — one figure, headless (tests, static figures, benchmarks);
* :meth:`Explorer.grid` / :meth:`Explorer.grid_data` — the parameter grid an in-page HTML front end
  precomputes at build time (:mod:`accelbook.webexplorer`), with ``batch`` computing many points at once;
* :meth:`Explorer.quantities` — the summary as the text every front end shows (:func:`format_value`).

This module only describes; it imports matplotlib and ipywidgets lazily, inside the front ends.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ._validation import callable_arg, choice, instance_of, int_scalar, real_scalar, shown

__all__ = ["Param", "Explorer", "format_value"]


@dataclass(frozen=True)
class Param:
    """One explorer parameter: a real (or integer) in ``[lo, hi]`` on a linear or log scale.

    ``step`` is the slider's resolution on its own scale (in log10 units when ``scale="log"``);
    ``integer=True`` rounds values to integers.  ``grid`` (optional, increasing values in ``[lo, hi]``)
    replaces the slider's values in :meth:`values` and :meth:`Explorer.grid`: the points an in-page
    front end precomputes, e.g. finer where the behaviour changes.
    """

    name: str
    label: str
    lo: float
    hi: float
    default: float
    step: float
    scale: str = "linear"
    integer: bool = False
    grid: tuple | None = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"name must be a Python identifier, got {shown(self.name)}")
        choice("scale", self.scale, ("linear", "log"))
        lo = real_scalar("lo", self.lo, lo=0.0, lo_open=True) if self.scale == "log" else real_scalar("lo", self.lo)
        real_scalar("hi", self.hi, lo=lo, lo_open=True)
        real_scalar("default", self.default, lo=lo, hi=self.hi)
        real_scalar("step", self.step, lo=0.0, lo_open=True)
        if self.grid is not None:
            values = [real_scalar("grid[i]", v, lo=lo, hi=self.hi) for v in self.grid]
            if len(values) < 2 or any(b <= a for a, b in zip(values, values[1:])):
                raise ValueError(f"grid must hold at least 2 increasing values, got {shown(self.grid)}")
            object.__setattr__(self, "grid", tuple(values))

    def check(self, value):
        """``value`` as a float (or int) after checking it lies in ``[lo, hi]``; errors name the parameter."""
        if self.integer:
            return int_scalar(self.name, value, lo=int(np.ceil(self.lo)))
        return real_scalar(self.name, value, lo=self.lo, hi=self.hi)

    def values(self, n=None):
        """The grid of values the slider can take (``n`` points instead, evenly spaced on the scale;
        ``grid`` when given and ``n`` is None)."""
        if n is None and self.grid is not None:
            out = np.asarray(self.grid)
        elif self.scale == "log":
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
    options : dict
        Free-form settings of a front end (e.g. ``{"manual": True}`` for a Run button in Jupyter).
    batch : callable, optional
        ``batch(**arrays) -> list of dicts``: ``compute`` at many points at once (each keyword a 1-d array
        of values, one entry per point), the same dicts as ``compute`` would return; used by
        :meth:`grid_data` when the grid is large.  Tests check it against ``compute``.
    """

    name: str
    title: str
    params: tuple
    compute: Callable[..., Mapping]
    draw: Callable
    summary: Callable | None = None
    figsize: tuple = (9.0, 3.4)
    options: dict = field(default_factory=dict)
    batch: Callable[..., list] | None = None

    def __post_init__(self):
        callable_arg("compute", self.compute)
        callable_arg("draw", self.draw)
        if self.summary is not None:
            callable_arg("summary", self.summary)
        if self.batch is not None:
            callable_arg("batch", self.batch)
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

    def grid_data(self, n=None) -> tuple[list, list]:
        """``(points, data)``: :meth:`grid` and the data at each point (through ``batch`` when given)."""
        points = self.grid(n)
        if self.batch is None:
            return points, [self.data(**p) for p in points]
        arrays = {p.name: np.array([pt[p.name] for pt in points]) for p in self.params}
        data = list(self.batch(**arrays))
        if len(data) != len(points):
            raise ValueError(f"batch must return one dict per point ({len(points)}), got {len(data)}")
        return points, data

    def quantities(self, data=None, **values) -> dict:
        """The summary as text, {label: str} (:func:`format_value`), of ``data`` or of the data at ``values``."""
        if self.summary is None:
            return {}
        if data is None:
            data = self.data(**values)
        elif values:
            raise TypeError("give data or values, not both")
        else:
            instance_of("data", data, Mapping)
        out = self.summary(data)
        if not isinstance(out, Mapping):
            raise TypeError(f"summary must return a dict of label -> value, got {type(out).__name__}")
        return {str(k): format_value(v) for k, v in out.items()}

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

        manual = manual or bool(self.options.get("manual", False))
        options = ({"manual": True, "manual_name": "Run"},) if manual else ()
        return W.interactive(show, *options, **sliders)


def format_value(value) -> str:
    """How every front end writes a summary value: text as is, ``yes``/``no``, integers in full, other
    numbers with 4 significant digits (Python's ``{:.4g}``; the in-page JavaScript mirrors it)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if not isinstance(value, (float, np.floating)):
        raise TypeError(f"value must be a str, bool, int or float, got {type(value).__name__} {shown(value)}")
    return f"{float(value):.4g}"
