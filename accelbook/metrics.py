r"""Measurements on runs, one implementation each: stacked norms, measured rates, iterations to a tolerance.

Every chapter uses these (and only these) for the three ideas, so "the measured rate" or "iterations to
reach 10⁻⁶" means the same thing on every page.

Conventions
-----------
* **Stacked norm** (the quantity of Theorem 7 of Wang, Lin & Abernethy and of (11)):
  :math:`\|[\xi_t; \xi_{t-1}]\|` with :math:`\xi_{-1} = \xi_0` unless a previous residual is given.
* **Measured rate**: :math:`\exp` of the least-squares slope of :math:`\log v_t` over a window of the run,
  the iterations from the first one where :math:`v_t/v_0 \le` ``start`` to the first one where
  :math:`v_t/v_0 \le` ``stop`` (the end of the run if never). The fit averages over oscillations.
* **Iterations to tolerance**: the first t from which the quantity *stays* at or below the tolerance up to the
  end of the run (a transient dip followed by a rise does not count); ``-1`` when the run ends above it
  (never reached, or the run stopped early).
"""

from __future__ import annotations

import numpy as np

from ._validation import finite_array, int_scalar, real_scalar

__all__ = ["stacked_norms", "measured_rate", "iterations_to_tolerance", "loglog_slope", "NOT_REACHED"]

#: The value :func:`iterations_to_tolerance` (and every count built on it) returns when a tolerance is not reached.
NOT_REACHED = -1


def stacked_norms(xi, *, xi_prev=None):
    r""":math:`\|[\xi_t;\xi_{t-1}]\|` for t = 0..T.

    Parameters
    ----------
    xi : array_like, shape (T+1, ..., n)
        Residuals over time (axis 0); the last axis is the vector, axes in between are a batch (trials).
    xi_prev : array_like, shape (..., n), optional
        :math:`\xi_{-1}`; defaults to :math:`\xi_0` (the start :math:`w_{-1} = w_0` of Algorithms 1 and 2).

    Returns
    -------
    ndarray, shape (T+1, ...)
    """
    xi = finite_array("xi", xi)
    if xi.ndim < 2 or xi.shape[0] == 0 or xi.shape[-1] == 0:
        raise ValueError(f"xi must have shape (T+1, ..., n) with T+1 >= 1 and n >= 1, got {xi.shape}")
    norms = _norms(xi)
    if xi_prev is None:
        prev0 = norms[:1]
    else:
        prev0 = _norms(finite_array("xi_prev", xi_prev, shape=xi.shape[1:]))[None]
    return np.hypot(norms, np.concatenate([prev0, norms[:-1]]))


def _norms(v):
    """Euclidean norms over the last axis, scaled so that finite vectors never overflow when squared."""
    scale = np.max(np.abs(v), axis=-1, keepdims=True)
    scale = np.where(scale > 0, scale, 1.0)
    return scale[..., 0] * np.sqrt(np.sum((v / scale) ** 2, axis=-1))


def _curves(name, values):
    v = finite_array(name, values)
    if v.ndim == 0 or v.shape[0] == 0:
        raise ValueError(f"{name} must have shape (T+1, ...) with T+1 >= 1, got {v.shape}")
    if np.any(v < 0):
        raise ValueError(f"{name} must be non-negative (norms, losses or gaps), got min {v.min():.3g}")
    return v


def measured_rate(values, *, start=1.0, stop=1e-12, min_points=3):
    r"""The linear rate a run shows: :math:`\exp` of the least-squares slope of :math:`\log v_t` over a window.

    The window runs from the first t with :math:`v_t \le` ``start`` :math:`\cdot v_0` to the first t with
    :math:`v_t \le` ``stop`` :math:`\cdot v_0` (inclusive; the end of the run if never), using only
    positive entries.

    Parameters
    ----------
    values : array_like, shape (T+1, ...)
        A non-negative decaying sequence over axis 0 (norms, losses, gaps); other axes are trials.
    start, stop : float
        The window's relative levels, ``0 < stop < start <= 1``.
    min_points : int
        Fewer usable points than this in the window give ``nan`` for that trial.

    Returns
    -------
    float or ndarray over the trial axes
    """
    v = _curves("values", values)
    start = real_scalar("start", start, lo=0.0, hi=1.0, lo_open=True)
    stop = real_scalar("stop", stop, lo=0.0, hi=start, lo_open=True, hi_open=True)
    min_points = int_scalar("min_points", min_points, lo=2)
    T = v.shape[0]
    flat = v.reshape(T, -1)
    out = np.full(flat.shape[1], np.nan)
    t = np.arange(T)
    for k in range(flat.shape[1]):
        col = flat[:, k]
        if col[0] <= 0:
            continue
        rel = col / col[0]
        below_start = np.flatnonzero(rel <= start)
        if below_start.size == 0:
            continue
        reached = np.flatnonzero(rel <= stop)
        t2 = reached[0] if reached.size else T - 1
        sl = np.arange(below_start[0], t2 + 1)
        sl = sl[col[sl] > 0]
        if sl.size >= min_points:
            out[k] = np.exp(np.polyfit(t[sl], np.log(col[sl]), 1)[0])
    return float(out[0]) if v.ndim == 1 else out.reshape(v.shape[1:])


def iterations_to_tolerance(values, tol, *, relative=True):
    r"""The first iteration from which ``values`` stays ``<= tol`` (times ``values[0]`` if ``relative``).

    Parameters
    ----------
    values : array_like, shape (T+1, ...)
        A non-negative sequence over axis 0 (errors, losses); other axes are trials.
    tol : float
        The tolerance, ``tol > 0``.
    relative : bool
        Compare with ``tol * values[0]`` (default) or with ``tol`` itself.

    Returns
    -------
    int or ndarray of int
        The first t with ``values[s] <= level`` for every s >= t; :data:`NOT_REACHED` (-1) where the last
        value is above the level. A transient dip below the level that is followed by a rise does not count.
    """
    v = _curves("values", values)
    tol = real_scalar("tol", tol, lo=0.0, lo_open=True)
    if not isinstance(relative, (bool, np.bool_)):
        raise TypeError(f"relative must be a bool, got {type(relative).__name__}")
    level = tol * v[:1] if relative else tol
    above = v > level
    T = v.shape[0]
    # index of the last entry above the level (-1 if none); the answer is the one after it
    last_above = np.where(above.any(axis=0), T - 1 - np.argmax(above[::-1], axis=0), -1)
    first = np.where(above[-1], NOT_REACHED, last_above + 1)
    return int(first) if v.ndim == 1 else first.astype(int)


def loglog_slope(x, y):
    """Least-squares slope of log ``y`` against log ``x`` (how a count grows with κ, a width, a depth).

    Parameters
    ----------
    x, y : array_like, 1-d, positive, of equal length >= 2
    """
    x = finite_array("x", x, ndim=1)
    y = finite_array("y", y, ndim=1)
    if x.size < 2:
        raise ValueError(f"x must have at least 2 entries, got {x.size}")
    if y.size != x.size:
        raise ValueError(f"y must have the length of x ({x.size}), got {y.size}")
    if np.any(x <= 0):
        raise ValueError(f"x must be positive, got min {x.min():.3g}")
    if np.any(y <= 0):
        raise ValueError(f"y must be positive, got min {y.min():.3g}")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])
