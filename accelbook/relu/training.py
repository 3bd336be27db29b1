r"""Training the ReLU network (Chapter 3): gradient descent, heavy ball and Nesterov through
:mod:`accelbook.methods`, the same runs with ``torch.optim.SGD``, and the linearised (NTK) model.

Wang, Lin & Abernethy (2021), Algorithm 1 on the network of Section 2.2, the residual recursion (8) with
:math:`\phi_t = 0` (the linearised model of Lemma 3), and the experiment of Appendix H.

Every runner here flags divergence: a run whose iterate overflows (or leaves ``max_norm``) stops, returns
only the finite values recorded up to its last accepted iterate, with ``diverged=True`` and a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import methods, metrics, torch_bridge
from .._validation import choice, finite_array, flag, instance_of, int_scalar, real_scalar
from ..metrics import stacked_norms
from ..oracle import CachedOracle
from .data import _method, _method_beta
from .model import ReluProblem, _grad_from_patterns, _gram_from_patterns, _outputs_from_pre, _pre, _scaled_signs, loss

__all__ = ["ReluRun", "train", "TorchRun", "torch_train", "LinearisedRun", "linearised_residuals",
           "stacked_norms", "empirical_rate"]


# ---------------------------------------------------------------- accelbook.methods on the network
@dataclass
class ReluRun:
    r"""What :func:`train` records at every iteration ``t = 0..nit`` (the runner's named records).

    Attributes
    ----------
    xi : ndarray, shape (nit+1, ..., n)
        Residuals :math:`\xi_t = u_t - y` (for Nesterov, at the points :math:`x_k`): ``records["xi"]``.
    loss : ndarray, shape (nit+1, ...)
        :math:`\ell(W_t) = \tfrac12\|\xi_t\|^2`.
    pattern_change : ndarray, shape (nit+1, ...), or None (not in ``records``)
        :func:`~accelbook.relu.pattern_change_fraction` of :math:`W_t` against :math:`W_0`.
    max_distance : ndarray, shape (nit+1, ...), or None (not in ``records``)
        :math:`\max_r\|w_t^{(r)} - w_0^{(r)}\|`.
    gram : ndarray or None, shape (nit+1, ..., n, n)
        :math:`H_t = H(W_t)` when ``record_gram=True``.
    W : ndarray
        The last accepted iterate.
    result : RunResult
        The run of :mod:`accelbook.methods`: ``result.records`` holds the arrays above by name, its
        ``iterates`` the stored :math:`W_t`, ``diverged`` and ``message`` its outcome.
    """

    method: str
    eta: float
    beta: float
    xi: np.ndarray
    loss: np.ndarray
    pattern_change: np.ndarray
    max_distance: np.ndarray
    gram: np.ndarray | None
    W: np.ndarray
    result: methods.RunResult = field(repr=False)

    nit = property(lambda self: self.result.nit, doc="accepted iterations (len(xi) == nit + 1)")
    diverged = property(lambda self: self.result.diverged, doc="whether the run stopped on overflow")
    message = property(lambda self: self.result.message, doc="how the run ended")

    @property
    def records(self):
        """The named records of the run (``xi``, ``pattern_change``, ``max_distance``, optionally ``gram``)."""
        return self.result.records

    @property
    def stacked_norms(self):
        r""":math:`\|[\xi_t;\xi_{t-1}]\|` with :math:`\xi_{-1} = \xi_0` (:func:`accelbook.metrics.stacked_norms`)."""
        return stacked_norms(self.xi)

    @property
    def trajectory(self):
        """The stored iterates stacked, shape ``(k, ..., m, d)``."""
        return np.stack(self.result.iterates)


def _oracle(problem, names):
    """A :class:`~accelbook.oracle.CachedOracle` whose one forward pass per iterate yields the subgradient
    and the records in ``names`` (besides ``xi``): ``pattern_change``, ``max_distance``, ``gram``."""
    X, a, y, W0 = problem.X, problem.a, problem.y, problem.W0
    S0 = _pre(W0, X) >= 0
    a_scaled, patterns = _scaled_signs(a, problem.m), problem.n * problem.m

    def evaluate(W):
        Z = _pre(W, X)
        xi = _outputs_from_pre(Z, a) - y
        S = Z >= 0
        out = {"grad": _grad_from_patterns(S, a_scaled, X, xi), "xi": xi}
        if "pattern_change" in names:
            out["pattern_change"] = _batch(_count(S != S0) / patterns, xi)
        if "max_distance" in names:
            D = W - W0
            out["max_distance"] = _batch(np.sqrt(np.max(np.einsum("...md,...md->...m", D, D), axis=-1)), xi)
        if "gram" in names:
            out["gram"] = _gram_from_patterns(S, X)
        return out

    return CachedOracle(evaluate)


def _count(changed):
    """The number of True entries over the last two axes (the fast path for a single problem)."""
    return np.count_nonzero(changed) if changed.ndim == 2 else np.count_nonzero(changed, axis=(-2, -1))


def _batch(value, xi):
    """``value`` broadcast to the batch shape of the residual ``xi`` (when the data, not W, carry the batch)."""
    return value if np.shape(value) == xi.shape[:-1] else np.broadcast_to(value, xi.shape[:-1])


#: The records :func:`train` can keep besides the residuals (``xi``, always kept).
RECORDS = ("pattern_change", "max_distance", "gram")


def train(problem, method, eta, beta, n_iter, *, store="none", record_gram=False,
          records=("pattern_change", "max_distance")):
    r"""Train the first layer with gradient descent, heavy ball or Nesterov through :mod:`accelbook.methods`.

    Parameters
    ----------
    problem : ReluProblem
        A single problem or a batch of trials (all trials share ``eta`` and ``beta``).
    method : {"gd", "heavy_ball", "nesterov"}
        Heavy ball is Algorithm 1 with :math:`M_{-1}=0` (so :math:`w_{-1}=w_0`, :math:`\xi_{-1}=\xi_0`).
    eta : float
        Step size, > 0.
    beta : float
        Momentum, in [0, 1); must be 0 for ``"gd"``.
    n_iter : int
    store : as in :func:`accelbook.methods.gradient_descent` (``"all"`` keeps every :math:`W_t`:
        mind the memory, ``(n_iter+1) m d`` floats per trial).
    record_gram : bool
        Also record :math:`H_t = H(W_t)` (needed for Lemma 3's :math:`\iota_t`); the same as adding
        ``"gram"`` to ``records``.
    records : sequence of str
        Which records to keep besides the residuals :math:`\xi_t`, from ``"pattern_change"``,
        ``"max_distance"`` and ``"gram"``; the :class:`ReluRun` fields of the others are None (a run that
        needs fewer records, like the explorer's, does less work per iterate).

    Returns
    -------
    ReluRun
        Its arrays are the runner's named records (``run.records``), from one forward pass per iterate
        shared with the subgradient. A diverging run stops with ``run.diverged`` and finite records.
    """
    instance_of("problem", problem, ReluProblem)
    method = _method(method)
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = _method_beta(method, beta)
    n_iter = int_scalar("n_iter", n_iter, lo=0)
    record_gram = flag("record_gram", record_gram)
    if isinstance(records, str) or not np.iterable(records):
        raise TypeError(f"records must be a sequence of names from {RECORDS}, got {records!r}")
    wanted = {choice("records", r, RECORDS) for r in records} | ({"gram"} if record_gram else set())
    names = ("xi",) + tuple(r for r in RECORDS if r in wanted)
    oracle = _oracle(problem, names)
    kw = dict(store=store, monitors=oracle.monitors(*names))
    if method == "gd":
        res = methods.gradient_descent(oracle.grad, problem.W0, eta, n_iter, **kw)
    elif method == "heavy_ball":
        res = methods.heavy_ball(oracle.grad, problem.W0, eta, beta, n_iter, **kw)
    else:
        res = methods.nesterov(oracle.grad, problem.W0, eta, beta, n_iter, **kw)
    rec = res.records
    return ReluRun(method=method, eta=eta, beta=beta, xi=rec["xi"], loss=0.5 * np.sum(rec["xi"] ** 2, axis=-1),
                   pattern_change=rec.get("pattern_change"), max_distance=rec.get("max_distance"),
                   gram=rec.get("gram"), W=res.x, result=res)


# ---------------------------------------------------------------- the same runs with torch.optim.SGD
@dataclass
class TorchRun:
    r"""What :func:`torch_train` returns.

    Attributes
    ----------
    trajectory : ndarray or None, shape (nit+1, m, d)
        The parameters after every accepted step (``store="all"``; for Nesterov the extrapolated :math:`y_k`).
    loss : ndarray, shape (nit+1,)
        The loss (5) at those parameters.
    nit : int
        Accepted steps.
    diverged : bool
    message : str
    """

    trajectory: np.ndarray | None
    loss: np.ndarray
    nit: int
    diverged: bool
    message: str


def _torch_module(torch, problem):
    """``N_W`` of (2) as an ``nn.Module`` in float64: a bias-free ``nn.Linear(d, m)``, ReLU, fixed ``a/sqrt(m)``."""
    nn = torch.nn

    class ReluNet(nn.Module):
        def __init__(self, a, m, d):
            super().__init__()
            self.hidden = nn.Linear(d, m, bias=False).double()
            self.register_buffer("out_weights", torch.as_tensor(a / np.sqrt(m)))  # a_r / sqrt(m), not trained

        def forward(self, X):
            return torch.relu(self.hidden(X)) @ self.out_weights

    return ReluNet(problem.a, problem.m, problem.d)


def _finite_prefix(curve, traj, max_norm):
    """How many leading entries are accepted: iterates finite with norm <= ``max_norm``, losses finite."""
    ok = np.ones(len(curve if traj is None else traj), dtype=bool)
    if traj is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            norms = np.sqrt(np.sum(traj.reshape(traj.shape[0], -1) ** 2, axis=1))
        ok &= np.isfinite(norms) & (norms <= max_norm)
    if curve is not None:
        ok &= np.isfinite(curve)
    return ok.size if ok.all() else int(np.argmin(ok))


def torch_train(problem, eta, beta, n_iter, *, nesterov=False, device=None, store="all", max_norm=1e100):
    r"""The same training with ``torch.optim.SGD(lr=eta, momentum=beta, dampening=0, nesterov=...)``
    (through :func:`accelbook.torch_bridge.sgd_iterates`) on an ``nn.Module`` (a bias-free ``nn.Linear(d, m)``
    first layer, ReLU, fixed signs ``a/sqrt(m)``), in float64, on ``device`` (default: the CPU; e.g.
    ``"cuda"`` on a GPU machine for very wide networks).

    ``store="all"`` returns the parameters :math:`W_t` after every step; ``store="loss"`` only the loss
    curve :math:`\ell(W_t)`, kept on the device until the end (what a width sweep at m = 10^6 can afford to
    bring back). With ``nesterov=True`` the parameters are Nesterov's extrapolated points :math:`y_k` (see
    :mod:`accelbook.torch_bridge`). PyTorch's ReLU has derivative 0 at 0 where the source's subgradient has
    1; with Gaussian weights no pre-activation is ever exactly 0, so the runs agree with :func:`train`.

    Returns
    -------
    TorchRun
        A run that overflows (a non-finite loss, or an iterate that is not finite or has norm above
        ``max_norm``, as in :mod:`accelbook.methods`) is cut at its last accepted step, ``diverged=True``.
    """
    instance_of("problem", problem, ReluProblem)
    if problem.batch_shape:
        raise ValueError("problem must be a single problem: torch_train runs one problem at a time "
                         f"(W0 must have shape (m, d)), got W0 of shape {problem.W0.shape}")
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    n_iter = int_scalar("n_iter", n_iter, lo=0)
    nesterov = flag("nesterov", nesterov)
    if nesterov and beta == 0:
        raise ValueError("beta must be > 0 when nesterov=True (PyTorch's requirement)")
    if store not in ("all", "loss"):
        raise ValueError(f"store must be 'all' or 'loss', got {store!r}")
    max_norm = real_scalar("max_norm", max_norm, lo=0.0, lo_open=True)
    torch = torch_bridge.torch()
    try:
        dev = torch.device("cpu" if device is None else device)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(f"device must be a torch device or its name (e.g. 'cpu', 'cuda'), got {device!r}: "
                         f"{exc}") from None
    net = _torch_module(torch, problem).to(dev)
    X, y = torch.as_tensor(problem.X, device=dev), torch.as_tensor(problem.y, device=dev)

    def loss_fn(W):  # the loss (5) of the module with first layer W
        return 0.5 * ((torch.func.functional_call(net, {"hidden.weight": W}, (X,)) - y) ** 2).sum()

    out = torch_bridge.sgd_iterates(loss_fn, problem.W0, eta, beta, n_iter, nesterov=nesterov, device=dev,
                                    store=store, max_norm=max_norm)
    if store == "all":   # the loss at the accepted iterates (finite: their norms are at most max_norm)
        traj = np.asarray(out.iterates)
        curve = loss(traj, problem.a, problem.X, problem.y)
    else:
        traj, curve = None, out.losses
    k = _finite_prefix(curve, None, max_norm)
    diverged = bool(out.diverged) or k < len(curve)
    message = out.message if k == len(curve) else (
        f"diverged at iteration {k}: the loss is not finite (eta={eta:g}, beta={beta:g}); {k - 1} accepted "
        "iterations are returned")
    return TorchRun(trajectory=None if traj is None else traj[:k], loss=curve[:k], nit=k - 1, diverged=diverged,
                    message=message)


# ---------------------------------------------------------------- the linearised (NTK) model
@dataclass
class LinearisedRun:
    r"""The residuals of the linearised model (:func:`linearised_residuals`).

    Attributes
    ----------
    xi : ndarray, shape (nit+1, ..., n)
    nit : int
    diverged : bool
    message : str
    """

    xi: np.ndarray
    nit: int
    diverged: bool
    message: str

    @property
    def stacked_norms(self):
        r""":math:`\|[\xi_t;\xi_{t-1}]\|` with :math:`\xi_{-1} = \xi_0`."""
        return stacked_norms(self.xi)


def linearised_residuals(H, xi0, eta, beta, n_iter, *, method="heavy_ball"):
    r"""Residuals of the linearised (NTK) model, in which the Gram matrix stays at ``H``:

    - ``"gd"`` / ``"heavy_ball"``: :math:`\xi_{t+1} = ((1+\beta)I - \eta H)\xi_t - \beta\xi_{t-1}` (the
      recursion (8) of Wang et al. with :math:`\phi_t = 0`), :math:`\xi_{-1} = \xi_0`: heavy ball
      (Algorithm 2) on the quadratic with gradient :math:`H\xi`;
    - ``"nesterov"``: :math:`\xi_{k+1} = (I - \eta H)(\xi_k + \beta(\xi_k - \xi_{k-1}))`, Nesterov's method
      on the same quadratic.

    ``H`` of shape ``(..., n, n)`` and ``xi0`` of shape ``(..., n)`` broadcast (a batch of trials). Runs
    through :mod:`accelbook.methods`, so an unstable ``eta``/``beta`` stops with ``diverged=True``.

    Returns
    -------
    LinearisedRun
        ``xi`` of shape ``(nit+1, ..., n)``, finite.
    """
    H = finite_array("H", H)
    if H.ndim < 2 or H.shape[-1] != H.shape[-2]:
        raise ValueError(f"H must be square (or a batch of square matrices), got shape {H.shape}")
    xi0 = finite_array("xi0", xi0)
    if xi0.ndim < 1 or xi0.shape[-1] != H.shape[-1] or xi0.size == 0:
        raise ValueError(f"xi0 must have shape (..., {H.shape[-1]}) to match H, got {xi0.shape}")
    try:
        shape = np.broadcast_shapes(H.shape[:-1], xi0.shape)
    except ValueError:
        raise ValueError(f"xi0 of shape {xi0.shape} must broadcast against H of shape {H.shape}") from None
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    method = _method(method)
    beta = _method_beta(method, beta)
    n_iter = int_scalar("n_iter", n_iter, lo=0)

    def grad(v):
        return np.matmul(H, v[..., None])[..., 0]

    start = np.broadcast_to(xi0, shape)
    if method == "gd":
        res = methods.gradient_descent(grad, start, eta, n_iter)
    elif method == "heavy_ball":
        res = methods.heavy_ball(grad, start, eta, beta, n_iter, form="difference")
    else:
        res = methods.nesterov(grad, start, eta, beta, n_iter)
    return LinearisedRun(xi=res.trajectory, nit=res.nit, diverged=res.diverged, message=res.message)


# ---------------------------------------------------------------- the chapter's rate measurement
def empirical_rate(xi, *, start=1e-1, stop=1e-9):
    r"""The measured linear rate of a run, :func:`accelbook.metrics.measured_rate` of the stacked norms
    :math:`\|[\xi_t;\xi_{t-1}]\|` (:func:`accelbook.metrics.stacked_norms`) over the window Chapter 3 uses,
    from ``start`` = 10⁻¹ to ``stop`` = 10⁻⁹ of the value at t = 0.

    ``xi`` has shape ``(T+1, ..., n)``; returns a float or an array over the batch dimensions (``nan`` where
    fewer than 3 iterations fall in the window).
    """
    start = real_scalar("start", start, lo=0.0, hi=1.0, lo_open=True)
    stop = real_scalar("stop", stop, lo=0.0, hi=start, lo_open=True, hi_open=True)
    return metrics.measured_rate(stacked_norms(xi), start=start, stop=stop)
