r"""Smooth strongly convex test problems beyond quadratics (Chapter 2).

* :class:`RegularizedLogistic` — :math:`\ell_2`-regularised logistic regression, a member of
  :math:`\mathcal F^2_{\mu,\alpha}` with a Lipschitz Hessian, closed-form gradient and Hessian, and
  the averaged Hessian of Lemma 2 of Wang et al. (2021) by Gauss–Legendre quadrature.
* :func:`theorem8_scan`: Theorem 8's bound against runs from starts at growing radii.
* The counterexample of Lessard, Recht & Packard (2016) is in :mod:`accelbook.lrp` (re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import metrics
from ._validation import instance_of, int_scalar, real_array, real_scalar, rng_from

# The counterexample lives in accelbook.lrp; its names stay importable from here.
from .lrp import (CLASSIFY_MIN_ITER, LRP_L, LRP_MU, LRPRun, classify_lrp_starts,  # noqa: F401
                  detect_cycle, lrp_certified_convergence, lrp_function, lrp_gradient, lrp_heavy_ball,
                  lrp_linear_piece_gain, lrp_orbit_multipliers, true_intervals)

__all__ = ["RegularizedLogistic", "make_logistic", "averaged_hessian", "lemma2_phi",
           "lrp_function", "lrp_gradient", "LRP_MU", "LRP_L", "lrp_heavy_ball", "LRPRun", "detect_cycle",
           "classify_lrp_starts", "theorem8_scan", "true_intervals", "lrp_linear_piece_gain",
           "lrp_certified_convergence", "lrp_orbit_multipliers"]

#: Third-derivative bound of the logistic loss: max |s'(1-s)(1-2s)| over the sigmoid s = 1/(6*sqrt(3)).
_LOGISTIC_THIRD = 1.0 / (6.0 * np.sqrt(3.0))


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free


@dataclass(frozen=True)
class RegularizedLogistic:
    r""":math:`f(w) = \frac1N\sum_i \log(1 + e^{-y_i x_i^\top w}) + \frac\lambda2\|w\|^2`, labels ±1.

    Constants (all valid on the whole space):
    ``mu`` = λ (strong convexity), ``alpha`` = λ + ‖X‖²/(4N) (smoothness),
    ``hessian_lipschitz`` = ‖X‖² max_i‖x_i‖ /(6√3 N).
    """

    X: np.ndarray
    y: np.ndarray
    lam: float

    def __post_init__(self):
        X = real_array("X", self.X, ndim=2)
        if X.size == 0:
            raise ValueError(f"X must have at least one row and one column, got shape {X.shape}")
        y = real_array("y", self.y, ndim=1)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},) (one label per row of X), got {y.shape}")
        if not np.all(np.isin(y, (-1.0, 1.0))):
            raise ValueError("y must contain only labels -1 and +1")
        lam = real_scalar("lam", self.lam, lo=0.0, lo_open=True)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "lam", lam)
        object.__setattr__(self, "_Z", y[:, None] * X)  # rows y_i x_i

    @property
    def d(self):
        return self.X.shape[1]

    @property
    def mu(self):
        return self.lam

    @property
    def alpha(self):
        return self.lam + np.linalg.norm(self.X, 2) ** 2 / (4 * self.X.shape[0])

    @property
    def kappa(self):
        return self.alpha / self.mu

    @property
    def hessian_lipschitz(self):
        N = self.X.shape[0]
        return np.linalg.norm(self.X, 2) ** 2 * np.max(np.linalg.norm(self.X, axis=1)) * _LOGISTIC_THIRD / N

    def _point(self, w):
        w = real_array("w", w)
        if w.ndim not in (1, 2) or w.shape[-1] != self.d:
            raise ValueError(f"w must have shape ({self.d},) or (trials, {self.d}), got {w.shape}")
        return w

    def loss(self, w):
        """f(w); ``w`` of shape (d,) or a batch (trials, d)."""
        w = self._point(w)
        margins = w @ self._Z.T
        return np.mean(np.logaddexp(0.0, -margins), axis=-1) + 0.5 * self.lam * np.sum(w * w, axis=-1)

    def grad(self, w):
        """∇f(w); ``w`` of shape (d,) or a batch (trials, d)."""
        w = self._point(w)
        s = _sigmoid(-(w @ self._Z.T))  # probability of the wrong label
        return -(s @ self._Z) / self._Z.shape[0] + self.lam * w

    def hessian(self, w):
        """∇²f(w) = (1/N) Xᵀ diag(s(1-s)) X + λI, for one point ``w`` of shape (d,)."""
        w = real_array("w", w, ndim=1)
        if w.shape != (self.d,):
            raise ValueError(f"w must have shape ({self.d},), got {w.shape}")
        s = _sigmoid(self._Z @ w)
        return (self.X.T * (s * (1 - s))) @ self.X / self.X.shape[0] + self.lam * np.eye(self.d)

    @property
    def w_star(self):
        """The minimiser, by Newton's method (quadratic convergence; to rounding)."""
        w = np.zeros(self.d)
        for _ in range(100):
            step = np.linalg.solve(self.hessian(w), self.grad(w))
            w = w - step
            if np.linalg.norm(step) <= 1e-15 * max(1.0, np.linalg.norm(w)):
                break
        return w


def make_logistic(N, d, *, lam=0.01, seed=0):
    """A random logistic-regression problem with inputs of norm at most 1 (so the Hessian's Lipschitz
    constant is below the smoothness constant, as Theorem 8 of Wang et al. assumes)."""
    N = int_scalar("N", N, lo=1)
    d = int_scalar("d", d, lo=1)
    lam = real_scalar("lam", lam, lo=0.0, lo_open=True)
    rng = rng_from(seed)
    X = rng.standard_normal((N, d))
    X /= np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1.0) * rng.uniform(1.0, 2.0, (N, 1))
    w_true = rng.standard_normal(d)
    y = np.where(rng.uniform(size=N) < _sigmoid(3 * X @ w_true), 1.0, -1.0)
    return RegularizedLogistic(X=X, y=y, lam=lam)


def _vector(name, value, d):
    v = real_array(name, value, ndim=1)
    if v.shape != (d,):
        raise ValueError(f"{name} must have shape ({d},), got {v.shape}")
    return v


def averaged_hessian(f, w0, w_star, *, nodes=32):
    r"""Lemma 2's :math:`H = \int_0^1 \nabla^2 f((1-\tau) w_0 + \tau w_*)\, d\tau` by Gauss–Legendre
    quadrature with ``nodes`` points (exact for polynomial integrands of degree < 2·nodes)."""
    f = instance_of("f", f, RegularizedLogistic)
    nodes = int_scalar("nodes", nodes, lo=1)
    w0 = _vector("w0", w0, f.d)
    w_star = _vector("w_star", w_star, f.d)
    x, wts = np.polynomial.legendre.leggauss(nodes)
    tau, wts = 0.5 * (x + 1.0), 0.5 * wts
    return sum(c * f.hessian((1 - t) * w0 + t * w_star) for t, c in zip(tau, wts))


def lemma2_phi(f, iterates, w_star, eta, *, nodes=32):
    r"""Lemma 2: :math:`\phi_t = \eta(H_0 - H_t)(w_t - w_*)` with :math:`H_t` the Hessian averaged on the
    segment from :math:`w_t` to :math:`w_*`. Returns shape (T, d) for iterates :math:`w_0..w_{T}` (t < T)."""
    f = instance_of("f", f, RegularizedLogistic)
    W = real_array("iterates", iterates, ndim=2)
    if W.shape[0] < 2 or W.shape[1] != f.d:
        raise ValueError(f"iterates must have shape (T+1, {f.d}) with T >= 1, got {W.shape}")
    w_star = _vector("w_star", w_star, f.d)
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    nodes = int_scalar("nodes", nodes, lo=1)
    H0 = averaged_hessian(f, W[0], w_star, nodes=nodes)
    return np.stack([eta * (H0 - averaged_hessian(f, w, w_star, nodes=nodes)) @ (w - w_star) for w in W[:-1]])


def theorem8_scan(f, radii, *, n_dirs=8, n_iter=400, seed=0, floor=1e-12):
    r"""How far from :math:`w_*` does Theorem 8's bound still hold?

    For each radius r, start heavy ball (η = 1/α, β = (1 − 1/(2√κ))², :math:`w_{-1} = w_0`) from
    ``n_dirs`` random points with :math:`\|[w_0-w_*; w_{-1}-w_*]\| = r` (one batched run per radius) and
    record the worst ratio of :math:`\|[\xi_t;\xi_{t-1}]\|` to the bound (20) over t and directions, and
    the median measured rate (:func:`accelbook.metrics.measured_rate` of the stacked error, per direction).
    Only iterations where both the bound and the error stay above ``floor`` (absolute) count: below it,
    rounding in :math:`\nabla f` near :math:`w_*` dominates.

    Returns a dict of arrays ``radius``, ``worst_ratio``, ``rate`` (``nan`` where fewer than 11 iterations
    count) and the scalars ``kappa``, ``bound_rate``.
    """
    from . import methods, theory
    f = instance_of("f", f, RegularizedLogistic)
    floor = real_scalar("floor", floor, lo=0.0, lo_open=True)
    radii = real_array("radii", radii, ndim=1, nonempty=True, lo=floor, lo_open=True)
    n_dirs = int_scalar("n_dirs", n_dirs, lo=1)
    n_iter = int_scalar("n_iter", n_iter, lo=1)
    rng = rng_from(seed)
    w_star, kappa = f.w_star, f.kappa
    eta, beta = 1.0 / f.alpha, (1.0 - 0.5 / np.sqrt(kappa)) ** 2
    bound = theory.theorem8_bound(kappa, np.arange(n_iter + 1))
    worst, rate = [], []
    for r in radii:
        U = rng.standard_normal((n_dirs, f.d))
        U *= (r / np.sqrt(2.0)) / np.linalg.norm(U, axis=1, keepdims=True)  # ||[xi_0; xi_0]|| = r
        run = methods.heavy_ball(f.grad, w_star + U, eta, beta, n_iter)
        stacked = metrics.stacked_norms(run.trajectory - w_star)  # (nit + 1, n_dirs)
        counted = np.count_nonzero(bound[:stacked.shape[0]] * r > floor)  # the bound decreases: a prefix
        stacked = stacked[:counted]
        valid = stacked > floor
        worst.append(np.max(np.where(valid, stacked / (bound[:counted, None] * r), 0.0)))
        rates = metrics.measured_rate(stacked, start=1.0, stop=floor / r, min_points=11)
        rate.append(np.median(rates[np.isfinite(rates)]) if np.any(np.isfinite(rates)) else np.nan)
    return {"radius": radii, "worst_ratio": np.asarray(worst), "rate": np.asarray(rate), "kappa": kappa,
            "bound_rate": 1.0 - 0.25 / np.sqrt(kappa)}
