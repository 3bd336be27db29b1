r"""Data, initialisation and argument checks of the one-hidden-layer ReLU network (Chapter 3).

Wang, Lin & Abernethy (2021), Section 2.2 and Appendix H: inputs :math:`\|x_i\|\le 1` (rows of ``X``,
shape ``(n, d)``), labels ``y`` of shape ``(n,)``, first layer ``W`` of shape ``(m, d)`` (one neuron per row)
and fixed output signs ``a`` of shape ``(m,)``; every array may carry leading batch (trial) dimensions.
The checks here are shared by the other modules of :mod:`accelbook.relu`; their messages name the
parameter as the public signatures spell it.
"""

from __future__ import annotations

import numpy as np

from .._validation import choice, finite_array, int_scalar, real_scalar, rng_from

__all__ = ["METHODS", "unit_inputs", "clustered_inputs", "random_labels", "init_weights"]

#: The three methods every trainer of :mod:`accelbook.relu` runs.
METHODS = ("gd", "heavy_ball", "nesterov")


# ---------------------------------------------------------------- argument checks (shared by the sub-package)
def _inputs(X, name="X"):
    """``X`` as a float array of shape ``(..., n, d)`` whose rows have norm <= 1."""
    X = finite_array(name, X)
    if X.ndim < 2:
        raise ValueError(f"{name} must have shape (..., n, d) (one input per row), got shape {X.shape}")
    if X.shape[-1] < 1 or X.shape[-2] < 1:
        raise ValueError(f"{name} must have at least one input and one feature, got shape {X.shape}")
    norms = np.linalg.norm(X, axis=-1)
    if np.any(norms > 1 + 1e-12):
        raise ValueError(f"{name}: every input must have norm <= 1 (the source's assumption), "
                         f"largest norm is {norms.max():.6g}")
    return X


def _weights(W, d=None, name="W", match="X"):
    """``W`` as a float array of shape ``(..., m, d)`` (with ``d`` columns to match ``match`` if given)."""
    W = finite_array(name, W)
    if W.ndim < 2:
        raise ValueError(f"{name} must have shape (..., m, d) (one neuron per row), got shape {W.shape}")
    if d is not None and W.shape[-1] != d:
        raise ValueError(f"{name} must have d = {d} columns to match {match}, got shape {W.shape}")
    return W


def _signs(a, m, match="W"):
    """``a`` as a float array of shape ``(..., m)`` of signs -1 and +1 (``m`` neurons, as in ``match``)."""
    a = finite_array("a", a)
    if a.ndim < 1 or a.shape[-1] != m:
        raise ValueError(f"a must have shape (..., m) with m = {m} to match {match}, got shape {a.shape}")
    if not np.all(np.abs(a) == 1):
        raise ValueError("a must contain only the signs -1 and +1 (the fixed second layer)")
    return a


def _labels(y, n):
    y = finite_array("y", y)
    if y.ndim < 1 or y.shape[-1] != n:
        raise ValueError(f"y must have shape (..., n) with n = {n} to match X, got shape {y.shape}")
    return y


def _method(method):
    return choice("method", method, METHODS)


def _method_beta(method, beta):
    """``beta`` checked for ``method``: in [0, 1), and 0 for gradient descent."""
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    if method == "gd" and beta != 0.0:
        raise ValueError(f"beta must be 0 for method='gd', got {beta:g}")
    return beta


# ---------------------------------------------------------------- data and initialisation
def unit_inputs(n, d, *, seed):
    """``n`` standard Gaussian points in :math:`\\mathbb R^d` scaled to unit norm (Appendix H). Shape ``(n, d)``."""
    n = int_scalar("n", n, lo=1)
    d = int_scalar("d", d, lo=1)
    X = rng_from(seed).standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def clustered_inputs(n, d, angle, *, seed):
    r"""``n`` unit inputs :math:`x_i = \cos(\alpha)\,e + \sin(\alpha)\,v_i` at angle ``angle`` (radians)
    from a common random unit direction ``e``, with :math:`v_i \perp e` random unit vectors.

    Small angles make the inputs nearly parallel and the NTK Gram matrix ill-conditioned: its
    condition number grows like ``1/angle`` as ``angle -> 0``, and faster over moderate angles (about
    ``angle**-1.5`` between 8 and 60 degrees, Chapter 3); ``angle = pi/2`` gives random unit inputs
    orthogonal to ``e``. Requires ``d >= 2``. Shape ``(n, d)``.
    """
    n = int_scalar("n", n, lo=1)
    d = int_scalar("d", d, lo=2)
    angle = real_scalar("angle", angle, lo=0.0, hi=np.pi / 2, lo_open=True)
    rng = rng_from(seed)
    e = rng.standard_normal(d)
    e /= np.linalg.norm(e)
    V = rng.standard_normal((n, d))
    V -= np.outer(V @ e, e)
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    return np.cos(angle) * e + np.sin(angle) * V


def random_labels(n, *, seed):
    """Labels drawn uniformly from {-1, +1} (Appendix H). Shape ``(n,)``."""
    n = int_scalar("n", n, lo=1)
    return rng_from(seed).choice(np.array([-1.0, 1.0]), size=n)


def init_weights(m, d, *, seed, trials=None):
    r"""The random initialisation of Section 2.2: :math:`w^{(r)}_0 \sim N(0, I_d)` and
    :math:`a_r` uniform in {-1, +1}. Returns ``(W0, a)`` of shapes ``(m, d)`` and ``(m,)``, or
    ``(trials, m, d)`` and ``(trials, m)`` for a batch of independent draws."""
    m = int_scalar("m", m, lo=1)
    d = int_scalar("d", d, lo=1)
    batch = () if trials is None else (int_scalar("trials", trials, lo=1),)
    rng = rng_from(seed)
    W0 = rng.standard_normal(batch + (m, d))
    a = rng.choice(np.array([-1.0, 1.0]), size=batch + (m,))
    return W0, a

