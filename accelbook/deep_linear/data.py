r"""Data for deep linear networks: assumption (A1) of Wang, Lin & Abernethy (2021), the problem object
(data, labels, loss (5) and its gradient as functions of the layers), random data with a prescribed
condition number, the data of Appendix H.2, and the loss (5) in PyTorch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import torch_bridge
from .._validation import finite_array, int_scalar, real_scalar, rng_from
from .model import _data, _haar, gradients, loss, orthogonal_init, output, vec
from .theory import _singular_range, data_condition_number, theorem10_parameters

__all__ = ["DeepLinearProblem", "make_problem", "source_problem", "torch_loss"]


@dataclass(frozen=True)
class DeepLinearProblem:
    r"""Data :math:`X\in\mathbb{R}^{d\times n}` (full column rank, assumption (A1)) and labels
    :math:`Y = W_*X`, with the loss (5) and its gradient as functions of ``weights``.

    ``loss``/``grad`` plug into :mod:`accelbook.methods`; ``linear_loss``/``linear_grad`` are the
    collapsed linear model :math:`\tfrac12\lVert W_eX - Y\rVert_F^2` in the end-to-end matrix.
    """

    X: np.ndarray
    Y: np.ndarray

    def __post_init__(self):
        X = _data("X", self.X)
        Y = _data("Y", self.Y)
        if Y.shape[1] != X.shape[1]:
            raise ValueError(f"Y must have one column per column of X ({X.shape[1]}), got shape {Y.shape}")
        _singular_range(X)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "Y", Y)

    d = property(lambda self: self.X.shape[0])
    n = property(lambda self: self.X.shape[1])
    d_y = property(lambda self: self.Y.shape[0])
    kappa = property(lambda self: data_condition_number(self.X), doc="σ²max(X)/σ²min(X)")

    @property
    def w_star(self):
        r"""The least-norm :math:`W_*` of (A1), :math:`Y(X^\top X)^{-1}X^\top` (so that :math:`W_*X = Y`)."""
        return self.Y @ np.linalg.solve(self.X.T @ self.X, self.X.T)

    def loss(self, weights):
        """The loss (5) at ``weights``."""
        return loss(weights, self.X, self.Y)

    def grad(self, weights):
        """The gradients of (5), one per layer."""
        return gradients(weights, self.X, self.Y)

    def residual(self, weights):
        r""":math:`\xi = \mathrm{vec}(U - Y)`."""
        return vec(output(weights, self.X) - self.Y)

    def parameters(self, depth):
        """Theorem 10's ``(eta, beta)`` for this data at depth ``depth``."""
        return theorem10_parameters(self.X, self.d_y, depth)

    def lam(self, depth):
        r""":math:`\lambda = L\sigma_{\min}^2(X)/d_y`, the smallest eigenvalue of :math:`H_0`."""
        return int_scalar("depth", depth, lo=1) * _singular_range(self.X)[1] ** 2 / self.d_y

    def init(self, m, depth, *, seed):
        """The orthogonal initialisation for this data's ``d`` and ``d_y``."""
        return orthogonal_init(self.d, self.d_y, m, depth, seed=seed)

    def _end_to_end(self, We):
        return finite_array("We", We, shape=(self.d_y, self.d))

    def linear_loss(self, We):
        r""":math:`\tfrac12\lVert W_eX - Y\rVert_F^2` for an end-to-end matrix ``We`` (``d_y x d``)."""
        return 0.5 * float(np.sum((self._end_to_end(We) @ self.X - self.Y) ** 2))

    def linear_grad(self, We):
        r"""The gradient :math:`(W_eX - Y)X^\top` of :meth:`linear_loss`."""
        return (self._end_to_end(We) @ self.X - self.Y) @ self.X.T

    def torch_loss(self, *, device=None):
        """The loss (5) as a torch function of the list of layer tensors (scaled form); see :func:`torch_loss`."""
        return torch_loss(self.X, self.Y, device=device)


def make_problem(d, n, d_y, *, kappa=None, w_noise=0.1, seed):
    r"""Random data for (A1): :math:`X\in\mathbb{R}^{d\times n}` Gaussian, or with singular values
    log-spaced so that :math:`\sigma_{\max}^2/\sigma_{\min}^2 = \kappa` and :math:`\sigma_{\max}=1`
    when ``kappa`` is given; :math:`W_* = I_{d_y\times d} + \text{w\_noise}\cdot\bar W` with Gaussian
    :math:`\bar W`, and :math:`Y = W_*X`. Needs ``n <= d``."""
    d, n, d_y = int_scalar("d", d, lo=1), int_scalar("n", n, lo=1), int_scalar("d_y", d_y, lo=1)
    if n > d:
        raise ValueError(f"n must be <= d (assumption (A1) needs X of full column rank), got n={n}, d={d}")
    w_noise = real_scalar("w_noise", w_noise, lo=0.0)
    if kappa is not None:
        kappa = real_scalar("kappa", kappa, lo=1.0)
        if n == 1 and kappa != 1.0:
            raise ValueError(f"kappa must be 1 when n = 1 (one singular value), got {kappa:g}")
    rng = rng_from(seed)
    if kappa is None:
        X = rng.standard_normal((d, n))
    else:
        sv = np.logspace(0.0, -0.5 * np.log10(kappa), n) if n > 1 else np.ones(1)
        X = (_haar(rng, d)[:, :n] * sv) @ _haar(rng, n).T
    W_star = np.eye(d_y, d) + w_noise * rng.standard_normal((d_y, d))
    return DeepLinearProblem(X=X, Y=W_star @ X)


def source_problem(*, seed=0):
    r"""The data of Appendix H.2: :math:`d = d_y = 20`, :math:`X\in\mathbb{R}^{20\times5}` Gaussian,
    :math:`W_* = I_{20} + 0.1\bar W`, :math:`Y = W_*X`."""
    return make_problem(20, 5, 20, w_noise=0.1, seed=seed)


def torch_loss(X, Y, *, device=None):
    r"""``loss(ws)`` in torch (float64) for a list of layer tensors: (5) computed in scaled form,
    so that autograd gives the gradients of the unscaled network for any depth. The data live on
    ``device`` (default CPU); pass the same device to :func:`accelbook.torch_bridge.sgd_iterates`."""
    X = _data("X", X)
    Y = _data("Y", Y)
    if Y.shape[1] != X.shape[1]:
        raise ValueError(f"Y must have one column per column of X ({X.shape[1]}), got shape {Y.shape}")
    torch = torch_bridge.torch()
    Xt = torch.as_tensor(X, device=device)
    Yt = torch.as_tensor(Y, device=device)
    d_y = Yt.shape[0]

    def f(ws):
        c = float(np.sqrt(ws[0].shape[0])) if len(ws) >= 2 else 1.0
        P = Xt
        for w in ws:
            P = (w / c) @ P
        return 0.5 * (((c / np.sqrt(d_y)) * P - Yt) ** 2).sum()

    return f
