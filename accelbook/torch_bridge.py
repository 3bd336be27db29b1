r"""PyTorch's ``torch.optim.SGD`` next to :mod:`accelbook.methods`.

* ``SGD(lr=η, momentum=β, dampening=0)`` is Algorithm 1 of Wang et al. (2021): its momentum
  buffer is :math:`M_t = \beta M_{t-1} + \nabla\ell(w_t)` (created as :math:`\nabla\ell(w_0)`,
  i.e. :math:`M_{-1}=0`) and its step :math:`w_{t+1} = w_t - \eta M_t`.
* ``SGD(..., nesterov=True)`` steps :math:`p_{t+1} = p_t - \eta(g_t + \beta b_t)` with
  :math:`b_t = \beta b_{t-1} + g_t`, :math:`g_t = \nabla f(p_t)`.  Its parameters are the
  *extrapolated* points: :math:`p_k = y_k` of Nesterov's form
  :math:`x_{k+1} = y_k - \eta\nabla f(y_k)`, :math:`y_{k+1} = x_{k+1} + \beta(x_{k+1}-x_k)`,
  :math:`y_0 = x_0`, with buffer :math:`b_k = (x_k - x_{k+1})/\eta`.  The sequence :math:`x_k`
  is recovered as :math:`x_{k+1} = p_k - \eta\nabla f(p_k)`.

Torch glue lives here and only here: :func:`torch` imports PyTorch on first use (so ``import accelbook``
stays cheap), and model modules build their torch losses on it.

Divergence: :func:`sgd_iterates` stops at the first step whose parameters are not finite (or exceed
``max_norm``), flags it and returns only the finite iterates before it (an :class:`SGDRun`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._records import ArrayRecord
from ._validation import callable_arg, flag, int_scalar, real_array, real_scalar, square_matrix

__all__ = ["torch", "sgd_iterates", "SGDRun", "quadratic_loss", "nesterov_x_from_y"]


def torch():
    """The ``torch`` module, imported on first use (an ``ImportError`` that says how to install it)."""
    try:
        import torch as _module
    except ImportError as exc:  # pragma: no cover - torch is a declared dependency of the book
        raise ImportError("accelbook.torch_bridge needs PyTorch: pip install torch==2.13.0") from exc
    return _module


_torch = torch  # the name model modules used before; same function


@dataclass(frozen=True, eq=False)
class SGDRun(ArrayRecord):
    """The result of :func:`sgd_iterates`; reads as the array (or list) ``iterates``, so code written for
    the old return value (``np.abs(run - ours)``, ``run[:-1]``, ``zip(..., run)``) keeps working.

    Attributes
    ----------
    iterates : ndarray of shape (nit + 1,) + w0.shape, or a list (one entry per iterate) of lists of arrays
        The parameters after 0, 1, ..., nit steps; all finite.
    diverged : bool
        Whether the run stopped because a step made the parameters non-finite or larger than ``max_norm``
        (that step is not returned).
    nit : int
        Accepted steps (``n_iter`` unless diverged); ``len(iterates) == nit + 1``.
    message : str
    """

    iterates: object
    diverged: bool
    nit: int
    message: str
    losses: np.ndarray | None = None
    _array_field = "iterates"


def _leaves(name, w):
    """``w`` as a list of finite float64 arrays (one entry unless ``w`` is a list of layers)."""
    if isinstance(w, (list, tuple)):
        if len(w) == 0:
            raise ValueError(f"{name} must not be an empty list")
        return [real_array(f"{name}[{i}]", leaf, nonempty=True) for i, leaf in enumerate(w)], True
    return [real_array(name, w, nonempty=True)], False


def _device(th, device):
    if device is None:
        return None
    try:
        th.zeros(1, device=device)
    except (RuntimeError, TypeError, ValueError, AssertionError) as exc:
        raise ValueError(f"device must be None or a torch device that is available here, got {device!r} "
                         f"({exc})") from None
    return device


def sgd_iterates(loss_fn, w0, eta, beta, n_iter, *, nesterov=False, device=None, max_norm=1e100, store="all"):
    """Run ``torch.optim.SGD(lr=eta, momentum=beta, dampening=0, nesterov=...)`` in float64, with the
    parameters on ``device`` (default: the CPU; e.g. ``"cuda"``). Iterates come back as numpy arrays.

    Parameters
    ----------
    loss_fn : callable
        Takes the parameter tensor (or the list of tensors when ``w0`` is a list) and returns a
        scalar tensor.
    w0 : array or list of arrays
        Finite starting parameters.
    eta, beta : float
        ``eta > 0``; ``0 <= beta < 1`` (``beta > 0`` when ``nesterov=True``, as PyTorch requires).
    n_iter : int
    nesterov : bool
    device : None, str or torch.device
    max_norm : float
        A step after which the parameters' norm exceeds this (or is not finite) ends the run as diverged.
    store : {"all", "loss"}
        ``"all"``: keep the iterates; ``"loss"``: keep only ``loss_fn`` at each accepted iterate (in
        ``losses``), on the device until the end (one transfer; what a run at m = 10^6 on a GPU can afford).

    Returns
    -------
    SGDRun
        Reads as ``iterates``: an ndarray of shape (nit + 1,) + w0.shape, or a list (one entry per
        iteration) of lists of arrays (``None`` with ``store="loss"``); ``losses`` has shape (nit + 1,)
        with ``store="loss"``.
    """
    th = torch()
    loss_fn = callable_arg("loss_fn", loss_fn, "parameters -> scalar tensor")
    leaves, is_list = _leaves("w0", w0)
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    n_iter = int_scalar("n_iter", n_iter, lo=0)
    nesterov = flag("nesterov", nesterov)
    max_norm = real_scalar("max_norm", max_norm, lo=0.0, lo_open=True)
    if nesterov and beta == 0:
        raise ValueError("beta must be > 0 when nesterov=True (PyTorch's requirement)")
    if store not in ("all", "loss"):
        raise ValueError(f"store must be 'all' or 'loss', got {store!r}")
    device = _device(th, device)
    params = [th.tensor(a, dtype=th.float64, device=device, requires_grad=True) for a in leaves]
    opt = th.optim.SGD(params, lr=eta, momentum=beta, dampening=0, nesterov=nesterov)

    def snapshot():
        arrays = [p.detach().cpu().numpy().copy() for p in params]
        return arrays if is_list else arrays[0]

    out = [snapshot()] if store == "all" else None
    losses = []
    message = f"completed {n_iter} iterations"
    for t in range(n_iter):
        opt.zero_grad()
        loss = loss_fn(params if is_list else params[0])
        if not isinstance(loss, th.Tensor) or loss.numel() != 1:
            raise TypeError(f"loss_fn must return a scalar tensor, got {type(loss).__name__}")
        if store == "loss":
            losses.append(loss.detach())   # the loss at iterate t, which is accepted
        loss.backward()
        opt.step()
        with th.no_grad():
            sq = float(sum((p * p).sum() for p in params))
        if not np.isfinite(sq) or sq > max_norm ** 2:
            reason = "not finite" if not np.isfinite(sq) else f"larger than max_norm={max_norm:g}"
            message = (f"diverged at iteration {t + 1}: the parameters are {reason} (eta={eta:g}, beta={beta:g}); "
                       f"{t} accepted iterations are returned")
            return _sgd_run(th, out, losses, is_list, True, t, message)
        if store == "all":
            out.append(snapshot())
    if store == "loss":
        with th.no_grad():
            losses.append(loss_fn(params if is_list else params[0]).detach())
    return _sgd_run(th, out, losses, is_list, False, n_iter, message)


def _sgd_run(th, out, losses, is_list, diverged, nit, message):
    """The :class:`SGDRun` of the accepted iterates (``out``) or of their losses (``losses[t]`` is the loss at
    iterate t, computed at the start of step t + 1)."""
    if out is not None:
        return SGDRun(out if is_list else np.stack(out), diverged, nit, message)
    curve = th.stack(losses).cpu().numpy() if losses else np.zeros(0)
    return SGDRun(None, diverged, nit, message, losses=curve[:nit + 1])


def quadratic_loss(H, b):
    r"""The torch loss :math:`w \mapsto \tfrac12 w^\top H w - b^\top w` (float64) for a square ``H`` and
    ``b`` of matching length."""
    th = torch()
    H = square_matrix("H", H)
    b = real_array("b", b, ndim=1)
    if b.shape != (H.shape[0],):
        raise ValueError(f"b must have shape ({H.shape[0]},) to match H, got {b.shape}")
    Ht = th.as_tensor(H)
    bt = th.as_tensor(b)
    return lambda w: 0.5 * w @ (Ht @ w) - bt @ w


def nesterov_x_from_y(y_iterates, grad, eta):
    r"""Recover Nesterov's :math:`x_{k+1} = y_k - \eta\nabla f(y_k)` from the :math:`y_k`
    (e.g. the parameters that ``SGD(nesterov=True)`` holds); returns ``x_1 .. x_K``.

    ``y_iterates`` is an array ``(K+1, ...)``, a list of lists of layer arrays (what
    :func:`sgd_iterates` returns for a list ``w0``), or an :class:`SGDRun`; the result has the same form."""
    if isinstance(y_iterates, SGDRun):
        y_iterates = y_iterates.iterates
    grad = callable_arg("grad", grad, "the gradient of the loss")
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    if isinstance(y_iterates, (list, tuple)) and y_iterates and isinstance(y_iterates[0], (list, tuple)):
        Y = [_leaves(f"y_iterates[{k}]", ys)[0] for k, ys in enumerate(y_iterates)]
        if len(Y) < 2:
            raise ValueError(f"y_iterates must hold at least 2 iterates y_0, y_1, got {len(Y)}")
        return [[y - eta * np.asarray(g, dtype=np.float64) for y, g in zip(ys, grad(ys))] for ys in Y[:-1]]
    Y = real_array("y_iterates", y_iterates)
    if Y.ndim < 1 or Y.shape[0] < 2:
        raise ValueError(f"y_iterates must hold at least 2 iterates y_0, y_1 along axis 0, got shape {Y.shape}")
    return np.stack([y - eta * np.asarray(grad(y), dtype=np.float64) for y in Y[:-1]])
