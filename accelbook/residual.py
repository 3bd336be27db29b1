r"""The residual recursion (8) of Wang, Lin & Abernethy (2021) and the meta theorem (Theorem 6).

Every problem in the source is reduced to

.. math:: \xi_{t+1} = ((1+\beta) I - \eta H)\xi_t - \beta \xi_{t-1} + \phi_t ,

with :math:`\xi_t` a residual (iterate minus minimiser, or network output minus label), ``H`` a
fixed PSD matrix and :math:`\phi_t` whatever the linear part does not explain.  This module
extracts :math:`\phi_t` from a trajectory, rebuilds the trajectory through (15), and evaluates
the hypothesis (12) and conclusion (13) of the meta theorem.
"""

from __future__ import annotations

import numpy as np

from ._validation import count_array, finite_array, real_scalar, symmetric_psd
from .metrics import stacked_norms  # re-exported: the one implementation (Theorem 7's stacked norm)
from .theory import momentum_matrix, theorem5_constant

__all__ = ["extract_phi", "reconstruct", "propagated_phi_norms", "stacked_norms", "meta_bound",
           "meta_hypothesis_holds", "meta_conclusion_holds", "meta_theorem_curves"]


def _residuals(xi, n=None, name="xi"):
    xi = finite_array(name, xi, ndim=2)
    if n is not None and xi.shape[1] != n:
        raise ValueError(f"{name} must have shape (T+1, {n}) to match H, got {xi.shape}")
    return xi


def _start(xi, xi_prev):
    if xi_prev is None:
        return xi[0].copy()
    return finite_array("xi_prev", xi_prev, shape=(xi.shape[1],))


def _problem(xi, H, eta, beta, xi_prev):
    """Validate a trajectory and its linear part; returns ``(xi, H, eta, beta, xi_{-1})``."""
    H, _ = symmetric_psd("H", H)
    xi = _residuals(xi, H.shape[0])
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0)
    return xi, H, eta, beta, _start(xi, xi_prev)


def extract_phi(xi, H, eta, beta, *, xi_prev=None):
    r"""The perturbations :math:`\phi_t = \xi_{t+1} - ((1+\beta)I-\eta H)\xi_t + \beta\xi_{t-1}`
    of (8), for t = 0..T-1.

    Parameters
    ----------
    xi : array, shape (T+1, n)
        Residuals :math:`\xi_0, \dots, \xi_T` along a run.
    H : array, shape (n, n)
        Symmetric PSD matrix of the linear part (e.g. the Gram matrix at initialisation).
    eta, beta : float
        Step size (> 0) and momentum (0 <= beta <= 1).
    xi_prev : array, shape (n,), optional
        :math:`\xi_{-1}`; defaults to :math:`\xi_0` (a run started with :math:`w_{-1}=w_0`).

    Returns
    -------
    ndarray, shape (T, n)
    """
    xi, H, eta, beta, start = _problem(xi, H, eta, beta, xi_prev)
    prev = np.vstack([start[None, :], xi[:-2]]) if xi.shape[0] > 1 else np.empty((0, xi.shape[1]))
    cur = xi[:-1]
    return xi[1:] - ((1 + beta) * cur - eta * cur @ H) + beta * prev


def reconstruct(xi0, phi, H, eta, beta, *, xi_prev=None):
    r"""Rebuild :math:`[\xi_t; \xi_{t-1}]` for t = 0..T through (15):
    :math:`A^t[\xi_0;\xi_{-1}] + \sum_{s<t} A^{t-s-1}[\phi_s; 0]`. Returns shape (T+1, 2n)."""
    H, _ = symmetric_psd("H", H)
    n = H.shape[0]
    xi0 = finite_array("xi0", xi0, shape=(n,))
    phi = finite_array("phi", phi, ndim=2)
    if phi.shape[1] != n:
        raise ValueError(f"phi must have shape (T, {n}) to match H, got {phi.shape}")
    A = momentum_matrix(H, eta, beta)
    z = np.concatenate([xi0, xi0 if xi_prev is None else finite_array("xi_prev", xi_prev, shape=(n,))])
    homogeneous = [z]
    forced = [np.zeros(2 * n)]
    for s in range(phi.shape[0]):
        homogeneous.append(A @ homogeneous[-1])
        forced.append(A @ forced[-1] + np.concatenate([phi[s], np.zeros(n)]))
    return np.asarray(homogeneous) + np.asarray(forced)


def propagated_phi_norms(phi, H, eta, beta):
    r""":math:`\|\sum_{s=0}^{t-1} A^{t-s-1}[\phi_s; 0]\|` for t = 0..T, the left side of (12)."""
    H, _ = symmetric_psd("H", H)
    n = H.shape[0]
    phi = finite_array("phi", phi, ndim=2)
    if phi.shape[1] != n:
        raise ValueError(f"phi must have shape (T, {n}) to match H, got {phi.shape}")
    A = momentum_matrix(H, eta, beta)
    acc, out = np.zeros(2 * n), [0.0]
    for s in range(phi.shape[0]):
        acc = A @ acc + np.concatenate([phi[s], np.zeros(n)])
        out.append(np.linalg.norm(acc))
    return np.asarray(out)


def _tolerances(rtol, atol):
    return real_scalar("rtol", rtol, lo=0.0), real_scalar("atol", atol, lo=0.0)


def meta_bound(t, beta, c0, c1, c2, start_norm):
    r"""The right side of (11)/(13): :math:`(\sqrt\beta + C_2)^t (C_0 + C_1) \|[\xi_0;\xi_{-1}]\|`."""
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0)
    c0 = real_scalar("c0", c0, lo=1.0)
    c1 = real_scalar("c1", c1, lo=0.0)
    c2 = real_scalar("c2", c2, lo=0.0)
    start_norm = real_scalar("start_norm", start_norm, lo=0.0)
    t = count_array("t", t, lo=0)
    return (np.sqrt(beta) + c2) ** t * (c0 + c1) * start_norm


def meta_hypothesis_holds(xi, H, eta, beta, c2, c3, *, xi_prev=None, rtol=1e-9, atol=1e-12):
    r"""Check (12) along a trajectory: :math:`\|\sum_{s<t}A^{t-s-1}[\phi_s;0]\| \le
    (\sqrt\beta + C_2)^t C_3\|[\xi_0;\xi_{-1}]\|` for every t. Returns a boolean array over t.

    ``rtol`` and ``atol`` (relative to :math:`\|[\xi_0;\xi_{-1}]\|`) absorb rounding in the extracted
    :math:`\phi_t`."""
    xi = _residuals(xi)
    c2 = real_scalar("c2", c2, lo=0.0)
    c3 = real_scalar("c3", c3, lo=0.0)
    rtol, atol = _tolerances(rtol, atol)
    phi = extract_phi(xi, H, eta, beta, xi_prev=xi_prev)
    lhs = propagated_phi_norms(phi, H, eta, beta)
    start = stacked_norms(xi, xi_prev=xi_prev)[0]
    t = np.arange(lhs.size)
    return lhs <= (np.sqrt(beta) + c2) ** t * c3 * start * (1 + rtol) + atol * start


def meta_conclusion_holds(xi, H, eta, beta, c1, c2, *, xi_prev=None, c0=None, rtol=1e-9, atol=1e-12):
    r"""Check (13) along a trajectory, with :math:`C_0` from Theorem 5 (sharp form) unless given.
    Returns a boolean array over t."""
    xi = _residuals(xi)
    c1 = real_scalar("c1", c1, lo=0.0)
    c2 = real_scalar("c2", c2, lo=0.0)
    rtol, atol = _tolerances(rtol, atol)
    c0 = theorem5_constant(H, eta, beta) if c0 is None else real_scalar("c0", c0, lo=1.0)
    _problem(xi, H, eta, beta, xi_prev)
    norms = stacked_norms(xi, xi_prev=xi_prev)
    return norms <= meta_bound(np.arange(norms.size), beta, c0, c1, c2, norms[0]) * (1 + rtol) + atol * norms[0]


def meta_theorem_curves(xi, H, eta, beta, c1, c2, c3, *, c0=None, xi_prev=None):
    r"""Both sides of (12) and (13) along a trajectory, for plotting Theorem 6's induction.

    Returns a dict with ``t``, ``stacked`` (:math:`\|[\xi_t;\xi_{t-1}]\|`), ``bound13``,
    ``propagated`` (left side of (12)), ``bound12`` and the constants used (``c0`` from Theorem 5
    unless given)."""
    xi = _residuals(xi)
    c1 = real_scalar("c1", c1, lo=0.0)
    c2 = real_scalar("c2", c2, lo=0.0)
    c3 = real_scalar("c3", c3, lo=0.0)
    phi = extract_phi(xi, H, eta, beta, xi_prev=xi_prev)
    c0 = theorem5_constant(H, eta, beta) if c0 is None else real_scalar("c0", c0, lo=1.0)
    stacked = stacked_norms(xi, xi_prev=xi_prev)
    t = np.arange(stacked.size)
    return {"t": t, "stacked": stacked, "bound13": meta_bound(t, beta, c0, c1, c2, stacked[0]),
            "propagated": propagated_phi_norms(phi, H, eta, beta),
            "bound12": (np.sqrt(beta) + c2) ** t * c3 * stacked[0], "c0": c0, "c1": c1, "c2": c2, "c3": c3}
