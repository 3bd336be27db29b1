r"""Strongly convex quadratics :math:`f(w) = \tfrac12 w^\top H w - b^\top w` ((1) in Wang et al. 2021)
with a prescribed spectrum, and the exact behaviour of heavy ball on them, eigendirection by
eigendirection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import finite_array, int_scalar, real_scalar, rng_from, symmetric_psd

__all__ = ["Quadratic", "make_quadratic", "spectrum", "stacked_error_norms", "eigen_errors",
           "iterations_to_tolerance", "kappa_sweep"]


@dataclass(frozen=True)
class Quadratic:
    r""":math:`f(w) = \tfrac12 w^\top H w - b^\top w` with H symmetric positive definite.

    ``loss``, ``grad`` accept one point of shape ``(n,)`` or a batch ``(trials, n)`` (row-wise).
    """

    H: np.ndarray
    b: np.ndarray

    def __post_init__(self):
        H, eig = symmetric_psd("H", self.H, positive_definite=True)
        b = finite_array("b", self.b, shape=(H.shape[0],))
        object.__setattr__(self, "H", H)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "eigenvalues", eig)

    @property
    def n(self):
        return self.H.shape[0]

    @property
    def mu(self):
        """Strong convexity constant, λmin(H)."""
        return float(self.eigenvalues[0])

    @property
    def L(self):
        """Smoothness constant, λmax(H) (α in Wang et al.)."""
        return float(self.eigenvalues[-1])

    @property
    def kappa(self):
        return self.L / self.mu

    @property
    def w_star(self):
        return np.linalg.solve(self.H, self.b)

    def loss(self, w):
        w = np.asarray(w, dtype=np.float64)
        return 0.5 * np.einsum("...i,...i->...", w @ self.H, w) - w @ self.b

    def grad(self, w):
        return np.asarray(w, dtype=np.float64) @ self.H - self.b

    def optimality_gap(self, w):
        """f(w) - f(w*) = ½ (w - w*)ᵀ H (w - w*) (exact, no cancellation)."""
        e = np.asarray(w, dtype=np.float64) - self.w_star
        return 0.5 * np.einsum("...i,...i->...", e @ self.H, e)


def spectrum(n, kappa, *, mu=1.0, spacing="log"):
    """``n`` eigenvalues from ``mu`` to ``kappa * mu`` (both included), log- or linearly spaced."""
    n = int_scalar("n", n, lo=1)
    kappa = real_scalar("kappa", kappa, lo=1.0)
    mu = real_scalar("mu", mu, lo=0.0, lo_open=True)
    if n == 1 and kappa != 1.0:
        raise ValueError("n must be >= 2 when kappa > 1 (one eigenvalue has condition number 1)")
    if spacing == "log":
        return mu * np.logspace(0.0, np.log10(kappa), n)
    if spacing == "linear":
        return mu * np.linspace(1.0, kappa, n)
    raise ValueError(f"spacing must be 'log' or 'linear', got {spacing!r}")


def make_quadratic(n=None, kappa=None, *, eigenvalues=None, mu=1.0, spacing="log", seed=0):
    """A quadratic with a random orthonormal eigenbasis and a random minimiser.

    Give either ``eigenvalues`` (all > 0) or ``n`` and ``kappa`` (see :func:`spectrum`).
    ``seed`` is an int or a ``numpy.random.Generator``.
    """
    rng = rng_from(seed)
    if eigenvalues is not None:
        if n is not None or kappa is not None:
            raise ValueError("give either eigenvalues or (n, kappa), not both")
        eig = finite_array("eigenvalues", eigenvalues, ndim=1)
        if eig.size == 0 or np.any(eig <= 0):
            raise ValueError("eigenvalues must be a non-empty list of positive numbers")
    else:
        if n is None or kappa is None:
            raise ValueError("give n and kappa (or eigenvalues)")
        eig = spectrum(n, kappa, mu=mu, spacing=spacing)
    Q, R = np.linalg.qr(rng.standard_normal((eig.size, eig.size)))
    Q = Q * np.sign(np.diag(R))  # Haar-distributed orthogonal matrix
    H = (Q * eig) @ Q.T
    H = 0.5 * (H + H.T)
    w_star = rng.standard_normal(eig.size)
    return Quadratic(H=H, b=H @ w_star)


def stacked_error_norms(iterates, w_star):
    r""":math:`\|[w_t - w_*;\, w_{t-1} - w_*]\|` for consecutive iterates ``w_0..w_T`` (with
    :math:`w_{-1} = w_0`), the quantity bounded in Theorem 7. Returns an array of length T+1."""
    W = finite_array("iterates", iterates, ndim=2)
    w_star = finite_array("w_star", w_star, shape=(W.shape[1],))
    E = np.sum((W - w_star) ** 2, axis=1)
    prev = np.concatenate([E[:1], E[:-1]])
    return np.sqrt(E + prev)


def eigen_errors(z, beta, e0, t_max):
    r"""Exact heavy-ball errors along each eigendirection of a quadratic.

    In the eigenbasis of H, heavy ball with :math:`w_{-1} = w_0` decouples into scalar recursions
    :math:`e_{t+1} = (1 + \beta - z) e_t - \beta e_{t-1}`, :math:`e_{-1} = e_0`, with
    :math:`z = \eta\lambda_i` (``beta = 0`` is gradient descent).  Everything broadcasts, so a whole
    sweep of problems (rows) runs at once.

    Parameters
    ----------
    z : array, shape (..., n)
        Scaled eigenvalues ``eta * lambda_i`` (>= 0).
    beta : float or array broadcastable against ``z``
        Momentum per problem, ``0 <= beta < 1``.
    e0 : array broadcastable against ``z``
        Initial error components.
    t_max : int

    Returns
    -------
    ndarray, shape (t_max + 1, ...) + z.shape
    """
    z = np.asarray(z, dtype=np.float64)
    if np.any(~np.isfinite(z)) or np.any(z < 0):
        raise ValueError("z must be finite and >= 0")
    beta = np.asarray(beta, dtype=np.float64)
    if np.any(~np.isfinite(beta)) or np.any(beta < 0) or np.any(beta >= 1):
        raise ValueError("beta must be in [0, 1)")
    e0 = finite_array("e0", e0)
    t_max = int_scalar("t_max", t_max, lo=0)
    a = 1.0 + beta - z
    out = np.empty((t_max + 1,) + np.broadcast(z, beta, e0).shape)
    prev = cur = np.broadcast_to(e0, out.shape[1:]).astype(np.float64)
    out[0] = cur
    with np.errstate(over="raise", invalid="raise"):
        try:
            for t in range(t_max):
                prev, cur = cur, a * cur - beta * prev
                out[t + 1] = cur
        except FloatingPointError:
            raise FloatingPointError(f"heavy ball diverged at iteration {t + 1}: some |1 + beta - z| is "
                                     "too large (z = eta*lambda must lie in the stable region)") from None
    return out


def iterations_to_tolerance(eigenvalues, eta, beta, tol, *, e0=None, t_max=1_000_000, chunk=4096):
    r"""First t with :math:`\|w_t - w_*\| \le \mathrm{tol}\,\|w_0 - w_*\|` for heavy ball (``beta=0``: GD).

    Batched: ``eigenvalues`` has shape ``(problems, n)``; ``eta`` and ``beta`` are scalars or have
    shape ``(problems,)``.  The start has equal weight on every eigendirection unless ``e0`` is
    given.  Runs in chunks of ``chunk`` iterations and stops when every problem is done; returns an
    int array (``-1`` where ``t_max`` was not enough).
    """
    lam = finite_array("eigenvalues", eigenvalues)
    if lam.ndim == 1:
        lam = lam[None, :]
    if lam.ndim != 2 or np.any(lam <= 0):
        raise ValueError("eigenvalues must be positive, with shape (problems, n) or (n,)")
    P, n = lam.shape
    eta = np.broadcast_to(np.asarray(eta, dtype=np.float64), (P,))
    beta = np.broadcast_to(np.asarray(beta, dtype=np.float64), (P,))
    if np.any(~np.isfinite(eta)) or np.any(eta <= 0):
        raise ValueError("eta must be finite and > 0")
    if np.any(~np.isfinite(beta)) or np.any(beta < 0) or np.any(beta >= 1):
        raise ValueError("beta must be in [0, 1)")
    tol = real_scalar("tol", tol, lo=0.0, lo_open=True, hi=1.0, hi_open=True)
    t_max = int_scalar("t_max", t_max, lo=1)
    e = np.full((P, n), 1.0 / np.sqrt(n)) if e0 is None else np.broadcast_to(
        finite_array("e0", e0), (P, n)).astype(np.float64)
    target = tol * np.linalg.norm(e, axis=1)
    a = 1.0 + beta[:, None] - eta[:, None] * lam
    b = beta[:, None]
    result = np.full(P, -1)
    active = np.arange(P)  # problems not yet done; finished ones are dropped between chunks
    prev, cur, t = e.copy(), e.copy(), 0
    with np.errstate(over="ignore", invalid="ignore"):
        while t < t_max and active.size:
            steps = min(chunk, t_max - t)
            aa, bb, tt = a[active], b[active], target[active]
            norms = np.empty((steps, active.size))
            for s in range(steps):
                prev, cur = cur, aa * cur - bb * prev
                norms[s] = np.sqrt(np.einsum("ij,ij->i", cur, cur))
            if not np.all(np.isfinite(norms)):
                raise FloatingPointError("heavy ball diverged for some problem: check eta and beta")
            hit = norms <= tt
            done = hit.any(axis=0)
            result[active[done]] = hit.argmax(axis=0)[done] + t + 1
            prev, cur, active = prev[~done], cur[~done], active[~done]
            t += steps
    return result


def kappa_sweep(kappas, *, tol=1e-6, n=20):
    r"""Iterations to reach ``tol`` relative error for gradient descent (η = 1/L) and heavy ball with
    Corollary 1's parameters, on diagonal quadratics with ``n`` log-spaced eigenvalues in [1, κ].

    All κ run as one batch.  Returns a dict with ``kappa``, ``gd``, ``heavy_ball`` (int arrays) and
    the fitted log-log slopes ``slope_gd``, ``slope_heavy_ball`` (``nan`` for fewer than 2 κ).
    """
    kappas = finite_array("kappas", kappas, ndim=1)
    if kappas.size == 0 or np.any(kappas < 1):
        raise ValueError("kappas must be a non-empty list of condition numbers >= 1")
    lam = np.stack([spectrum(n, k) for k in kappas])
    eta = 1.0 / kappas
    beta = (1.0 - 0.5 / np.sqrt(kappas)) ** 2  # Corollary 1 (see theory.corollary1_parameters)
    gd = iterations_to_tolerance(lam, eta, 0.0, tol)
    hb = iterations_to_tolerance(lam, eta, beta, tol)
    out = {"kappa": kappas, "gd": gd, "heavy_ball": hb}
    for name, its in (("gd", gd), ("heavy_ball", hb)):
        ok = its > 0
        out[f"slope_{name}"] = float(np.polyfit(np.log(kappas[ok]), np.log(its[ok]), 1)[0]) \
            if np.count_nonzero(ok) >= 2 and np.ptp(kappas[ok]) > 0 else float("nan")
    return out
