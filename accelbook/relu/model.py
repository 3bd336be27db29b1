r"""The network (2), its loss (5), subgradient and Gram matrices, and the problem object (Chapter 3).

Wang, Lin & Abernethy (2021), Section 2.2 and (3). The network is

.. math:: N_W(x) = \frac{1}{\sqrt m}\sum_{r=1}^m a_r\,\sigma(\langle w^{(r)}, x\rangle),
          \qquad \sigma(z) = z\,\mathbb 1\{z \ge 0\},

with fixed signs :math:`a_r\in\{-1,+1\}`, trained first layer :math:`W = [w^{(1)},\dots,w^{(m)}]^\top`
(an ``(m, d)`` array, one neuron per row), inputs :math:`\|x_i\|\le 1` (rows of ``X``, shape
``(n, d)``), labels ``y`` and the squared loss (5) :math:`\ell(W) = \tfrac12\sum_i (N_W(x_i)-y_i)^2`.
The residual is :math:`\xi = u - y` with :math:`u_i = N_W(x_i)`.

Every array function accepts leading batch dimensions: ``W`` of shape ``(..., m, d)`` with ``a``
``(..., m)``, ``X`` ``(..., n, d)`` and ``y`` ``(..., n)`` broadcasting against them, so that
independent trials run as one batch through :mod:`accelbook.methods`.

Internally the pre-activations are kept as ``(..., n, m)`` arrays (``X @ W.T``): with ``n`` small and
``m`` large that layout keeps every matrix product contiguous.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .. import theory
from .._validation import finite_array
from .data import _inputs, _labels, _signs, _weights, init_weights

__all__ = ["network_output", "activation_patterns", "loss", "subgradient",
           "gram", "ntk_gram", "activation_probability", "gram_fluctuation", "condition_number",
           "pattern_change_fraction", "neuron_distances", "ReluProblem", "make_problem"]


# ---------------------------------------------------------------- the network (2), loss (5), subgradient
def _pre(W, X):
    """Pre-activations :math:`\\langle w^{(r)}, x_i\\rangle` as an ``(..., n, m)`` array."""
    return np.matmul(X, np.swapaxes(W, -1, -2))


def _outputs_from_pre(Z, a):
    m = Z.shape[-1]
    return np.matmul(np.maximum(Z, 0.0), a[..., :, None])[..., 0] / np.sqrt(m)


def _grad_from_pre(Z, a, X, xi):
    """Subgradient from the pre-activations and the residual (see :func:`subgradient`)."""
    return _grad_from_patterns(Z >= 0, _scaled_signs(a, Z.shape[-1]), X, xi)


def _scaled_signs(a, m):
    r""":math:`a_r/\sqrt m` as a ``(..., 1, m)`` array (hoisted out of training loops)."""
    return a[..., None, :] / np.sqrt(m)


def _grad_from_patterns(S, a_scaled, X, xi):
    """Subgradient from the activation patterns ``S``, :func:`_scaled_signs` and the residual."""
    C = np.where(S, xi[..., :, None], 0.0)                  # (..., n, m): xi_i 1[<w_r, x_i> >= 0]
    C *= a_scaled
    return np.matmul(np.swapaxes(C, -1, -2), X)  # (..., m, d), contiguous: C^T X


def network_output(W, a, X):
    r"""The outputs :math:`u_i = N_W(x_i)` of the network (2). Shape ``(..., n)``."""
    X = _inputs(X)
    W = _weights(W, X.shape[-1])
    a = _signs(a, W.shape[-2])
    return _outputs_from_pre(_pre(W, X), a)


def activation_patterns(W, X):
    r"""The activation patterns :math:`\mathbb 1\{\langle w^{(r)}, x_i\rangle \ge 0\}`, boolean ``(..., n, m)``."""
    X = _inputs(X)
    W = _weights(W, X.shape[-1])
    return _pre(W, X) >= 0


def loss(W, a, X, y):
    r"""The squared loss (5): :math:`\tfrac12\sum_i (N_W(x_i) - y_i)^2`. Shape ``(...)``."""
    u = network_output(W, a, X)
    y = _labels(y, u.shape[-1])
    return 0.5 * np.sum((u - y) ** 2, axis=-1)


def subgradient(W, a, X, y):
    r"""The subgradient of Section 2.2, one row per neuron:

    .. math:: \frac{\partial\ell}{\partial w^{(r)}} = \frac{1}{\sqrt m}\sum_{i=1}^n (N_W(x_i) - y_i)\,
              a_r\,\mathbb 1\{\langle w^{(r)}, x_i\rangle \ge 0\}\, x_i .

    It is the gradient wherever no pre-activation is exactly zero. Shape ``(..., m, d)``.
    """
    X = _inputs(X)
    W = _weights(W, X.shape[-1])
    a = _signs(a, W.shape[-2])
    Z = _pre(W, X)
    xi = _outputs_from_pre(Z, a) - _labels(y, X.shape[-2])
    return _grad_from_pre(Z, a, X, xi)


# ---------------------------------------------------------------- Gram matrices
def gram(W, X):
    r"""The Gram matrix :math:`H(W)` of (3):
    :math:`H(W)_{ij} = \frac{x_i^\top x_j}{m}\sum_r \mathbb 1\{\langle w^{(r)},x_i\rangle\ge0\ \&\
    \langle w^{(r)},x_j\rangle\ge0\}`. Shape ``(..., n, n)``."""
    X = _inputs(X)
    W = _weights(W, X.shape[-1])
    return _gram_from_patterns(_pre(W, X) >= 0, X)


def _gram_from_patterns(S, X):
    """:math:`H` of (3) from the boolean activation patterns ``S`` (``(..., n, m)``) and the inputs."""
    Sf = S.astype(np.float64)
    return np.matmul(X, np.swapaxes(X, -1, -2)) * np.matmul(Sf, np.swapaxes(Sf, -1, -2)) / S.shape[-1]


def _angles(X):
    """Pairwise angles between the rows of X, accurate for nearly parallel rows (0 where a row is 0)."""
    norms = np.linalg.norm(X, axis=-1, keepdims=True)
    U = np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)
    diff = np.linalg.norm(U[..., :, None, :] - U[..., None, :, :], axis=-1)
    summ = np.linalg.norm(U[..., :, None, :] + U[..., None, :, :], axis=-1)
    return 2.0 * np.arctan2(diff, summ)


def activation_probability(X):
    r""":math:`p_{ij} = P_{w\sim N(0,I_d)}(\langle w,x_i\rangle\ge0\ \&\ \langle w,x_j\rangle\ge0)
    = (\pi - \theta_{ij})/(2\pi)`, with :math:`\theta_{ij}` the angle between :math:`x_i` and :math:`x_j`.
    Shape ``(..., n, n)``. (For a zero input the probability is that of the other input alone, 1/2, or 1
    if both are zero.)"""
    X = _inputs(X)
    p = (np.pi - _angles(X)) / (2.0 * np.pi)
    zero = np.linalg.norm(X, axis=-1) == 0
    p = np.where(zero[..., :, None] | zero[..., None, :], 0.5, p)
    return np.where(zero[..., :, None] & zero[..., None, :], 1.0, p)


def ntk_gram(X):
    r"""The infinite-width Gram matrix :math:`\bar H` of (3) in closed form,

    .. math:: \bar H_{ij} = x_i^\top x_j\,\frac{\pi - \theta_{ij}}{2\pi}
              = \tfrac12\, x_i^\top x_j\, k_0(x_i, x_j),

    where :math:`k_0(x,x') = 1 - \theta/\pi` is the arc-cosine kernel of degree 0 (Cho & Saul 2009).
    Shape ``(..., n, n)``."""
    X = _inputs(X)
    return np.matmul(X, np.swapaxes(X, -1, -2)) * activation_probability(X)


def gram_fluctuation(X):
    r"""The variance constant :math:`v = \sum_{ij} (x_i^\top x_j)^2 p_{ij}(1-p_{ij})`, so that
    :math:`\mathbb E\|H(W_0) - \bar H\|_F^2 = v/m` exactly for :math:`m` i.i.d. Gaussian neurons.
    Shape ``(...)``."""
    X = _inputs(X)
    p = activation_probability(X)
    G = np.matmul(X, np.swapaxes(X, -1, -2))
    return np.sum(G ** 2 * p * (1 - p), axis=(-2, -1))


def condition_number(H):
    r""":math:`\lambda_{\max}(H)/\lambda_{\min}(H)` of a symmetric matrix (or a batch); ``inf`` when singular."""
    H = finite_array("H", H)
    if H.ndim < 2 or H.shape[-1] != H.shape[-2] or H.shape[-1] == 0:
        raise ValueError(f"H must be a square matrix (or a batch of them), got shape {H.shape}")
    if not np.allclose(H, np.swapaxes(H, -1, -2), rtol=1e-10, atol=1e-12 * max(np.max(np.abs(H)), 1e-300)):
        raise ValueError("H must be symmetric (a Gram matrix)")
    eig = np.linalg.eigvalsh(H)
    with np.errstate(divide="ignore"):
        return np.where(eig[..., 0] > 0, eig[..., -1] / np.where(eig[..., 0] > 0, eig[..., 0], 1.0), np.inf)


# ---------------------------------------------------------------- Appendix H's measurements
def pattern_change_fraction(W, W0, X):
    r"""The fraction of the :math:`mn` activation patterns that differ from those at initialisation,
    :math:`\frac{1}{mn}\sum_{i,r}\mathbb 1\{\mathbb 1\{\langle w^{(r)},x_i\rangle\ge0\}\ne
    \mathbb 1\{\langle w_0^{(r)},x_i\rangle\ge0\}\}` (Appendix H). ``W`` may carry extra leading
    dimensions (e.g. iterations) that broadcast against ``W0``. Shape: the broadcast batch shape."""
    X = _inputs(X)
    W0 = _weights(W0, X.shape[-1], name="W0")
    W = _same_neurons(_weights(W, X.shape[-1]), W0)
    return np.mean((_pre(W, X) >= 0) != (_pre(W0, X) >= 0), axis=(-2, -1))


def neuron_distances(W, W0):
    r""":math:`\|w^{(r)} - w_0^{(r)}\|` for every neuron. Shape ``(..., m)``."""
    W0 = _weights(W0, name="W0")
    W = _same_neurons(_weights(W, W0.shape[-1], match="W0"), W0)
    return np.linalg.norm(W - W0, axis=-1)


def _same_neurons(W, W0):
    """``W`` after checking it has W0's neurons and a batch shape that broadcasts against W0's."""
    try:
        np.broadcast_shapes(W.shape, W0.shape)
    except ValueError:
        raise ValueError(f"W must have shape (..., {W0.shape[-2]}, {W0.shape[-1]}) broadcasting against W0 "
                         f"of shape {W0.shape}, got {W.shape}") from None
    return W



# ---------------------------------------------------------------- the problem object
@dataclass
class ReluProblem:
    r"""A training problem: data ``X`` (``(..., n, d)``), labels ``y``, fixed signs ``a`` and the
    initial first layer ``W0`` (``(..., m, d)``); a batch of trials when ``W0`` has a leading dimension.
    """

    X: np.ndarray
    y: np.ndarray
    a: np.ndarray
    W0: np.ndarray

    def __post_init__(self):
        self.X = _inputs(self.X)
        self.W0 = _weights(self.W0, self.X.shape[-1], name="W0")
        self.a = _signs(self.a, self.W0.shape[-2], match="W0")
        self.y = _labels(self.y, self.X.shape[-2])

    n = property(lambda self: self.X.shape[-2], doc="number of samples")
    d = property(lambda self: self.X.shape[-1], doc="input dimension")
    m = property(lambda self: self.W0.shape[-2], doc="width")
    batch_shape = property(lambda self: self.W0.shape[:-2], doc="leading (trial) dimensions of W0")

    def outputs(self, W):
        """Network outputs :math:`u` at ``W``."""
        return network_output(W, self.a, self.X)

    def residual(self, W):
        r"""Residual :math:`\xi = u - y` at ``W``."""
        return self.outputs(W) - self.y

    def loss(self, W):
        """The loss (5) at ``W``."""
        return loss(W, self.a, self.X, self.y)

    def grad(self, W):
        """The subgradient at ``W`` (the oracle handed to :mod:`accelbook.methods`)."""
        return subgradient(W, self.a, self.X, self.y)

    def gram(self, W):
        """:math:`H(W)` of (3)."""
        return gram(W, self.X)

    @cached_property
    def H0(self):
        """:math:`H_0 = H(W_0)`, the matrix of the residual dynamics (Lemma 3)."""
        return gram(self.W0, self.X)

    @cached_property
    def H_bar(self):
        r""":math:`\bar H`, the infinite-width Gram matrix (closed form)."""
        return ntk_gram(self.X)

    @cached_property
    def kappa_hat(self):
        r""":math:`\hat\kappa = \lambda_{\max}(H_0)/\lambda_{\min}(H_0)`."""
        return condition_number(self.H0)

    def momentum_parameters(self):
        r"""Appendix H's choice for one problem: :math:`\eta = 1/\lambda_{\max}(H_0)` and
        :math:`\beta = (1 - \tfrac{1}{2\sqrt{\hat\kappa}})^2` (Corollary 1 applied to :math:`H_0`).
        Returns ``(eta, beta)``."""
        if self.batch_shape:
            raise ValueError("momentum_parameters needs a single problem (no batch): each trial has its own H0")
        eig = np.linalg.eigvalsh(self.H0)
        if eig[0] <= 0:
            raise ValueError("H0 is singular (lambda_min(H0) = 0): the width is too small or two inputs are parallel")
        return tuple(float(v) for v in theory.corollary1_parameters(eig[0], eig[-1]))


def make_problem(X, y, m, *, seed, trials=None):
    """Data plus a fresh initialisation of width ``m`` (:func:`init_weights`); ``trials`` draws a batch."""
    X = _inputs(X)
    W0, a = init_weights(m, X.shape[-1], seed=seed, trials=trials)
    return ReluProblem(X=X, y=y, a=a, W0=W0)

