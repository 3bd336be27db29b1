r"""Runs on partition problems: gradient descent, heavy ball and Nesterov of :mod:`accelbook.methods` on both
blocks jointly, with named records (loss, per-block step norms, the problem's tracked quantity), and the
Lemma 8 / Lemma 9 diagnostics along a Nesterov run.

Counts and rates use :mod:`accelbook.metrics` (one convention for the whole book): an iteration count is the
first iteration from which the value *stays* below the tolerance, ``-1`` (``metrics.NOT_REACHED``) if it is
not reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import methods, metrics
from .._validation import choice, finite_array, flag, instance_of, int_scalar, real_scalar
from ..oracle import CachedOracle
from .defaults import METHODS
from .lemmas import PROBLEMS, _block_grad_norms, _dominance, _split, lemma8_ratio
from .model import AdditiveModel, _trial_norm
from .network import ReluNetwork

__all__ = ["PartitionRun", "train", "run_diagnostics", "iterations_to_tol", "measured_rate", "loglog_slope"]

#: :func:`accelbook.metrics.loglog_slope`, re-exported under the name Chapter 5 uses.
loglog_slope = metrics.loglog_slope


def _curves(rel_losses, min_len):
    R = finite_array("rel_losses", rel_losses)
    if R.ndim == 1:
        R = R[:, None]
    if R.ndim != 2 or R.shape[0] < min_len or R.shape[1] == 0:
        raise ValueError(f"rel_losses must have shape (K+1, T) with K+1 >= {min_len} iterations, got {R.shape}")
    if np.any(R < 0):
        raise ValueError(f"rel_losses must be non-negative, got min {R.min():.3g}")
    return R


def iterations_to_tol(rel_losses, tol):
    """Per trial (column), the first iteration from which ``rel_losses`` stays ``<= tol``; -1 where it ends above.

    :func:`accelbook.metrics.iterations_to_tolerance` with an absolute level (``rel_losses`` are already
    relative, :math:`f_k/f_0`), always returning an int array over trials.
    """
    R = _curves(rel_losses, 1)
    return np.atleast_1d(metrics.iterations_to_tolerance(R, real_scalar("tol", tol, lo=0.0, lo_open=True),
                                                         relative=False))


def measured_rate(rel_losses, floor=1e-10):
    r"""The linear rate per iteration of :math:`f_k/f_0`, per trial: :func:`accelbook.metrics.measured_rate`
    over the window from the start to the first iteration with :math:`f_k/f_0 \le` ``floor`` (the whole run if
    never); comparable with Theorems 6 and 7."""
    R = _curves(rel_losses, 3)
    floor = real_scalar("floor", floor, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    return np.atleast_1d(metrics.measured_rate(R, start=1.0, stop=floor, min_points=3))


@dataclass
class PartitionRun:
    """A run on a partition problem (all arrays have a trailing trial axis of length T).

    Attributes
    ----------
    method : str
    eta, beta : float
    losses : ndarray (K+1, T)
        :math:`f(x_k, u_k)` (K accepted iterations; a diverged run keeps its finite prefix).
    dx, du : ndarray (K, T)
        :math:`\\|x_{k+1} - x_k\\|` and :math:`\\|u_{k+1} - u_k\\|`.
    result : accelbook.methods.RunResult
        ``result.diverged``, ``result.nit``, ``result.message``; ``result.x`` is the last iterate.
    records : dict of str to ndarray
        The problem's tracked quantities (``problem.tracked``: the smallest penultimate singular value of a
        network, the share of active ReLUs of an additive model) at iterations ``recorded_at``.
    recorded_at : ndarray of int
    null_space : dict of str to ndarray (K+1, T), or None
        Networks run with ``null_space=True``: ``"step_share"``, ``"iterate_share"``, ``"acquired_share"``,
        ``"row_space_drift"``, ``"fixed_mu_ratio"`` at every iteration (see :class:`_NullSpace`).
    """

    method: str
    eta: float
    beta: float
    losses: np.ndarray
    dx: np.ndarray
    du: np.ndarray
    result: methods.RunResult = field(repr=False)
    records: dict = field(default_factory=dict, repr=False)
    recorded_at: np.ndarray | None = None
    null_space: dict | None = field(default=None, repr=False)
    _relative: np.ndarray | None = field(default=None, repr=False)

    @property
    def relative_losses(self):
        """:math:`(f_k - f^\\star)/(f_0 - f^\\star)` with :math:`f^\\star = 0`."""
        return self.losses / self.losses[0] if self._relative is None else self._relative

    @property
    def diverged(self):
        return self.result.diverged

    @property
    def sigma_min(self):
        """Smallest penultimate singular value (networks tracked with ``track_every``), else None."""
        return self.records.get("sigma_min")

    @property
    def tracked_at(self):
        """The iterations of :attr:`records` (None when nothing was tracked)."""
        return self.recorded_at if self.records else None


class _BlockSteps:
    r"""Per-block step norms :math:`\|x_k - x_{k-1}\|`, :math:`\|u_k - u_{k-1}\|` as monitors of a run.

    The value at an iterate is its distance to the *previous distinct* iterate shown (0 for the first), so the
    records are the step norms when the runner evaluates its monitors at every accepted iterate in order
    (``record_every=1``, the contract of :mod:`accelbook.methods`).  Showing the same iterate again (equal
    values) returns the same norms and changes nothing.
    """

    def __init__(self, problem):
        self.problem = problem
        self.last = None
        self.value = None

    def __call__(self, w):
        """``[dx, du]``, shape ``(2, T)``: the step norms from the previous distinct iterate to ``w``."""
        if self.last is not None and all(np.array_equal(a, b) for a, b in zip(w, self.last)):
            return self.value
        x, u = _split(self.problem, w)
        if self.last is None:
            self.value = np.zeros((2, x[0].shape[0]))
        else:
            px, pu = _split(self.problem, self.last)
            self.value = np.stack([_trial_norm([a - b for a, b in zip(x, px)]),
                                   _trial_norm([a - b for a, b in zip(u, pu)])])
        self.last = [np.array(a) for a in w]
        return self.value


class _NullSpace:
    r"""The null-space question of the last-layer partition, as a monitor of a network run.

    With :math:`x = W_\Lambda` and more penultimate units than samples, :math:`f(\cdot, u)` is strongly convex
    only on the row space of :math:`F_{\Lambda-1}(u)`.  At each distinct iterate :math:`(x_k, u_k)` this returns
    ``(5, T)``, with :math:`P_k` the projection onto the row space of :math:`F_{\Lambda-1}(u_k)`:
    the share :math:`\|(I - P_k)\Delta x\|/\|\Delta x\|` of the last x-step :math:`\Delta x = x_k - x_{k-1}` outside
    it (0 at the start); the share :math:`\|(I - P_k)x_k\|/\|x_k\|` of the iterate; the share
    :math:`\|(I - P_k)(x_k - x_0)\|/\|(I - P_k)x_k\|` of that null-space component acquired during the run
    (small: inherited from the initialisation); the drift of the row space from the initial one, the sine
    of the largest principal angle (1 once the features have lost rank); and, for the fixed partition :math:`x = V_0^\top W_\Lambda` with
    :math:`V_0` an orthonormal basis of the *initial* row space (for which :math:`x^\star(u)` is a point),
    its strong-convexity constant :math:`\sigma_{\min}(F_{\Lambda-1}(u_k)V_0)^2` relative to the initial
    :math:`\mu`.  Keyed on values like :class:`_BlockSteps`.
    """

    def __init__(self, net):
        self.net, self.last, self.value, self.first = net, None, None, None

    def __call__(self, W):
        if self.last is not None and all(np.array_equal(a, b) for a, b in zip(W, self.last)):
            return self.value
        _, F = self.net._features(W)
        Ft = np.swapaxes(F[-1], 1, 2)  # (T, d, n)
        lam, V = np.linalg.eigh(F[-1] @ Ft)  # the Gram matrix F F^T = V diag(lam) V^T
        keep = lam > 1e-12 * lam[:, -1:]  # its rank (the features may lose rank along a run)
        Q = (Ft @ V) * np.where(keep, 1.0 / np.sqrt(np.where(keep, lam, 1.0)), 0.0)[:, None, :]  # row-space basis
        null = lambda v: v - (Q @ (np.swapaxes(Q, 1, 2) @ v[..., None]))[..., 0]  # noqa: E731
        norm = lambda v: np.linalg.norm(v, axis=1)  # noqa: E731
        tiny = np.finfo(float).tiny
        x = W[-1][..., 0]
        if self.first is None:
            self.first = (x, Q, lam[:, 0])
        x0, Q0, mu0 = self.first
        dx = x - (self.last[-1][..., 0] if self.last is not None else x)
        step = norm(null(dx)) / np.maximum(norm(dx), tiny)
        nx = null(x)
        acquired = norm(null(x - x0)) / np.maximum(norm(nx), tiny)
        cos = np.linalg.svd(np.swapaxes(Q0, 1, 2) @ Q, compute_uv=False)  # cosines of the principal angles
        drift = np.where(keep.all(axis=1), np.sqrt(np.clip(1.0 - cos[:, -1] ** 2, 0.0, 1.0)), 1.0)
        fixed_mu = np.linalg.svd(F[-1] @ Q0, compute_uv=False)[:, -1] ** 2 / mu0  # sigma_min(F V0)^2 / mu_0
        self.value = np.stack([step, norm(nx) / np.maximum(norm(x), tiny), acquired, drift, fixed_mu])
        self.last = [np.array(a) for a in W]
        return self.value


def _tol(tol):
    return None if tol is None else real_scalar("tol", tol, lo=0.0, lo_open=True)


def train(problem, w0, method, n_iter, *, eta, beta=0.0, tol=None, track_every=None, max_norm=1e8,
          block_steps=True, null_space=False):
    r"""Run ``method`` (``"gd"``, ``"heavy_ball"``, ``"nesterov"``) of :mod:`accelbook.methods` on a
    partition problem, jointly on both blocks, with named records.

    Parameters
    ----------
    problem : AdditiveModel or ReluNetwork
    w0 : list of arrays
        A parameter list of ``problem`` with :math:`f(w_0) > 0` in every trial.
    n_iter : int
    eta, beta : float
        Step and momentum (β ignored for ``"gd"``); see :func:`method_parameters`.
    tol : float, optional
        Stop once every trial's relative loss :math:`f_k/f_0` is ``<= tol``.
    track_every : int, optional
        Record the problem's tracked quantity (``problem.tracked``) every so many iterations.
    max_norm : float
        Divergence threshold on the norm of all parameters: the run stops, ``result.diverged`` is set and
        only the finite accepted prefix is returned.
    block_steps : bool
        Record :math:`\|\Delta x_k\|`, :math:`\|\Delta u_k\|` (otherwise ``dx``, ``du`` have no rows).
    null_space : bool
        Networks only: record, at every iteration, how much of the last-layer step and iterate lies outside the
        row space of the current penultimate features, and how far that row space has turned
        (``run.null_space``).
    """
    problem = instance_of("problem", problem, PROBLEMS)
    w0 = problem.check_params(w0, "w0")
    method = choice("method", method, METHODS)
    n_iter = int_scalar("n_iter", n_iter, lo=0)
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    beta = 0.0 if method == "gd" else beta
    tol = _tol(tol)
    if track_every is not None:
        track_every = int_scalar("track_every", track_every, lo=1)
    max_norm = real_scalar("max_norm", max_norm, lo=0.0, lo_open=True)
    block_steps = flag("block_steps", block_steps)
    if flag("null_space", null_space) and not isinstance(problem, ReluNetwork):
        raise ValueError("null_space must be False for an AdditiveModel (the x-block's Hessian A1^T A1 is "
                         "invertible: there is no null space)")
    f0 = problem._loss(w0)
    if np.any(f0 <= 0):
        raise ValueError("w0 must not be a minimiser: f(w0) > 0 in every trial (relative losses f_k/f_0)")
    monitors = {}
    if track_every:  # the loss and the tracked quantities share one forward pass
        oracle = CachedOracle(problem._measure)
        monitors.update(oracle.monitors(*problem.tracked))
        loss = lambda w: oracle(w)["loss"] / f0  # noqa: E731
    else:
        loss = lambda w: problem._loss(w) / f0  # noqa: E731
    if block_steps:
        monitors["block_steps"] = _BlockSteps(problem)
    if null_space:
        monitors["null_space"] = _NullSpace(problem)
    kw = dict(loss=loss, store="last", tol=tol, max_norm=max_norm, monitors=monitors)
    if method == "gd":
        res = methods.gradient_descent(problem._grad, w0, eta, n_iter, **kw)
    elif method == "heavy_ball":
        res = methods.heavy_ball(problem._grad, w0, eta, beta, n_iter, **kw)
    else:
        res = methods.nesterov(problem._grad, w0, eta, beta, n_iter, **kw)
    rec, T = res.records, f0.shape[0]
    records, at = {}, None
    if track_every:
        keep = res.recorded_at % track_every == 0
        records, at = {name: rec[name][keep] for name in problem.tracked}, res.recorded_at[keep]
    steps = rec["block_steps"][1:] if block_steps else np.zeros((0, 2, T))
    ns = None
    if null_space:
        names = ("step_share", "iterate_share", "acquired_share", "row_space_drift", "fixed_mu_ratio")
        ns = dict(zip(names, np.moveaxis(rec["null_space"], 1, 0)))
    return PartitionRun(method=method, eta=eta, beta=beta, losses=res.losses * f0, dx=steps[:, 0], du=steps[:, 1],
                        result=res, records=records, recorded_at=at, null_space=ns, _relative=res.losses)


def run_diagnostics(model, w0, eta, beta, n_iter, *, min_step=1e-9):
    r"""Lemma 8 and Lemma 9 (gradient dominance) along a Nesterov run on an additive model.

    Returns a dict: ``"x_star"`` ``(K, T)``, the quotients
    :math:`\|x^\star(u_{k+1})-x^\star(u_k)\|/\|u_{k+1}-u_k\|` (NaN once
    :math:`\|u_{k+1}-u_k\| \le` ``min_step`` :math:`\cdot\|u_k\|`, where rounding would dominate);
    ``"dominance_x"`` and ``"dominance_y"`` ``(K + 1, T)``, the gradient-dominance ratios at the
    iterates :math:`(x_k,u_k)` and at the extrapolated points :math:`(y_k,v_k)` where Nesterov takes
    its gradients; the run itself under ``"run"``, and ``"diverged"``.  K = ``n_iter``, or the number of
    accepted iterations of a diverged run (the diagnostics then cover its finite prefix).
    """
    model = instance_of("model", model, AdditiveModel)
    w0 = model.check_params(w0, "w0")
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    n_iter = int_scalar("n_iter", n_iter, lo=1)
    min_step = real_scalar("min_step", min_step, lo=0.0)
    run = methods.nesterov(model._grad, w0, eta, beta, n_iter, store="all", store_y=True, max_norm=1e8)
    U = np.stack([w[1] for w in run.iterates])  # (K+1, T, dim_u)
    xs = np.full((run.nit, model.n_trials), np.nan)
    for k in range(run.nit):
        ok = np.linalg.norm(U[k + 1] - U[k], axis=1) > min_step * np.linalg.norm(U[k], axis=1)
        if np.any(ok):
            sub = AdditiveModel(model.A1[ok], model.A2[ok], model.b[ok], model.B)
            xs[k, ok] = lemma8_ratio(sub, U[k + 1][ok], U[k][ok])
    return {"x_star": xs,
            "dominance_x": np.asarray([_dominance(*_block_grad_norms(model, w)) for w in run.iterates]),
            "dominance_y": np.asarray([_dominance(*_block_grad_norms(model, w)) for w in run.y_iterates]),
            "run": run, "diverged": run.diverged}
