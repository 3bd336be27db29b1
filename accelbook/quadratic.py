r"""Strongly convex quadratics :math:`f(w) = \tfrac12 w^\top H w - b^\top w` ((1) in Wang et al. 2021)
with a prescribed spectrum, and the exact behaviour of heavy ball on them, eigendirection by
eigendirection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import metrics
from ._records import ArrayRecord
from ._validation import choice, int_scalar, real_array, real_scalar, rng_from, symmetric_psd

__all__ = ["Quadratic", "make_quadratic", "spectrum", "stacked_error_norms", "eigen_errors", "EigenErrors",
           "iterations_to_tolerance", "kappa_sweep"]


@dataclass(frozen=True)
class Quadratic:
    r""":math:`f(w) = \tfrac12 w^\top H w - b^\top w` with H symmetric positive definite.

    ``loss``, ``grad`` and ``optimality_gap`` accept one point of shape ``(n,)`` or a batch ``(trials, n)``
    (row-wise); anything else is refused with a ``ValueError`` naming ``w``.
    """

    H: np.ndarray
    b: np.ndarray

    def __post_init__(self):
        H, eig = symmetric_psd("H", self.H, positive_definite=True)
        b = real_array("b", self.b, ndim=1)
        if b.shape != (H.shape[0],):
            raise ValueError(f"b must have shape ({H.shape[0]},) to match H, got {b.shape}")
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

    def _point(self, w):
        w = real_array("w", w)
        if w.ndim not in (1, 2) or w.shape[-1] != self.n:
            raise ValueError(f"w must have shape ({self.n},) or (trials, {self.n}), got {w.shape}")
        return w

    def loss(self, w):
        """f(w) for one point or a batch of points (rows)."""
        w = self._point(w)
        return 0.5 * np.einsum("...i,...i->...", w @ self.H, w) - w @ self.b

    def grad(self, w):
        """∇f(w) = Hw − b for one point or a batch of points (rows)."""
        return self._point(w) @ self.H - self.b

    def optimality_gap(self, w):
        """f(w) - f(w*) = ½ (w - w*)ᵀ H (w - w*) (exact, no cancellation)."""
        e = self._point(w) - self.w_star
        return 0.5 * np.einsum("...i,...i->...", e @ self.H, e)


def spectrum(n, kappa, *, mu=1.0, spacing="log"):
    """``n`` eigenvalues from ``mu`` to ``kappa * mu`` (both included), log- or linearly spaced."""
    n = int_scalar("n", n, lo=1)
    kappa = real_scalar("kappa", kappa, lo=1.0)
    mu = real_scalar("mu", mu, lo=0.0, lo_open=True)
    spacing = choice("spacing", spacing, ("log", "linear"))
    if n == 1 and kappa != 1.0:
        raise ValueError("n must be >= 2 when kappa > 1 (one eigenvalue has condition number 1)")
    if spacing == "log":
        return mu * np.logspace(0.0, np.log10(kappa), n)
    return mu * np.linspace(1.0, kappa, n)


def make_quadratic(n=None, kappa=None, *, eigenvalues=None, mu=1.0, spacing="log", seed=0):
    """A quadratic with a random orthonormal eigenbasis and a random minimiser.

    Give either ``eigenvalues`` (all > 0) or ``n`` and ``kappa`` (see :func:`spectrum`).
    ``seed`` is an int or a ``numpy.random.Generator``.
    """
    rng = rng_from(seed)
    if eigenvalues is not None:
        if n is not None or kappa is not None:
            raise ValueError("give either eigenvalues or (n, kappa), not both")
        eig = real_array("eigenvalues", eigenvalues, ndim=1, nonempty=True, lo=0.0, lo_open=True)
    else:
        if n is None or kappa is None:
            missing = "n" if n is None else "kappa"
            raise ValueError(f"{missing} must be given (give n and kappa, or eigenvalues)")
        eig = spectrum(n, kappa, mu=mu, spacing=spacing)
    Q, R = np.linalg.qr(rng.standard_normal((eig.size, eig.size)))
    Q = Q * np.sign(np.diag(R))  # Haar-distributed orthogonal matrix
    H = (Q * eig) @ Q.T
    H = 0.5 * (H + H.T)
    w_star = rng.standard_normal(eig.size)
    return Quadratic(H=H, b=H @ w_star)


def stacked_error_norms(iterates, w_star):
    r""":math:`\|[w_t - w_*;\, w_{t-1} - w_*]\|` for consecutive iterates ``w_0..w_T`` (with
    :math:`w_{-1} = w_0`), the quantity bounded in Theorem 7. Returns an array of length T+1.

    A thin wrapper: :func:`accelbook.metrics.stacked_norms` of the errors ``iterates - w_star``."""
    W = real_array("iterates", iterates, ndim=2, nonempty=True)
    w_star = real_array("w_star", w_star, ndim=1)
    if w_star.shape != (W.shape[1],):
        raise ValueError(f"w_star must have shape ({W.shape[1]},) to match the iterates, got {w_star.shape}")
    return metrics.stacked_norms(W - w_star)


@dataclass(frozen=True, eq=False)
class EigenErrors(ArrayRecord):
    r"""The result of :func:`eigen_errors`; reads as the array ``errors`` (so old code indexing it works).

    Attributes
    ----------
    errors : ndarray, shape (nit + 1, ...)
        :math:`e_0, \dots, e_{\mathrm{nit}}`, all finite.
    diverged : bool
        Whether the recursion overflowed; the step that did is not returned.
    nit : int
        Steps returned (``t_max`` unless diverged).
    message : str
    """

    errors: np.ndarray
    diverged: bool
    nit: int
    message: str
    _array_field = "errors"


def _broadcast(names, *arrays):
    try:
        return np.broadcast_shapes(*(np.shape(a) for a in arrays))
    except ValueError:
        raise ValueError(f"{' and '.join(names)} must broadcast against each other, got shapes "
                         f"{', '.join(str(np.shape(a)) for a in arrays)}") from None


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
    EigenErrors
        ``errors`` of shape ``(nit + 1, ...) + broadcast shape`` (``nit = t_max`` unless the recursion
        overflowed: then it stops, ``diverged`` is True and only the finite steps are returned).
    """
    z = real_array("z", z, lo=0.0)
    beta = real_array("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    e0 = real_array("e0", e0)
    t_max = int_scalar("t_max", t_max, lo=0)
    shape = _broadcast(("z", "beta", "e0"), z, beta, e0)
    a = 1.0 + beta - z
    out = np.empty((t_max + 1,) + shape)
    prev = cur = np.broadcast_to(e0, shape).astype(np.float64)
    out[0] = cur
    nit = t_max
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(t_max):
            prev, cur = cur, a * cur - beta * prev
            if not np.all(np.isfinite(cur)):
                nit = t
                break
            out[t + 1] = cur
    if nit < t_max:
        return EigenErrors(out[:nit + 1], True, nit,
                           f"diverged at iteration {nit + 1}: some |1 + beta - z| is too large (z = eta*lambda "
                           f"must lie in the stable region); {nit} steps are returned")
    return EigenErrors(out, False, t_max, f"completed {t_max} iterations")


def _per_problem(name, value, P, **bounds):
    arr = real_array(name, value, **bounds)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.size not in (1, P)):
        raise ValueError(f"{name} must be a scalar or have shape ({P},) (one per problem), got {arr.shape}")
    return np.broadcast_to(arr.reshape(-1) if arr.ndim else arr, (P,))


def iterations_to_tolerance(eigenvalues, eta, beta, tol, *, e0=None, t_max=1_000_000, chunk=4096):
    r"""Iterations until :math:`\|w_t - w_*\| \le \mathrm{tol}\,\|w_0 - w_*\|` *for good*, for heavy ball
    (``beta=0``: gradient descent), by the exact recursions of :func:`eigen_errors`.

    Batched: ``eigenvalues`` has shape ``(problems, n)``; ``eta`` and ``beta`` are scalars or have
    shape ``(problems,)``.  The start has equal weight on every eigendirection unless ``e0`` is
    given.

    The convention is that of :func:`accelbook.metrics.iterations_to_tolerance`: the answer is the first t
    from which the error *stays* at or below the level, so a transient dip followed by a rise does not
    count.  A run cannot look forever, so each problem runs until its error has stayed below the level
    for ``chunk`` consecutive iterations (or until ``t_max``), and the count is the first t of that final
    stretch.  A dip shorter than ``chunk`` iterations is therefore never mistaken for convergence.

    Returns
    -------
    ndarray of int, shape (problems,)
        :data:`accelbook.metrics.NOT_REACHED` (-1) where the error is above the level at ``t_max``, or
        where the recursion diverges (overflows).
    """
    lam = real_array("eigenvalues", eigenvalues, lo=0.0, lo_open=True, nonempty=True)
    if lam.ndim == 1:
        lam = lam[None, :]
    if lam.ndim != 2:
        raise ValueError(f"eigenvalues must have shape (problems, n) or (n,), got {lam.shape}")
    P, n = lam.shape
    eta = _per_problem("eta", eta, P, lo=0.0, lo_open=True)
    beta = _per_problem("beta", beta, P, lo=0.0, hi=1.0, hi_open=True)
    tol = real_scalar("tol", tol, lo=0.0, lo_open=True, hi=1.0, hi_open=True)
    t_max = int_scalar("t_max", t_max, lo=1)
    chunk = int_scalar("chunk", chunk, lo=1)
    if e0 is None:
        e = np.full((P, n), 1.0 / np.sqrt(n))
    else:
        e0 = real_array("e0", e0)
        try:
            e = np.broadcast_to(e0, (P, n)).astype(np.float64)
        except ValueError:
            raise ValueError(f"e0 must broadcast to the eigenvalues' shape ({P}, {n}), got {e0.shape}") from None
        if np.any(np.linalg.norm(e, axis=1) == 0):
            raise ValueError("e0 must be nonzero for every problem (the tolerance is relative to ||e0||)")
    return _count(lam, eta, beta, e, tol * np.linalg.norm(e, axis=1), t_max, chunk)


def _count(lam, eta, beta, e, target, t_max, chunk):
    """The chunked runner behind :func:`iterations_to_tolerance`."""
    P = lam.shape[0]
    a = 1.0 + beta[:, None] - eta[:, None] * lam
    b = beta[:, None]
    result = np.full(P, metrics.NOT_REACHED)
    last_above = np.zeros(P, dtype=np.int64)  # t = 0 is above the level (tol < 1)
    active = np.arange(P)  # problems not yet decided; decided ones are dropped between rounds
    prev, cur, t = e.copy(), e.copy(), 0
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        while t < t_max and active.size:
            # run just long enough for the problem closest to done to complete its stretch below the level
            steps = int(min(t_max - t, np.min(chunk - np.minimum(t - last_above[active], chunk - 1))))
            aa, bb, tt = a[active], b[active], target[active]
            norms = np.empty((steps, active.size))
            for s in range(steps):
                prev, cur = cur, aa * cur - bb * prev
                norms[s] = np.sqrt(np.einsum("ij,ij->i", cur, cur))
            above = ~(norms <= tt)  # NaN counts as above
            last = steps - 1 - np.argmax(above[::-1], axis=0)
            last_above[active] = np.where(above.any(axis=0), t + last + 1, last_above[active])
            t += steps
            diverged = ~np.all(np.isfinite(norms), axis=0)
            done = ~diverged & (t - last_above[active] >= chunk)
            result[active[done]] = last_above[active[done]] + 1
            keep = ~(done | diverged)
            prev, cur, active = prev[keep], cur[keep], active[keep]
        ended_below = last_above[active] < t  # t_max reached: the last stretch below counts (metrics' rule)
        result[active[ended_below]] = last_above[active[ended_below]] + 1
    return result


def kappa_sweep(kappas, *, tol=1e-6, n=20):
    r"""Iterations to reach ``tol`` relative error for gradient descent (η = 1/L) and heavy ball with
    Corollary 1's parameters, on diagonal quadratics with ``n`` log-spaced eigenvalues in [1, κ].

    All κ run as one batch (counts by :func:`iterations_to_tolerance`).  Returns a dict with ``kappa``,
    ``gd``, ``heavy_ball`` (int arrays) and the fitted log-log slopes ``slope_gd``, ``slope_heavy_ball``
    (:func:`accelbook.metrics.loglog_slope` over the reached counts; ``nan`` for fewer than 2 distinct κ).
    """
    kappas = real_array("kappas", kappas, ndim=1, nonempty=True, lo=1.0)
    tol = real_scalar("tol", tol, lo=0.0, lo_open=True, hi=1.0, hi_open=True)
    n = int_scalar("n", n, lo=2)
    lam = np.stack([spectrum(n, k) for k in kappas])
    eta = 1.0 / kappas
    beta = (1.0 - 0.5 / np.sqrt(kappas)) ** 2  # Corollary 1 (see theory.corollary1_parameters)
    gd = iterations_to_tolerance(lam, eta, 0.0, tol)
    hb = iterations_to_tolerance(lam, eta, beta, tol)
    out = {"kappa": kappas, "gd": gd, "heavy_ball": hb}
    for name, its in (("gd", gd), ("heavy_ball", hb)):
        ok = its > 0
        out[f"slope_{name}"] = metrics.loglog_slope(kappas[ok], its[ok]) \
            if np.count_nonzero(ok) >= 2 and np.ptp(kappas[ok]) > 0 else float("nan")
    return out
