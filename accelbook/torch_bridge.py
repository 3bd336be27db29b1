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
"""

from __future__ import annotations

import numpy as np

from ._validation import int_scalar, real_scalar

__all__ = ["sgd_iterates", "quadratic_loss", "nesterov_x_from_y", "torch"]


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is a declared dependency of the book
        raise ImportError("accelbook.torch_bridge needs PyTorch: pip install torch==2.13.0") from exc
    return torch


def sgd_iterates(loss_fn, w0, eta, beta, n_iter, *, nesterov=False, device=None):
    """Run ``torch.optim.SGD(lr=eta, momentum=beta, dampening=0, nesterov=...)`` in float64, with the
    parameters on ``device`` (default: the CPU; e.g. ``"cuda"``). Iterates come back as numpy arrays.

    Parameters
    ----------
    loss_fn : callable
        Takes the parameter tensor (or the list of tensors when ``w0`` is a list) and returns a
        scalar tensor.
    w0 : array or list of arrays
    eta, beta : float
        ``eta > 0``; ``0 <= beta < 1`` (``beta > 0`` when ``nesterov=True``, as PyTorch requires).
    n_iter : int

    Returns
    -------
    ndarray of shape (n_iter + 1,) + w0.shape, or a list (one entry per iteration) of lists of arrays.
    """
    torch = _torch()
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    n_iter = int_scalar("n_iter", n_iter, lo=0)
    if nesterov and beta == 0:
        raise ValueError("beta must be > 0 when nesterov=True (PyTorch's requirement)")
    is_list = isinstance(w0, (list, tuple))
    leaves = list(w0) if is_list else [w0]
    params = [torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, device=device, requires_grad=True)
              for a in leaves]
    opt = torch.optim.SGD(params, lr=eta, momentum=beta, dampening=0, nesterov=nesterov)

    def snapshot():
        arrays = [p.detach().cpu().numpy().copy() for p in params]
        return arrays if is_list else arrays[0]

    out = [snapshot()]
    for _ in range(n_iter):
        opt.zero_grad()
        loss = loss_fn(params if is_list else params[0])
        loss.backward()
        opt.step()
        out.append(snapshot())
    return out if is_list else np.stack(out)


def quadratic_loss(H, b):
    r"""The torch loss :math:`w \mapsto \tfrac12 w^\top H w - b^\top w` (float64)."""
    torch = _torch()
    Ht = torch.as_tensor(np.asarray(H, dtype=np.float64))
    bt = torch.as_tensor(np.asarray(b, dtype=np.float64))
    return lambda w: 0.5 * w @ (Ht @ w) - bt @ w


def nesterov_x_from_y(y_iterates, grad, eta):
    r"""Recover Nesterov's :math:`x_{k+1} = y_k - \eta\nabla f(y_k)` from the :math:`y_k`
    (e.g. the parameters that ``SGD(nesterov=True)`` holds); returns ``x_1 .. x_K``."""
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    Y = np.asarray(y_iterates, dtype=np.float64)
    return np.stack([y - eta * np.asarray(grad(y)) for y in Y[:-1]])


def torch():
    """The ``torch`` module, imported on first use: model code builds its torch losses through this, so that
    importing ``accelbook`` (or a model module) never imports PyTorch."""
    return _torch()
