r"""A wide one-hidden-layer ReLU network in the NTK regime (Chapter 3).

Wang, Lin & Abernethy (2021), Section 2.2, Lemma 3 (Section 3.3), Lemma 5 and Theorem 9
(Section 4.3), Appendices B/F (proofs) and H (experiment).  The network (2) is

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

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from . import methods, plotting, residual, theory
from ._validation import finite_array, int_scalar, real_scalar, rng_from, symmetric_psd

__all__ = [
    # data, initialisation, the network
    "unit_inputs", "clustered_inputs", "random_labels", "init_weights", "ReluProblem", "make_problem",
    "network_output", "activation_patterns", "loss", "subgradient",
    # Gram matrices
    "gram", "ntk_gram", "activation_probability", "gram_fluctuation", "condition_number",
    # quantities of Lemma 3 / Appendix H
    "pattern_change_fraction", "neuron_distances", "s_perp", "gram_change_bound",
    # training
    "ReluRun", "train", "torch_train", "linearised_residuals", "stacked_norms", "empirical_rate",
    # Lemma 3, Lemmas 8-10, Theorems 3 and 9
    "lemma3_decomposition", "lemma10_distance_bound", "r_relu", "theorem9_parameters", "theorem9_bound",
    "theorem3_rate", "required_width", "lemma10_width", "lemma5_holds",
    # studies and the explorer
    "gram_concentration", "width_sweep", "conditioning_sweep", "iterations_to", "appendix_h_experiment",
    "appendix_h_seeds",
    "relu_explorer_data", "draw_relu_explorer", "relu_explorer_callback", "relu_explorer", "relu_explorer_static",
]

METHODS = ("gd", "heavy_ball", "nesterov")


# ====================================================================== argument checks
def _inputs(X, name="X"):
    X = finite_array(name, X)
    if X.ndim < 2:
        raise ValueError(f"{name} must have shape (..., n, d) (one input per row), got shape {X.shape}")
    if X.shape[-1] < 1 or X.shape[-2] < 1:
        raise ValueError(f"{name} must have at least one input and one feature, got shape {X.shape}")
    norms = np.linalg.norm(X, axis=-1)
    if np.any(norms > 1 + 1e-12):
        raise ValueError(f"{name}: every input must have norm <= 1 (the source's assumption), "
                         f"largest norm is {norms.max():.6g}")
    return X


def _weights(W, d=None, name="W"):
    W = finite_array(name, W)
    if W.ndim < 2:
        raise ValueError(f"{name} must have shape (..., m, d) (one neuron per row), got shape {W.shape}")
    if d is not None and W.shape[-1] != d:
        raise ValueError(f"{name} must have d = {d} columns to match X, got shape {W.shape}")
    return W


def _signs(a, m):
    a = finite_array("a", a)
    if a.ndim < 1 or a.shape[-1] != m:
        raise ValueError(f"a must have shape (..., m) with m = {m} to match W, got shape {a.shape}")
    if not np.all(np.abs(a) == 1):
        raise ValueError("a must contain only the signs -1 and +1 (the fixed second layer)")
    return a


def _labels(y, n):
    y = finite_array("y", y)
    if y.ndim < 1 or y.shape[-1] != n:
        raise ValueError(f"y must have shape (..., n) with n = {n} to match X, got shape {y.shape}")
    return y


def _method(method):
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return method


# ====================================================================== data and initialisation
def unit_inputs(n, d, *, seed):
    """``n`` standard Gaussian points in :math:`\\mathbb R^d` scaled to unit norm (Appendix H). Shape ``(n, d)``."""
    n = int_scalar("n", n, lo=1)
    d = int_scalar("d", d, lo=1)
    X = rng_from(seed).standard_normal((n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def clustered_inputs(n, d, angle, *, seed):
    r"""``n`` unit inputs :math:`x_i = \cos(\alpha)\,e + \sin(\alpha)\,v_i` at angle ``angle`` (radians)
    from a common random unit direction ``e``, with :math:`v_i \perp e` random unit vectors.

    Small angles make the inputs nearly parallel and the NTK Gram matrix ill-conditioned: the
    condition number grows roughly like ``1/angle``; ``angle = pi/2`` gives random unit inputs
    orthogonal to ``e``. Requires ``d >= 2``. Shape ``(n, d)``.
    """
    n = int_scalar("n", n, lo=1)
    d = int_scalar("d", d, lo=2)
    angle = real_scalar("angle", angle, lo=0.0, hi=np.pi / 2, lo_open=True)
    rng = rng_from(seed)
    e = rng.standard_normal(d)
    e /= np.linalg.norm(e)
    V = rng.standard_normal((n, d))
    V -= np.outer(V @ e, e)
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    return np.cos(angle) * e + np.sin(angle) * V


def random_labels(n, *, seed):
    """Labels drawn uniformly from {-1, +1} (Appendix H). Shape ``(n,)``."""
    n = int_scalar("n", n, lo=1)
    return rng_from(seed).choice(np.array([-1.0, 1.0]), size=n)


def init_weights(m, d, *, seed, trials=None):
    r"""The random initialisation of Section 2.2: :math:`w^{(r)}_0 \sim N(0, I_d)` and
    :math:`a_r` uniform in {-1, +1}. Returns ``(W0, a)`` of shapes ``(m, d)`` and ``(m,)``, or
    ``(trials, m, d)`` and ``(trials, m)`` for a batch of independent draws."""
    m = int_scalar("m", m, lo=1)
    d = int_scalar("d", d, lo=1)
    batch = () if trials is None else (int_scalar("trials", trials, lo=1),)
    rng = rng_from(seed)
    W0 = rng.standard_normal(batch + (m, d))
    a = rng.choice(np.array([-1.0, 1.0]), size=batch + (m,))
    return W0, a


# ====================================================================== the network (2), loss (5), subgradient
def _pre(W, X):
    """Pre-activations :math:`\\langle w^{(r)}, x_i\\rangle` as an ``(..., n, m)`` array."""
    return np.matmul(X, np.swapaxes(W, -1, -2))


def _outputs_from_pre(Z, a):
    m = Z.shape[-1]
    return np.matmul(np.maximum(Z, 0.0), a[..., :, None])[..., 0] / np.sqrt(m)


def _grad_from_pre(Z, a, X, xi):
    """Subgradient from the pre-activations and the residual (see :func:`subgradient`)."""
    m = Z.shape[-1]
    C = np.where(Z >= 0, xi[..., :, None], 0.0)             # (..., n, m): xi_i 1[<w_r, x_i> >= 0]
    C *= a[..., None, :] / np.sqrt(m)
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


# ====================================================================== Gram matrices
def gram(W, X):
    r"""The Gram matrix :math:`H(W)` of (3):
    :math:`H(W)_{ij} = \frac{x_i^\top x_j}{m}\sum_r \mathbb 1\{\langle w^{(r)},x_i\rangle\ge0\ \&\
    \langle w^{(r)},x_j\rangle\ge0\}`. Shape ``(..., n, n)``."""
    X = _inputs(X)
    W = _weights(W, X.shape[-1])
    S = (_pre(W, X) >= 0).astype(np.float64)
    m = W.shape[-2]
    return np.matmul(X, np.swapaxes(X, -1, -2)) * np.matmul(S, np.swapaxes(S, -1, -2)) / m


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
    if H.ndim < 2 or H.shape[-1] != H.shape[-2]:
        raise ValueError(f"H must be a square matrix (or a batch of them), got shape {H.shape}")
    eig = np.linalg.eigvalsh(H)
    with np.errstate(divide="ignore"):
        return np.where(eig[..., 0] > 0, eig[..., -1] / np.where(eig[..., 0] > 0, eig[..., 0], 1.0), np.inf)


# ====================================================================== Lemma 3 / Appendix H quantities
def pattern_change_fraction(W, W0, X):
    r"""The fraction of the :math:`mn` activation patterns that differ from those at initialisation,
    :math:`\frac{1}{mn}\sum_{i,r}\mathbb 1\{\mathbb 1\{\langle w^{(r)},x_i\rangle\ge0\}\ne
    \mathbb 1\{\langle w_0^{(r)},x_i\rangle\ge0\}\}` (Appendix H). ``W`` may carry extra leading
    dimensions (e.g. iterations) that broadcast against ``W0``. Shape: the broadcast batch shape."""
    X = _inputs(X)
    W = _weights(W, X.shape[-1])
    W0 = _weights(W0, X.shape[-1], name="W0")
    return np.mean((_pre(W, X) >= 0) != (_pre(W0, X) >= 0), axis=(-2, -1))


def neuron_distances(W, W0):
    r""":math:`\|w^{(r)} - w_0^{(r)}\|` for every neuron. Shape ``(..., m)``."""
    W = _weights(W)
    W0 = _weights(W0, W.shape[-1], name="W0")
    return np.linalg.norm(W - W0, axis=-1)


def s_perp(W0, X, radius):
    r"""The sets :math:`S_i^\perp` of Section 3.3 as a boolean ``(..., n, m)`` mask.

    Neuron ``r`` is in :math:`S_i^\perp` when the event :math:`A_{ir}` holds: some ``w`` with
    :math:`\|w - w_0^{(r)}\|\le R` has a different activation pattern on :math:`x_i` than
    :math:`w_0^{(r)}`. For :math:`x_i\ne0` this happens exactly when
    :math:`-R\|x_i\| \le \langle w_0^{(r)}, x_i\rangle < R\|x_i\|`; a zero input never changes pattern.
    """
    X = _inputs(X)
    W0 = _weights(W0, X.shape[-1], name="W0")
    radius = real_scalar("radius", radius, lo=0.0)
    Z = _pre(W0, X)
    r = radius * np.linalg.norm(X, axis=-1)[..., :, None]
    return (Z >= -r) & (Z < r) & (r > 0)


def gram_change_bound(W0, X, radius):
    r"""A deterministic bound on :math:`\|H(W) - H(W_0)\|_F` valid for every ``W`` whose neurons all lie
    within ``radius`` of their initialisation:
    :math:`|H(W)_{ij} - H(W_0)_{ij}| \le |x_i^\top x_j|\,|S_i^\perp\cup S_j^\perp|/m`.
    (Lemma 8 of the source states :math:`2nR` with high probability.) Shape ``(...)``."""
    X = _inputs(X)
    S = s_perp(W0, X, radius).astype(np.float64)
    m = S.shape[-1]
    union = S.sum(-1)[..., :, None] + S.sum(-1)[..., None, :] - np.matmul(S, np.swapaxes(S, -1, -2))
    G = np.matmul(X, np.swapaxes(X, -1, -2))
    return np.sqrt(np.sum((np.abs(G) * union / m) ** 2, axis=(-2, -1)))


# ====================================================================== the problem object
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
        self.a = _signs(self.a, self.W0.shape[-2])
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


# ====================================================================== training
@dataclass
class ReluRun:
    r"""What :func:`train` records at every iteration ``t = 0..nit``.

    Attributes
    ----------
    xi : ndarray, shape (nit+1, ..., n)
        Residuals :math:`\xi_t = u_t - y` (for Nesterov, at the points :math:`x_k`).
    loss : ndarray, shape (nit+1, ...)
        :math:`\ell(W_t) = \tfrac12\|\xi_t\|^2`.
    pattern_change : ndarray, shape (nit+1, ...)
        :func:`pattern_change_fraction` of :math:`W_t` against :math:`W_0`.
    max_distance : ndarray, shape (nit+1, ...)
        :math:`\max_r\|w_t^{(r)} - w_0^{(r)}\|`.
    gram : ndarray or None, shape (nit+1, ..., n, n)
        :math:`H_t = H(W_t)` when ``record_gram=True``.
    W : ndarray
        The last iterate.
    result : RunResult
        The run of :mod:`accelbook.methods` (its ``iterates`` are the stored :math:`W_t`).
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

    @property
    def nit(self):
        return self.result.nit

    @property
    def diverged(self):
        return self.result.diverged

    @property
    def stacked_norms(self):
        r""":math:`\|[\xi_t;\xi_{t-1}]\|` with :math:`\xi_{-1} = \xi_0`, shape ``(nit+1, ...)``."""
        return stacked_norms(self.xi)

    @property
    def trajectory(self):
        """The stored iterates stacked, shape ``(k, ..., m, d)``."""
        return np.stack(self.result.iterates)


def _observer(problem, record_gram):
    """An oracle pair (grad, observe) sharing one forward pass per iterate.

    ``observe(W)`` returns, per trial, ``[xi (n), pattern change, max distance, H(W) (n*n, optional)]``;
    :mod:`accelbook.methods` records it as the run's "loss". The one-entry cache is keyed on the
    identity of the array (``methods`` never modifies an iterate in place).
    """
    X, a, y, W0 = problem.X, problem.a, problem.y, problem.W0
    S0 = _pre(W0, X) >= 0
    cache = {"W": None}

    def forward(W):
        if cache["W"] is not W:
            Z = _pre(W, X)
            cache.update(W=W, Z=Z, xi=_outputs_from_pre(Z, a) - y)
        return cache["Z"], cache["xi"]

    def grad(W):
        Z, xi = forward(W)
        return _grad_from_pre(Z, a, X, xi)

    def observe(W):
        Z, xi = forward(W)
        S = Z >= 0
        D = W - W0
        parts = [xi, np.mean(S != S0, axis=(-2, -1))[..., None],
                 np.sqrt(np.max(np.einsum("...md,...md->...m", D, D), axis=-1))[..., None]]
        if record_gram:
            Sf = S.astype(np.float64)
            H = np.matmul(X, np.swapaxes(X, -1, -2)) * np.matmul(Sf, np.swapaxes(Sf, -1, -2)) / W.shape[-2]
            parts.append(H.reshape(H.shape[:-2] + (-1,)))
        return np.concatenate([np.broadcast_to(p, np.broadcast_shapes(xi.shape[:-1], p.shape[:-1]) + p.shape[-1:])
                               for p in parts], axis=-1)

    return grad, observe


def train(problem, method, eta, beta, n_iter, *, store="none", record_gram=False):
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
        Also record :math:`H_t = H(W_t)` (needed for Lemma 3's :math:`\iota_t`).

    Returns
    -------
    ReluRun
    """
    if not isinstance(problem, ReluProblem):
        raise TypeError(f"problem must be a ReluProblem (see make_problem), got {type(problem).__name__}")
    method = _method(method)
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    if method == "gd" and beta != 0.0:
        raise ValueError(f"beta must be 0 for method='gd', got {beta:g}")
    n_iter = int_scalar("n_iter", n_iter, lo=0)
    grad, observe = _observer(problem, record_gram)
    n = problem.n
    if method == "gd":
        res = methods.gradient_descent(grad, problem.W0, eta, n_iter, loss=observe, store=store)
    elif method == "heavy_ball":
        res = methods.heavy_ball(grad, problem.W0, eta, beta, n_iter, loss=observe, store=store)
    else:
        res = methods.nesterov(grad, problem.W0, eta, beta, n_iter, loss=observe, store=store)
    obs = res.losses
    xi = obs[..., :n]
    H = None
    if record_gram:
        H = obs[..., n + 2:].reshape(obs.shape[:-1] + (n, n))
    return ReluRun(method=method, eta=eta, beta=beta, xi=xi, loss=0.5 * np.sum(xi ** 2, axis=-1),
                   pattern_change=obs[..., n], max_distance=obs[..., n + 1], gram=H, W=res.x, result=res)


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is a declared dependency of the book
        raise ImportError("accelbook.relu.torch_train needs PyTorch: pip install torch==2.13.0") from exc
    return torch


def torch_train(problem, eta, beta, n_iter, *, nesterov=False, device=None, store="all"):
    r"""The same training with ``torch.optim.SGD(lr=eta, momentum=beta, dampening=0, nesterov=...)``
    on an ``nn.Module`` (a bias-free ``nn.Linear(d, m)`` first layer, ReLU, fixed signs ``a/sqrt(m)``),
    in float64, on ``device`` (default: the CPU; e.g. ``"cuda"`` on a GPU machine for very wide networks).

    Returns the parameters :math:`W_t` after every step, shape ``(n_iter+1, m, d)`` (``store="all"``),
    or only the loss curve :math:`\ell(W_t)`, shape ``(n_iter+1,)``, with ``store="loss"`` (what a width
    sweep at m = 10^6 can afford to bring back from the device). With ``nesterov=True`` the parameters are
    Nesterov's extrapolated points :math:`y_k` (see :mod:`accelbook.torch_bridge`). PyTorch's ReLU has
    derivative 0 at 0 where the source's subgradient has 1; with Gaussian weights no pre-activation is
    ever exactly 0, so the runs agree.
    """
    if not isinstance(problem, ReluProblem):
        raise TypeError(f"problem must be a ReluProblem, got {type(problem).__name__}")
    if problem.batch_shape:
        raise ValueError("torch_train runs one problem at a time (W0 must have shape (m, d))")
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    n_iter = int_scalar("n_iter", n_iter, lo=0)
    if nesterov and beta == 0:
        raise ValueError("beta must be > 0 when nesterov=True (PyTorch's requirement)")
    if store not in ("all", "loss"):
        raise ValueError(f"store must be 'all' or 'loss', got {store!r}")
    torch = _torch()
    dev = torch.device("cpu" if device is None else device)
    net = _torch_module(torch, problem).to(dev)
    opt = torch.optim.SGD(net.parameters(), lr=eta, momentum=beta, dampening=0, nesterov=nesterov)
    X = torch.as_tensor(problem.X, device=dev)
    y = torch.as_tensor(problem.y, device=dev)
    out, losses = [problem.W0.copy()], []
    for _ in range(n_iter):
        opt.zero_grad()
        train_loss = 0.5 * ((net(X) - y) ** 2).sum()   # the loss (5)
        train_loss.backward()
        losses.append(train_loss.detach())
        opt.step()
        if store == "all":
            out.append(net.hidden.weight.detach().cpu().numpy().copy())
    if store == "loss":
        with torch.no_grad():
            losses.append(0.5 * ((net(X) - y) ** 2).sum())
        return torch.stack(losses).cpu().numpy()
    return np.stack(out)


def _torch_module(torch, problem):
    """``N_W`` of (2) as an ``nn.Module`` in float64, first layer initialised at ``W0``."""
    nn = torch.nn

    class ReluNet(nn.Module):
        def __init__(self, W0, a):
            super().__init__()
            m, d = W0.shape
            self.hidden = nn.Linear(d, m, bias=False).double()
            with torch.no_grad():
                self.hidden.weight.copy_(torch.as_tensor(W0))
            self.register_buffer("out_weights", torch.as_tensor(a / np.sqrt(m)))  # a_r / sqrt(m), not trained

        def forward(self, X):
            return torch.relu(self.hidden(X)) @ self.out_weights

    return ReluNet(problem.W0, problem.a)


def linearised_residuals(H, xi0, eta, beta, n_iter, *, method="heavy_ball"):
    r"""Residuals of the linearised (NTK) model, in which the Gram matrix stays at ``H``:

    - ``"gd"`` / ``"heavy_ball"``: :math:`\xi_{t+1} = ((1+\beta)I - \eta H)\xi_t - \beta\xi_{t-1}` (the
      recursion (8) with :math:`\phi_t = 0`), :math:`\xi_{-1} = \xi_0`;
    - ``"nesterov"``: :math:`\xi_{k+1} = (I - \eta H)(\xi_k + \beta(\xi_k - \xi_{k-1}))`.

    ``H`` of shape ``(..., n, n)`` and ``xi0`` of shape ``(..., n)`` broadcast (a batch of trials).
    Returns shape ``(n_iter+1, ..., n)``.
    """
    H = finite_array("H", H)
    if H.ndim < 2 or H.shape[-1] != H.shape[-2]:
        raise ValueError(f"H must be square (or a batch of square matrices), got shape {H.shape}")
    xi0 = finite_array("xi0", xi0)
    if xi0.ndim < 1 or xi0.shape[-1] != H.shape[-1]:
        raise ValueError(f"xi0 must have shape (..., {H.shape[-1]}) to match H, got {xi0.shape}")
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    method = _method(method)
    if method == "gd" and beta != 0.0:
        raise ValueError(f"beta must be 0 for method='gd', got {beta:g}")
    n_iter = int_scalar("n_iter", n_iter, lo=0)

    def apply(v):
        return v - eta * np.matmul(H, v[..., None])[..., 0]

    shape = np.broadcast_shapes(H.shape[:-1], xi0.shape)
    prev = cur = np.broadcast_to(xi0, shape).copy()
    out = [cur]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(n_iter):
            if method == "nesterov":
                new = apply(cur + beta * (cur - prev))
            else:
                new = apply(cur) + beta * (cur - prev)
            prev, cur = cur, new
            out.append(cur)
    return np.stack(out)


def stacked_norms(xi):
    r""":math:`\|[\xi_t;\xi_{t-1}]\|` with :math:`\xi_{-1}=\xi_0`, for residuals of shape ``(T+1, ..., n)``."""
    xi = finite_array("xi", xi)
    if xi.ndim < 2:
        raise ValueError(f"xi must have shape (T+1, ..., n), got {xi.shape}")
    sq = np.sum(xi ** 2, axis=-1)
    return np.sqrt(sq + np.concatenate([sq[:1], sq[:-1]]))


def empirical_rate(xi, *, start=1e-1, stop=1e-9):
    r"""The measured linear rate of a run: :math:`\exp` of the least-squares slope of
    :math:`\log\|[\xi_t;\xi_{t-1}]\|` over the iterations where the stacked norm, relative to its value
    at t = 0, lies between ``stop`` and ``start``. ``xi`` has shape ``(T+1, ..., n)``; returns a float
    or an array over the batch dimensions (``nan`` where fewer than 3 iterations fall in the window).
    """
    start = real_scalar("start", start, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    stop = real_scalar("stop", stop, lo=0.0, hi=start, lo_open=True, hi_open=True)
    r = stacked_norms(xi)
    rel = r / r[:1]
    T = r.shape[0]
    flat = rel.reshape(T, -1)
    out = np.full(flat.shape[1], np.nan)
    t = np.arange(T)
    for k in range(flat.shape[1]):
        below_start = np.nonzero(flat[:, k] <= start)[0]
        if below_start.size == 0:
            continue
        t1 = below_start[0]
        reached = np.nonzero(flat[:, k] <= stop)[0]
        t2 = reached[0] if reached.size else T - 1
        if t2 - t1 < 2:
            continue
        sl = slice(t1, t2 + 1)
        out[k] = np.exp(np.polyfit(t[sl], np.log(flat[sl, k]), 1)[0])
    return float(out[0]) if rel.ndim == 1 else out.reshape(rel.shape[1:])


# ====================================================================== Lemma 3 measured
def lemma3_decomposition(W_traj, problem, eta, beta, *, radius=None):
    r"""The decomposition :math:`\phi_t = \varphi_t + \iota_t` of Lemma 3 along a heavy-ball run.

    Parameters
    ----------
    W_traj : array, shape (T+1, m, d)
        The iterates :math:`W_0, \dots, W_T` of heavy ball (Algorithm 1 with :math:`M_{-1}=0`) on
        ``problem`` (a single problem), e.g. ``train(..., store="all").trajectory``.
    eta, beta : float
        The parameters of that run.
    radius : float, optional
        The :math:`R` of the sets :math:`S_i^\perp`; defaults to the largest distance of a neuron from
        its initialisation along the run, the smallest radius for which the sets are valid.

    Returns
    -------
    dict with, for t = 0..T-1 (arrays of shape (T, n) unless noted):

    ``phi``
        :math:`\phi_t` extracted from the residuals by :func:`accelbook.residual.extract_phi` with
        :math:`H = H_0`.
    ``iota``
        :math:`\iota_t = \eta(H_0 - H_t)\xi_t`.
    ``varphi``, ``varphi_gram``, ``varphi_activation``
        :math:`\varphi_t` from (35) and its two parts: :math:`\varphi_t = \text{gram} + \text{activation}` with
        gram :math:`= +\frac{\eta}{m}\sum_j x_i^\top x_j\xi_t[j]\sum_{r\in S_i^\perp}\mathbb 1_{ri}(t)\mathbb 1_{rj}(t)`
        (the source prints a minus sign) and activation
        :math:`= \frac1{\sqrt m}\sum_{r\in S_i^\perp} a_r(\sigma_{ri}(t{+}1) - (1{+}\beta)\sigma_{ri}(t) + \beta\sigma_{ri}(t{-}1))`.
    ``varphi_bound``
        Lemma 3's bound :math:`\frac{2\eta\sqrt n|S_i^\perp|}{m}(\|\xi_t\| + \beta\sum_{s<t}\beta^{t-1-s}\|\xi_s\|)`.
    ``varphi_bound_changed``
        The same bound with the smallest valid sets: the neurons whose pattern on :math:`x_i` changes
        at some iteration of the run (the proof only needs every other neuron's pattern to be constant).
    ``xi`` (T+1, n), ``H0``, ``H`` (T+1, n, n): :math:`H_t`, ``radius`` (float), ``s_perp_sizes`` and
    ``changed_sizes`` (n,)
    """
    if not isinstance(problem, ReluProblem):
        raise TypeError(f"problem must be a ReluProblem, got {type(problem).__name__}")
    if problem.batch_shape:
        raise ValueError("lemma3_decomposition needs a single problem (W0 of shape (m, d))")
    W_traj = finite_array("W_traj", W_traj, ndim=3)
    if W_traj.shape[1:] != problem.W0.shape or W_traj.shape[0] < 2:
        raise ValueError(f"W_traj must have shape (T+1, {problem.m}, {problem.d}) with T >= 1, got {W_traj.shape}")
    if not np.array_equal(W_traj[0], problem.W0):
        raise ValueError("W_traj[0] must be the problem's initialisation W0")
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    X, a, m, n = problem.X, problem.a, problem.m, problem.n
    dist = np.max(np.linalg.norm(W_traj - problem.W0, axis=-1))
    radius = float(dist) if radius is None else real_scalar("radius", radius, lo=float(dist) * (1 - 1e-12))
    Z = _pre(W_traj, X)                                       # (T+1, n, m)
    xi = _outputs_from_pre(Z, a) - problem.y                  # (T+1, n)
    S = (Z >= 0).astype(np.float64)
    H = np.matmul(X, X.T) * np.matmul(S, np.swapaxes(S, -1, -2)) / m   # H_t, (T+1, n, n)
    H0 = H[0]
    phi = residual.extract_phi(xi, H0, eta, beta)
    iota = eta * np.einsum("tij,tj->ti", H0 - H[:-1], xi[:-1])
    P = s_perp(problem.W0, X, radius).astype(np.float64)     # (n, m)
    # gram part: + eta/m sum_j x_i.x_j xi_t[j] sum_{r in S_i^perp} 1_ri(t) 1_rj(t)
    overlap = np.einsum("im,tim,tjm->tij", P, S[:-1], S[:-1])
    varphi_gram = eta / m * np.einsum("ij,tij,tj->ti", X @ X.T, overlap, xi[:-1])
    sig = np.maximum(Z, 0.0)                                  # sigma(<w_r(t), x_i>)
    sig_prev = np.concatenate([sig[:1], sig[:-2]])            # w_{-1} = w_0
    combo = sig[1:] - (1 + beta) * sig[:-1] + beta * sig_prev
    varphi_act = np.einsum("im,tim,m->ti", P, combo, a) / np.sqrt(m)
    norms = np.linalg.norm(xi, axis=1)
    discounted = np.zeros_like(norms)                          # sum_{s<t} beta^{t-1-s} ||xi_s||
    for t in range(1, norms.size):
        discounted[t] = beta * discounted[t - 1] + norms[t - 1]
    sizes = P.sum(axis=1)
    changed = np.any(S != S[:1], axis=0).sum(axis=1)            # neurons whose pattern on x_i ever changed
    factor = 2 * eta * np.sqrt(n) / m * (norms[:-1] + beta * discounted[:-1])[:, None]
    return {"phi": phi, "iota": iota, "varphi": varphi_gram + varphi_act, "varphi_gram": varphi_gram,
            "varphi_activation": varphi_act, "varphi_bound": factor * sizes[None, :],
            "varphi_bound_changed": factor * changed[None, :], "xi": xi, "H0": H0, "H": H, "radius": radius,
            "s_perp_sizes": sizes, "changed_sizes": changed}


def lemma10_distance_bound(xi, eta, beta, m):
    r"""The path-length bound in the proof of Lemma 10, steps (a)-(c): for every neuron,

    .. math:: \|w_t^{(r)} - w_0^{(r)}\| \le \eta\frac{\sqrt n}{\sqrt m}\sum_{s=0}^{t-1}\sum_{\tau=0}^{s}
              \beta^{s-\tau}\|\xi_\tau\| ,

    valid for heavy ball with :math:`M_{-1}=0` (and gradient descent, β = 0). ``xi`` has shape
    ``(T+1, ..., n)``; returns shape ``(T+1, ...)``."""
    xi = finite_array("xi", xi)
    if xi.ndim < 2:
        raise ValueError(f"xi must have shape (T+1, ..., n), got {xi.shape}")
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    m = int_scalar("m", m, lo=1)
    norms = np.linalg.norm(xi, axis=-1)
    inner = np.zeros_like(norms)                  # sum_{tau<=s} beta^{s-tau} ||xi_tau||
    acc = np.zeros_like(norms[0])
    for s in range(norms.shape[0]):
        acc = beta * acc + norms[s]
        inner[s] = acc
    outer = np.concatenate([np.zeros_like(norms[:1]), np.cumsum(inner[:-1], axis=0)])
    return eta * np.sqrt(xi.shape[-1]) / np.sqrt(m) * outer


# ====================================================================== Theorems 3 and 9, Lemmas 5 and 8
def r_relu(lam, n, c0):
    r""":math:`R_{\mathrm{ReLU}} = \lambda/(1024\,n\,C_0)` of Lemmas 8-10: the radius within which the
    proof of Theorem 9 keeps every neuron."""
    lam = real_scalar("lam", lam, lo=0.0, lo_open=True)
    n = int_scalar("n", n, lo=1)
    c0 = real_scalar("c0", c0, lo=1.0)
    return lam / (1024.0 * n * c0)


def theorem9_parameters(H_bar, *, form="table1"):
    r"""The parameters of Theorem 9 from the infinite-width Gram matrix :math:`\bar H`.

    :math:`\lambda = \tfrac34\lambda_{\min}(\bar H)`, :math:`\lambda_{\max} = \lambda_{\max}(\bar H) +
    \tfrac14\lambda_{\min}(\bar H)`, :math:`\hat\kappa = \lambda_{\max}/\lambda = (4\kappa+1)/3`,
    :math:`\eta = 1/\lambda_{\max}` and

    ``form="table1"`` (default)
        :math:`\beta = (1 - \tfrac12\sqrt{\eta\lambda})^2 = (1-\tfrac{1}{2\sqrt{\hat\kappa}})^2`, as in
        Table 1, Corollary 1 and the proof (Appendix F).
    ``form="stated"``
        :math:`\beta = (1 - \tfrac{1}{2\hat\kappa})^2` as printed in Theorem 9. **Erratum**: with it the
        rate of (21) fails once :math:`\hat\kappa > 4` (Chapter 3).

    Returns a dict with ``eta, beta, lam, lam_max, kappa, kappa_hat, rate`` (the rate
    :math:`1 - 1/(4\sqrt{\hat\kappa})` of (21)).
    """
    _, eig = _spd("H_bar", H_bar)
    lam, lam_max = 0.75 * eig[0], eig[-1] + 0.25 * eig[0]
    kappa_hat = lam_max / lam
    eta = 1.0 / lam_max
    if form == "table1":
        beta = (1 - 0.5 / np.sqrt(kappa_hat)) ** 2
    elif form == "stated":
        beta = (1 - 0.5 / kappa_hat) ** 2
    else:
        raise ValueError(f"form must be 'table1' or 'stated', got {form!r}")
    return {"eta": float(eta), "beta": float(beta), "lam": float(lam), "lam_max": float(lam_max),
            "kappa": float(eig[-1] / eig[0]), "kappa_hat": float(kappa_hat),
            "rate": float(1 - 0.25 / np.sqrt(kappa_hat))}


def _spd(name, H):
    H, eig = symmetric_psd(name, H)
    if eig[0] <= 0:
        raise ValueError(f"{name} must be positive definite (lambda_min > 0), the assumption of Theorem 9")
    return H, eig


def theorem9_bound(kappa_hat, t):
    r"""The right side of (21) relative to :math:`\|[\xi_0;\xi_{-1}]\|`:
    :math:`(1 - \tfrac{1}{4\sqrt{\hat\kappa}})^t\, 8\sqrt{\hat\kappa}`."""
    kappa_hat = real_scalar("kappa_hat", kappa_hat, lo=1.0)
    t = np.asarray(t)
    if np.any(t < 0):
        raise ValueError("t must be >= 0")
    return (1 - 0.25 / np.sqrt(kappa_hat)) ** t * 8 * np.sqrt(kappa_hat)


def theorem3_rate(eta, H_bar):
    r"""The per-iteration contraction of :math:`\|u_t - y\|` implied by Theorem 3 (Du et al.), whose bound
    :math:`\|u_t-y\|^2 \le (1-\eta\lambda)^t\|u_0-y\|^2`, :math:`\lambda = \lambda_{\min}(\bar H)/2`, is on
    the squared norm: :math:`\sqrt{1 - \eta\lambda_{\min}(\bar H)/2}`. (The theorem asks for
    :math:`\eta = O(\lambda/n^2)`; this function evaluates the rate at any ``eta`` with
    :math:`\eta\lambda \le 1`.)"""
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    _, eig = _spd("H_bar", H_bar)
    z = eta * eig[0] / 2
    if z > 1:
        raise ValueError(f"eta * lambda_min(H_bar) / 2 must be <= 1, got {z:g}")
    return float(np.sqrt(1 - z))


def required_width(lam, n, *, kappa=1.0, delta=0.1, theorem="theorem9"):
    r"""The width a theorem asks for, with every hidden constant set to 1:

    ``"theorem9"``  :math:`\lambda^{-4}n^4\kappa^2\log^3(n/\delta)` (Theorem 9);
    ``"song_yang"`` :math:`\lambda^{-4}n^4\log^3(n/\delta)` (Song & Yang's improvement of Theorem 3);
    ``"du"``        :math:`\lambda^{-4}n^6\delta^{-3}` (Theorem 3, Du et al.);
    ``"lemma5"``    :math:`\lambda^{-2}n^2\log(n/\delta)` (Lemma 5, with :math:`\lambda = \lambda_{\min}(\bar H)`).
    """
    lam = real_scalar("lam", lam, lo=0.0, lo_open=True)
    n = int_scalar("n", n, lo=1)
    kappa = real_scalar("kappa", kappa, lo=1.0)
    delta = real_scalar("delta", delta, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    if theorem == "theorem9":
        return lam ** -4 * n ** 4 * kappa ** 2 * np.log(n / delta) ** 3
    if theorem == "song_yang":
        return lam ** -4 * n ** 4 * np.log(n / delta) ** 3
    if theorem == "du":
        return lam ** -4 * n ** 6 * delta ** -3
    if theorem == "lemma5":
        return lam ** -2 * n ** 2 * np.log(n / delta)
    raise ValueError(f"theorem must be 'theorem9', 'song_yang', 'du' or 'lemma5', got {theorem!r}")


def lemma10_width(lam, n, c0, xi0_norm, *, nu=2.0):
    r"""The width at which the proof of Theorem 9 closes with its explicit constants: Lemma 10, steps (e)-(f),
    bounds every neuron's distance by :math:`16\sqrt{2n}\,\nu C_0\|\xi_0\|/(\lambda\sqrt m)`, and this is at
    most :math:`R_{\mathrm{ReLU}} = \lambda/(1024 n C_0)` iff

    .. math:: m \ge \Big(\frac{16\cdot1024\sqrt2\,\nu\, n^{3/2} C_0^2\|\xi_0\|}{\lambda^2}\Big)^2 ,

    with ν = 2 in the proof."""
    lam = real_scalar("lam", lam, lo=0.0, lo_open=True)
    n = int_scalar("n", n, lo=1)
    c0 = real_scalar("c0", c0, lo=1.0)
    xi0_norm = real_scalar("xi0_norm", xi0_norm, lo=0.0)
    nu = real_scalar("nu", nu, lo=0.0, lo_open=True)
    return float((16 * 1024 * np.sqrt(2) * nu * n ** 1.5 * c0 ** 2 * xi0_norm / lam ** 2) ** 2)


def lemma5_holds(H0, H_bar):
    r"""Whether the three conclusions of Lemma 5 hold: :math:`\|H_0-\bar H\|_F\le\lambda_{\min}(\bar H)/4`,
    :math:`\lambda_{\min}(H_0)\ge\tfrac34\lambda_{\min}(\bar H)` and
    :math:`\lambda_{\max}(H_0)\le\lambda_{\max}(\bar H)+\tfrac14\lambda_{\min}(\bar H)`.
    ``H0`` may be a batch ``(..., n, n)``; returns a boolean (array)."""
    H0 = finite_array("H0", H0)
    _, eig = _spd("H_bar", H_bar)
    if H0.shape[-2:] != (eig.size, eig.size):
        raise ValueError(f"H0 must have shape (..., {eig.size}, {eig.size}) to match H_bar, got {H0.shape}")
    e0 = np.linalg.eigvalsh(H0)
    ok = (np.linalg.norm(H0 - H_bar, axis=(-2, -1)) <= eig[0] / 4) & (e0[..., 0] >= 0.75 * eig[0]) \
        & (e0[..., -1] <= eig[-1] + 0.25 * eig[0])
    return bool(ok) if ok.ndim == 0 else ok


# ====================================================================== studies behind the chapter's figures
def gram_concentration(X, widths, *, trials=20, seed=0, max_batch_elements=2_000_000):
    r"""Lemma 5 measured: for each width, ``trials`` independent initialisations and
    :math:`\|H_0-\bar H\|_F`, :math:`\lambda_{\min}(H_0)`, :math:`\lambda_{\max}(H_0)`.

    Returns a dict of arrays of shape ``(len(widths), trials)`` (``frob``, ``lam_min``, ``lam_max``),
    the widths, and :math:`\sqrt{v/m}` (``expected_rms``: the exact root-mean-square of the Frobenius
    error, :func:`gram_fluctuation`).
    """
    X = _inputs(X, "X")
    if X.ndim != 2:
        raise ValueError("X must be one data set of shape (n, d)")
    widths = np.asarray([int_scalar("widths[i]", w, lo=1) for w in widths])
    trials = int_scalar("trials", trials, lo=1)
    rng = rng_from(seed)
    H_bar = ntk_gram(X)
    frob, lo, hi = (np.empty((widths.size, trials)) for _ in range(3))
    for k, m in enumerate(widths):
        chunk = max(1, min(trials, max_batch_elements // (m * X.shape[1])))
        for s in range(0, trials, chunk):
            b = min(chunk, trials - s)
            H0 = gram(rng.standard_normal((b, m, X.shape[1])), X)
            e = np.linalg.eigvalsh(H0)
            frob[k, s:s + b] = np.linalg.norm(H0 - H_bar, axis=(-2, -1))
            lo[k, s:s + b], hi[k, s:s + b] = e[:, 0], e[:, -1]
    return {"widths": widths, "frob": frob, "lam_min": lo, "lam_max": hi, "H_bar": H_bar,
            "expected_rms": np.sqrt(gram_fluctuation(X) / widths)}


def width_sweep(X, y, widths, eta, beta, n_iter, *, trials=3, seed=0, method="heavy_ball"):
    r"""Train at several widths (``trials`` initialisations each, one batch per width; ``trials`` may
    be one int or one int per width) with fixed
    ``eta`` and ``beta`` (e.g. from :math:`\bar H`), next to the linearised model of each trial
    (:func:`linearised_residuals` with that trial's :math:`H_0`).

    Returns a dict of arrays of shape ``(len(widths), max trials)`` (``nan`` where a width has fewer
    trials): ``rate`` (measured, :func:`empirical_rate`),
    ``linear_rate`` (same measurement on the linearised model), ``deviation``
    (:math:`\max_t\|\xi_t-\xi^{\rm lin}_t\|/\|\xi_0\|`), ``pattern_change`` (at the end), ``max_distance``
    (:math:`\max_{t,r}\|w^{(r)}_t-w^{(r)}_0\|`), ``kappa_hat``; and ``widths``.
    """
    X = _inputs(X)
    widths = [int_scalar("widths[i]", w, lo=1) for w in widths]
    per_width = [trials] * len(widths) if np.ndim(trials) == 0 else list(trials)
    if len(per_width) != len(widths):
        raise ValueError(f"trials must be an int or have one entry per width ({len(widths)}), got {len(per_width)}")
    per_width = [int_scalar("trials[i]", t, lo=1) for t in per_width]
    rng = rng_from(seed)
    keys = ("rate", "linear_rate", "deviation", "pattern_change", "max_distance", "kappa_hat")
    out = {k: np.full((len(widths), max(per_width)), np.nan) for k in keys}
    for k, (m, b) in enumerate(zip(widths, per_width)):
        prob = make_problem(X, y, m, seed=rng, trials=b)
        run = train(prob, method, eta, beta, n_iter)
        lin = linearised_residuals(prob.H0, run.xi[0], eta, beta, n_iter, method=method)
        scale = np.linalg.norm(run.xi[0], axis=-1)
        out["rate"][k, :b] = empirical_rate(run.xi)
        out["linear_rate"][k, :b] = empirical_rate(lin)
        out["deviation"][k, :b] = np.max(np.linalg.norm(run.xi - lin, axis=-1), axis=0) / scale
        out["pattern_change"][k, :b] = run.pattern_change[-1]
        out["max_distance"][k, :b] = np.max(run.max_distance, axis=0)
        out["kappa_hat"][k, :b] = prob.kappa_hat
    out["widths"] = np.asarray(widths)
    return out


def iterations_to(loss_curve, tol):
    r"""The first iteration t with :math:`\ell_t \le` ``tol`` :math:`\cdot\,\ell_0` (``loss_curve`` of shape
    ``(T+1, ...)``); ``nan`` where it is never reached."""
    tol = real_scalar("tol", tol, lo=0.0, lo_open=True)
    L = finite_array("loss_curve", loss_curve)
    hit = L <= tol * L[:1]
    first = np.argmax(hit, axis=0).astype(float)
    first = np.where(hit.any(axis=0), first, np.nan)
    return float(first) if first.ndim == 0 else first


def appendix_h_experiment(seed, *, n=5, d=10, m=1000, n_iter=200, which=METHODS):
    r"""The experiment of Appendix H: ``n`` Gaussian inputs scaled to unit norm, labels uniform in
    {-1, 1}, width ``m``, :math:`\eta = 1/\lambda_{\max}(H_0)`, :math:`\beta = (1-\frac{1}{2\sqrt{\hat\kappa}})^2`;
    gradient descent with the same η (and Nesterov with the same η, β); ``which`` selects the methods.
    Returns ``(problem, runs)`` with ``runs`` a dict method -> :class:`ReluRun`."""
    rng = rng_from(seed)
    X = unit_inputs(n, d, seed=rng)
    prob = make_problem(X, random_labels(n, seed=rng), m, seed=rng)
    eta, beta = prob.momentum_parameters()
    runs = {meth: train(prob, _method(meth), eta, 0.0 if meth == "gd" else beta, n_iter) for meth in which}
    return prob, runs


def appendix_h_seeds(seeds, *, m=1000, n_iter=150, tol=1e-12):
    r"""Appendix H's experiment repeated over ``seeds``: per seed :math:`\hat\kappa`, the iterations gradient
    descent and heavy ball need to reach :math:`\ell_t\le` ``tol`` :math:`\ell_0`, and their final
    pattern-change fractions. Returns a dict of arrays."""
    keys = ("kappa_hat", "iters_gd", "iters_hb", "pattern_gd", "pattern_hb")
    out = {k: np.empty(len(seeds)) for k in keys}
    for k, s in enumerate(seeds):
        prob, runs = appendix_h_experiment(s, m=m, n_iter=n_iter, which=("gd", "heavy_ball"))
        out["kappa_hat"][k] = prob.kappa_hat
        out["iters_gd"][k] = iterations_to(runs["gd"].loss, tol)
        out["iters_hb"][k] = iterations_to(runs["heavy_ball"].loss, tol)
        out["pattern_gd"][k] = runs["gd"].pattern_change[-1]
        out["pattern_hb"][k] = runs["heavy_ball"].pattern_change[-1]
    return out


def conditioning_sweep(angles, *, n=5, d=10, m=2000, n_iter=1500, seed=0):
    r"""Data of increasing condition number: for each angle, :func:`clustered_inputs`, one initialisation,
    Appendix H's :math:`\eta = 1/\lambda_{\max}(H_0)` and :math:`\beta = (1-\frac{1}{2\sqrt{\hat\kappa}})^2`,
    gradient descent and heavy ball. Returns a dict of arrays over the angles: ``kappa_hat``,
    ``kappa`` (of :math:`\bar H`), measured ``rate_gd`` and ``rate_hb``, and the rates of Theorem 3
    (``theorem3``, at the same η) and Theorem 9 (``theorem9`` :math:`= 1-1/(4\sqrt{\hat\kappa})`),
    ``pattern_gd``, ``pattern_hb`` (final pattern-change fractions)."""
    angles = [real_scalar("angles[i]", a, lo=0.0, hi=np.pi / 2, lo_open=True) for a in angles]
    keys = ("kappa_hat", "kappa", "rate_gd", "rate_hb", "theorem3", "theorem9", "pattern_gd", "pattern_hb")
    out = {k: np.empty(len(angles)) for k in keys}
    rng = rng_from(seed)
    for k, angle in enumerate(angles):
        X = clustered_inputs(n, d, angle, seed=rng)
        prob = make_problem(X, random_labels(n, seed=rng), m, seed=rng)
        eta, beta = prob.momentum_parameters()
        gd = train(prob, "gd", eta, 0.0, n_iter)
        hb = train(prob, "heavy_ball", eta, beta, n_iter)
        out["kappa_hat"][k], out["kappa"][k] = prob.kappa_hat, condition_number(prob.H_bar)
        out["rate_gd"][k], out["rate_hb"][k] = empirical_rate(gd.xi), empirical_rate(hb.xi)
        out["theorem3"][k] = theorem3_rate(eta, prob.H_bar)
        out["theorem9"][k] = 1 - 0.25 / np.sqrt(prob.kappa_hat)
        out["pattern_gd"][k], out["pattern_hb"][k] = gd.pattern_change[-1], hb.pattern_change[-1]
    return out


# ====================================================================== the explorer
def relu_explorer_data(m, angle_deg, beta=None, *, n=5, d=10, n_iter=250, seed=0):
    r"""Everything the Chapter 3 explorer draws.

    ``n`` inputs at angle ``angle_deg`` (degrees) from a common direction (:func:`clustered_inputs`),
    random labels, width ``m``, Appendix H's :math:`\eta = 1/\lambda_{\max}(H_0)`; heavy ball with momentum
    ``beta`` (default: Corollary 1's :math:`(1-\frac{1}{2\sqrt{\hat\kappa}})^2`), gradient descent with
    the same η, and the linearised heavy-ball model. Returns a dict.
    """
    m = int_scalar("m", m, lo=1)
    angle_deg = real_scalar("angle_deg", angle_deg, lo=0.0, hi=90.0, lo_open=True)
    rng = rng_from(seed)
    X = clustered_inputs(n, d, np.deg2rad(angle_deg), seed=rng)
    prob = make_problem(X, random_labels(n, seed=rng), m, seed=rng)
    eta, beta_cor1 = prob.momentum_parameters()
    beta = beta_cor1 if beta is None else real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    hb = train(prob, "heavy_ball", eta, beta, n_iter)
    gd = train(prob, "gd", eta, 0.0, n_iter)
    lin = linearised_residuals(prob.H0, hb.xi[0], eta, beta, hb.nit)
    return {"m": m, "angle_deg": angle_deg, "kappa_hat": float(prob.kappa_hat), "eta": eta, "beta": beta,
            "beta_cor1": beta_cor1, "t_hb": np.arange(hb.nit + 1), "t_gd": np.arange(gd.nit + 1),
            "hb": hb.stacked_norms / hb.stacked_norms[0], "gd": gd.stacked_norms / gd.stacked_norms[0],
            "linear": stacked_norms(lin) / stacked_norms(lin)[0],
            "pattern_hb": hb.pattern_change, "pattern_gd": gd.pattern_change,
            "diverged": bool(hb.diverged or gd.diverged), "message": hb.result.message}


def draw_relu_explorer(data, fig):
    """Draw :func:`relu_explorer_data` output on ``fig`` (two panels). Returns the axes."""
    fig.clear()
    ax1, ax2 = fig.subplots(1, 2)
    title = (rf"$m$={data['m']}, angle {data['angle_deg']:.0f}°, $\hat\kappa$={data['kappa_hat']:.1f}, "
             rf"$\beta$={data['beta']:.3f} (Corollary 1: {data['beta_cor1']:.3f})")
    fig.suptitle(title, fontsize=9)
    if data["diverged"]:
        for ax in (ax1, ax2):
            ax.text(0.5, 0.5, "diverges: " + data["message"][:60], ha="center", va="center",
                    transform=ax.transAxes, fontsize=8)
            ax.set_xlabel("iteration t")
        return ax1, ax2
    floor = 1e-300
    plotting.method_line(ax1, data["t_hb"], np.maximum(data["hb"], floor), "heavy_ball")
    plotting.method_line(ax1, data["t_gd"], np.maximum(data["gd"], floor), "gd", label="gradient descent (same η)")
    ax1.plot(data["t_hb"], np.maximum(data["linear"], floor), ":", color=plotting.COLORS["bound"],
             label="heavy ball, linearised")
    plotting.log_axes(ax1, "iteration t", r"$\|[\xi_t;\xi_{t-1}]\|$ (relative)")
    ax1.set_ylim(bottom=1e-12)
    ax2.plot(data["t_hb"], 100 * data["pattern_hb"], color=plotting.COLORS["heavy_ball"], label="heavy ball")
    ax2.plot(data["t_gd"], 100 * data["pattern_gd"], color=plotting.COLORS["gd"], label="gradient descent")
    ax2.set(xlabel="iteration t", ylabel="patterns changed (%)")
    ax2.legend()
    return ax1, ax2


def relu_explorer_callback(m, angle_deg, beta=None, *, fig=None, n_iter=250, seed=0):
    """Compute and draw one frame of the explorer; returns the figure (works without a display)."""
    from .widgets import draw_frame
    return draw_frame(draw_relu_explorer, relu_explorer_data(m, angle_deg, beta, n_iter=n_iter, seed=seed), fig)


def relu_explorer():  # pragma: no cover - needs a live kernel; the callback is tested
    """The live explorer: sliders for the width (log10 m), the input angle and β (0 means Corollary 1's β)."""
    import ipywidgets as W
    from .widgets import live_explorer
    return live_explorer(
        lambda log10_m, angle_deg, beta: relu_explorer_callback(int(round(10 ** log10_m)), angle_deg,
                                                                None if beta == 0 else beta),
        log10_m=W.FloatSlider(value=3.0, min=1.5, max=4.0, step=0.25, description="log₁₀ m"),
        angle_deg=W.FloatSlider(value=20.0, min=2.0, max=90.0, step=1.0, description="angle (°)"),
        beta=W.FloatSlider(value=0.0, min=0.0, max=0.99, step=0.01, description="β (0: Cor. 1)"),
    )


def relu_explorer_static(widths, angles_deg, *, n_iter=400, seed=0, fig=None):
    """The static companion of the explorer: one panel per (angle, width), heavy ball with Corollary 1's β
    against gradient descent and the linearised heavy-ball model. Returns the figure."""
    import matplotlib.pyplot as plt
    widths = [int_scalar("widths[i]", w, lo=1) for w in widths]
    angles_deg = [real_scalar("angles_deg[i]", a, lo=0.0, hi=90.0, lo_open=True) for a in angles_deg]
    if not widths or not angles_deg:
        raise ValueError("widths and angles_deg must not be empty")
    if fig is None:
        fig = plt.figure(figsize=(3.0 * len(widths), 2.6 * len(angles_deg)))
    axes = np.atleast_2d(fig.subplots(len(angles_deg), len(widths), sharey=True, squeeze=False))
    for i, angle in enumerate(angles_deg):
        for j, m in enumerate(widths):
            d = relu_explorer_data(m, angle, n_iter=n_iter, seed=seed)
            ax = axes[i, j]
            plotting.method_line(ax, d["t_hb"], np.maximum(d["hb"], 1e-300), "heavy_ball")
            plotting.method_line(ax, d["t_gd"], np.maximum(d["gd"], 1e-300), "gd")
            ax.plot(d["t_hb"], np.maximum(d["linear"], 1e-300), ":", color=plotting.COLORS["bound"],
                    label="linearised")
            ax.set_ylim(1e-12, 10)
            ax.set_title(rf"angle {angle:.0f}°, $m$={m}, $\hat\kappa$={d['kappa_hat']:.0f}", fontsize=8)
            if i == len(angles_deg) - 1:
                ax.set_xlabel("iteration t")
            if j == 0:
                ax.set_ylabel(r"$\|[\xi_t;\xi_{t-1}]\|$ (rel.)")
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    return fig
