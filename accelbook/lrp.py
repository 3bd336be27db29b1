r"""The one-dimensional counterexample of Lessard, Recht & Packard (2016) (Chapter 2).

A piecewise quadratic with μ = 1 and L = 25 on which heavy ball with Polyak's tuning cycles: the function and
its gradient, batched heavy-ball runs that flag divergence, a cycle detector, the outcome classifier, and the
certificates behind the chapter's claims (a contracting linear piece, certified convergence, the 3-cycle's
multipliers).  Re-exported by :mod:`accelbook.convex`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._records import ArrayRecord
from ._validation import finite_array, int_scalar, real_array, real_scalar

__all__ = ["lrp_function", "lrp_gradient", "LRP_MU", "LRP_L", "lrp_heavy_ball", "LRPRun", "detect_cycle",
           "classify_lrp_starts", "true_intervals", "lrp_linear_piece_gain", "lrp_certified_convergence",
           "lrp_orbit_multipliers", "CLASSIFY_MIN_ITER"]

# ---------------------------------------------------------------- Lessard–Recht–Packard counterexample
LRP_MU, LRP_L = 1.0, 25.0


def lrp_function(x):
    r"""The piecewise quadratic of Lessard, Recht & Packard (2016), μ = 1, L = 25, minimiser 0:
    25x²/2 (x < 1); x²/2 + 24x − 12 (1 ≤ x < 2); 25x²/2 − 24x + 36 (x ≥ 2)."""
    x = real_array("x", x)
    return np.where(x < 1, 12.5 * x * x, np.where(x < 2, 0.5 * x * x + 24 * x - 12, 12.5 * x * x - 24 * x + 36))


def lrp_gradient(x):
    """Derivative of :func:`lrp_function` (continuous; its slope jumps between 1 and 25 at x = 1 and 2)."""
    x = real_array("x", x)
    return np.where(x < 1, 25 * x, np.where(x < 2, x + 24, 25 * x - 24))


@dataclass(frozen=True, eq=False)
class LRPRun(ArrayRecord):
    """Heavy ball on the counterexample (:func:`lrp_heavy_ball`); reads as the array ``trajectory``.

    Attributes
    ----------
    trajectory : ndarray, shape (n_iter + 1,) + broadcast shape
        The iterates, all finite.  A trial that diverged (``|x_t| > max_abs``) stops there: its entries
        from ``nit + 1`` on repeat its last accepted iterate, so use :meth:`prefix` (or ``nit``) for it.
    diverged : ndarray of bool, broadcast shape (0-d for scalar inputs)
    nit : ndarray of int, broadcast shape
        Accepted steps per trial (``n_iter`` unless that trial diverged).
    message : str
    """

    trajectory: np.ndarray
    diverged: np.ndarray
    nit: np.ndarray
    message: str
    _array_field = "trajectory"

    def prefix(self, index=()):
        """The finite iterates of one trial (``index`` into the trial axes; ``()`` for a scalar run)."""
        if not isinstance(index, tuple):
            index = (index,)
        try:
            nit = int(self.nit[index])
        except (IndexError, TypeError) as exc:
            raise ValueError(f"index must select one trial of shape {self.nit.shape}, got {index!r} ({exc})") from None
        return self.trajectory[(slice(0, nit + 1),) + index]


def lrp_heavy_ball(x0, eta, beta, n_iter, *, max_abs=1e100):
    """Heavy ball on the counterexample, vectorised over any broadcastable arrays ``x0``, ``eta``,
    ``beta`` (so a whole grid of starts and momenta runs at once); ``x_{-1} = x_0``.

    A trial whose iterate leaves ``[-max_abs, max_abs]`` is stopped there and flagged as diverged (the
    other trials run on).  Returns an :class:`LRPRun` (which reads as its ``trajectory`` array, shape
    ``(n_iter + 1,) + broadcast shape``)."""
    x0 = real_array("x0", x0)
    eta = real_array("eta", eta, lo=0.0, lo_open=True)
    beta = real_array("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    n_iter = int_scalar("n_iter", n_iter, lo=0)
    max_abs = real_scalar("max_abs", max_abs, lo=0.0, lo_open=True)
    try:
        shape = np.broadcast_shapes(x0.shape, eta.shape, beta.shape)
    except ValueError:
        raise ValueError(f"x0, eta and beta must broadcast against each other, got shapes {x0.shape}, "
                         f"{eta.shape}, {beta.shape}") from None
    if np.any(np.abs(x0) > max_abs):
        raise ValueError(f"x0 must lie in [-max_abs, max_abs] = [-{max_abs:g}, {max_abs:g}]")
    out = np.empty((n_iter + 1,) + shape)
    prev = cur = np.broadcast_to(x0, shape).astype(np.float64)
    out[0] = cur
    alive = np.ones(shape, dtype=bool)
    nit = np.zeros(shape, dtype=np.int64)
    for t in range(n_iter):
        new = cur - eta * lrp_gradient(cur) + beta * (cur - prev)
        alive &= np.abs(new) <= max_abs  # |x| <= 1e100 keeps every product finite: no overflow
        prev, cur = np.where(alive, cur, prev), np.where(alive, new, cur)
        nit += alive
        out[t + 1] = cur
    diverged = nit < n_iter
    message = (f"{int(diverged.sum())} of {diverged.size} trials diverged (|x_t| > {max_abs:g})" if diverged.any()
               else f"completed {n_iter} iterations")
    return LRPRun(out, diverged, nit, message)


def detect_cycle(trajectory, *, max_period=50, tail=200, tol=1e-9):
    """Look for a periodic orbit at the end of a 1-d trajectory (axis 0 = time; extra axes = trials).

    Returns an int array: the smallest period p ≥ 2 with |x_t - x_{t-p}| ≤ tol · (spread of the tail) over
    the last ``tail`` steps and the orbit not a single point, 1 if the tail has settled on a fixed point
    (|x_t - x_T| ≤ tol), 0 if neither (still moving, or diverged: the trials an :class:`LRPRun` flags are 0).
    The period test is relative to the tail's spread (max − min), so a slowly contracting oscillation of small
    amplitude is not taken for a cycle.  The trajectory needs at least ``tail + max_period`` steps.
    """
    diverged = trajectory.diverged if isinstance(trajectory, LRPRun) else None
    X = real_array("trajectory", trajectory.trajectory if diverged is not None else trajectory)
    max_period = int_scalar("max_period", max_period, lo=2)
    tail = int_scalar("tail", tail, lo=2)
    tol = real_scalar("tol", tol, lo=0.0)
    if X.ndim == 0 or X.shape[0] < tail + max_period:
        raise ValueError(f"trajectory must have at least tail + max_period = {tail + max_period} steps, "
                         f"got shape {X.shape}")
    end = X[-tail:]
    period = np.zeros(X.shape[1:], dtype=int)
    settled = np.all(np.abs(end - end[-1]) <= tol, axis=0)
    period[settled] = 1
    spread = np.max(end, axis=0) - np.min(end, axis=0)
    for p in range(2, max_period + 1):
        same = np.all(np.abs(end - X[-tail - p:-p]) <= tol * spread, axis=0)
        period[(period == 0) & same] = p
    if diverged is not None:
        period[diverged] = 0
    return period


#: The fewest iterations :func:`classify_lrp_starts` accepts: the cycle detector reads the last 200 steps
#: and periods up to 50, so it needs 250 iterates.
CLASSIFY_MIN_ITER = 249


def classify_lrp_starts(x0, *, beta=4 / 9, eta=1 / 9, n_iter=2000):
    """Run heavy ball on the counterexample from each start (batched) and classify the outcome:
    1 = converges to the minimiser 0 (certified by :func:`lrp_certified_convergence` from the last state,
    however slowly it converges), p ≥ 2 = ends on a cycle of period p (any p ≤ 50, :func:`detect_cycle`),
    -1 = diverges (|x_t| > 1e6 over the last 200 iterations, or the run stopped as diverged), 0 = none of
    these within ``n_iter`` iterations (bounded over the last 200 iterations, but neither certified
    convergence nor a cycle of period <= 50 found).

    ``n_iter`` must be at least 249 (the cycle detector reads the last 200 iterates and periods up to 50).
    """
    n_iter = int_scalar("n_iter", n_iter, lo=CLASSIFY_MIN_ITER)
    run = lrp_heavy_ball(x0, eta, beta, n_iter)
    traj = run.trajectory
    diverged = run.diverged | ~np.all(np.abs(traj[-200:]) <= 1e6, axis=0)
    period = detect_cycle(run)
    converged = lrp_certified_convergence(traj[-1], traj[-2], eta, beta)
    out = np.where(converged, 1, np.where(period >= 2, period, 0))
    return np.where(diverged, -1, out)


def true_intervals(x, mask):
    """The maximal runs of ``mask`` over the sorted grid ``x``, as a list of (first x, last x) pairs."""
    x = real_array("x", x, ndim=1)
    m = np.asarray(mask) if mask is not None and not isinstance(mask, str) else None
    if m is None or m.dtype.kind not in "biuf" or (m.dtype.kind != "b" and not np.all(np.isin(m, (0, 1)))):
        raise TypeError(f"mask must be an array of bools (or 0/1), got {type(mask).__name__} {mask!r:.60}")
    mask = m.astype(bool)
    if mask.shape != x.shape:
        raise ValueError(f"mask must have the shape of x {x.shape}, got {mask.shape}")
    if np.any(np.diff(x) < 0):
        raise ValueError("x must be sorted in increasing order")
    edges = np.flatnonzero(np.diff(np.r_[False, mask, False].astype(int)))
    return [(float(x[a]), float(x[b - 1])) for a, b in zip(edges[::2], edges[1::2])]


# ---------------------------------------------------------------- certificates behind the chapters' claims (issue 14)
def _lrp_block(eta, curvature, beta):
    """The heavy-ball matrix of the state (x_t, x_{t-1}) where f'' = ``curvature``: [[1+β−η f'', −β], [1, 0]]."""
    return np.array([[1.0 + beta - eta * curvature, -beta], [1.0, 0.0]])


def _float_array(name, value):
    """``value`` as a float64 array; inf and NaN allowed (a diverged trajectory's last state)."""
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of real numbers, got {type(value).__name__}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of real numbers ({exc})") from None
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    return arr


def lrp_linear_piece_gain(eta, beta, *, horizon=20_000):
    r"""The largest amplification :math:`M = \sup_{k\ge0}\|B^k\|_2` of heavy ball on the piece
    :math:`f = \tfrac{25}{2}x^2` (:math:`x < 1`) of the Lessard–Recht–Packard function, where
    :math:`B = \begin{bmatrix}1+\beta-25\eta & -\beta\\ 1 & 0\end{bmatrix}`.

    Computed exactly by submultiplicativity: if :math:`\|B^K\|_2 \le 1` then every :math:`k = mK + r` has
    :math:`\|B^k\| \le \|B^r\|`, so :math:`M = \max_{r<K}\|B^r\|`. Returns ``inf`` when :math:`\rho(B)\ge1` or no
    :math:`K \le` ``horizon`` has :math:`\|B^K\|\le1` (nothing certified).
    """
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    horizon = int_scalar("horizon", horizon, lo=1)
    from .theory import block_spectral_radius
    if block_spectral_radius(eta * LRP_L, beta) >= 1.0:
        return float("inf")
    B = _lrp_block(eta, LRP_L, beta)
    power, gain = np.eye(2), 1.0
    for _ in range(horizon):
        power = B @ power
        norm = np.linalg.norm(power, 2)
        if norm <= 1.0:
            return float(gain)
        gain = max(gain, norm)
    return float("inf")


def lrp_certified_convergence(x_last, x_prev, eta, beta, *, horizon=20_000):
    r"""Whether heavy ball on the Lessard–Recht–Packard function provably converges from the state
    :math:`(x_t, x_{t-1})` = (``x_last``, ``x_prev``) (broadcastable arrays; ``eta``, ``beta`` too).

    Certificate: with :math:`M` from :func:`lrp_linear_piece_gain`, :math:`M\,\|(x_t, x_{t-1})\| < 1/2` keeps
    every later iterate in :math:`|x| < 1/2`, inside the quadratic piece :math:`x < 1`, where the recursion is
    linear with spectral radius below 1: the iterates stay there and tend to the minimiser 0. (The factor 1/2
    is a margin for rounding.) The state (0, 0) is the minimiser, a fixed point, whatever ``eta`` and
    ``beta``. Non-finite states are not certified.
    """
    x_last, x_prev = _float_array("x_last", x_last), _float_array("x_prev", x_prev)
    eta, beta = finite_array("eta", eta), finite_array("beta", beta)
    if np.any(eta <= 0):
        raise ValueError("eta must be > 0")
    if np.any(beta < 0) or np.any(beta >= 1):
        raise ValueError("beta must be in [0, 1)")
    shape = np.broadcast(x_last, x_prev, eta, beta).shape
    eta_b, beta_b = np.broadcast_to(eta, shape), np.broadcast_to(beta, shape)
    pairs, where = np.unique(np.stack([eta_b.ravel(), beta_b.ravel()], axis=1), axis=0, return_inverse=True)
    gains = np.array([lrp_linear_piece_gain(e, b, horizon=horizon) for e, b in pairs])
    gain = gains[np.ravel(where)].reshape(shape)
    with np.errstate(over="ignore", invalid="ignore"):
        size = np.hypot(np.broadcast_to(x_last, shape), np.broadcast_to(x_prev, shape))
        return (size == 0) | (np.isfinite(size) & np.isfinite(gain) & (gain * size < 0.5))


def lrp_orbit_multipliers(orbit, eta, beta, *, tol=1e-8):
    r"""The eigenvalues (multipliers) of the derivative of the p-step heavy-ball map along a periodic orbit.

    ``orbit`` = :math:`(x_1, \dots, x_p)`, consecutive iterates of a cycle of period p (so :math:`x_0 = x_p`).
    The one-step map :math:`(x, y)\mapsto(x - \eta f'(x) + \beta(x - y),\, x)` has derivative
    :math:`\begin{bmatrix}1+\beta-\eta f''(x) & -\beta\\ 1 & 0\end{bmatrix}`, with :math:`f'' = 25` for
    :math:`x<1` or :math:`x\ge2` and 1 in between; the p-step derivative is the product along the orbit. The
    cycle attracts nearby starts when every multiplier has modulus below 1. Checks that ``orbit`` is a cycle
    (to ``tol``) and avoids the kinks ``x = 1, 2``, where the map is not differentiable.
    """
    x = finite_array("orbit", orbit, ndim=1)
    if x.size < 1:
        raise ValueError("orbit must contain at least one point")
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    tol = real_scalar("tol", tol, lo=0.0, lo_open=True)
    if np.any(np.abs(x - 1.0) <= tol) or np.any(np.abs(x - 2.0) <= tol):
        raise ValueError("orbit must avoid the kinks x = 1 and x = 2 (the map is not differentiable there)")
    nxt = x - eta * lrp_gradient(x) + beta * (x - np.roll(x, 1))
    if not np.allclose(nxt, np.roll(x, -1), rtol=0.0, atol=tol * max(1.0, np.max(np.abs(x)))):
        raise ValueError(f"orbit must be consecutive iterates of a cycle (one heavy-ball step maps x_t to x_(t+1), "
                         f"to tol={tol:g}), got a mismatch of {np.max(np.abs(nxt - np.roll(x, -1))):.3g}")
    J = np.eye(2)
    for xt in x:
        J = _lrp_block(eta, np.where((xt < 1) | (xt >= 2), LRP_L, LRP_MU), beta) @ J
    return np.linalg.eigvals(J)
