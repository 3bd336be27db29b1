r"""Nesterov's momentum on the partition model (Liao & Kyrillidis 2024, arXiv 2306.08109).

The partition model splits the parameters into a block :math:`x`, in which
:math:`f(x, u) = g(h(x, u))` is :math:`\mu`-strongly convex and :math:`L_1`-smooth, and a block
:math:`u` that only has to be mildly coupled to it (:math:`h` is :math:`G_1`-Lipschitz in :math:`u`,
:math:`\nabla_x f` is :math:`G_2`-Lipschitz in :math:`u`, :math:`g` is :math:`L_2`-smooth), plus
universal optimality :math:`\min_x f(x, u) = f^\star` near the start.  Nesterov's method runs on
both blocks jointly and never sees the partition.

Contents
--------
* theory: :func:`nesterov_beta`, :func:`theorem6_rate`, :func:`theorem7_rate`, their bounds,
  :func:`method_parameters`;
* :class:`AdditiveModel` :math:`h(x,u) = A_1x + \sigma(A_2u)` with ReLU :math:`\sigma` and MSE loss,
  its exact constants (Theorem 13), generators :func:`make_A1`, :func:`make_A2`, :func:`make_additive`;
* :class:`ReluNetwork`, a deep fully-connected ReLU network without biases, partitioned into
  :math:`x` = last layer, :math:`u` = earlier layers; :func:`init_network`, :func:`make_regression_data`;
* :func:`train` (gradient descent, heavy ball, Nesterov through :mod:`accelbook.methods`, with the
  per-block step norms :math:`\|\Delta x_k\|`, :math:`\|\Delta u_k\|` recorded on the fly);
* checks of Lemma 8 and of the gradient-dominance lemma, random-pair Lipschitz estimates;
* experiments (κ sweep, the three regimes, the network study) and the κ explorer.

Conventions
-----------
Every problem carries a leading *trial* axis of length ``T``: parameters are lists of arrays of
shape ``(T, ...)`` and losses have shape ``(T,)``.  The trials are independent problems, so one
batched run of a method is ``T`` runs with the same η and β.  The loss is
:math:`g(z) = \tfrac12\|z - b\|^2` (so :math:`L_2 = 1` and :math:`f^\star = 0` whenever A6 holds).
Every choice the source leaves open lives in :data:`DEFAULTS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import methods, plotting
from ._validation import finite_array, int_scalar, real_scalar, rng_from

__all__ = [
    "PartitionDefaults", "DEFAULTS",
    "nesterov_beta", "theorem6_rate", "theorem7_rate", "theorem6_bound", "theorem7_bound", "method_parameters",
    "relu", "make_A1", "make_A2", "AdditiveModel", "make_additive",
    "ReluNetwork", "init_network", "make_regression_data", "torch_network_loss", "nesterov_x_from_torch",
    "PartitionRun", "train", "iterations_to_tol", "measured_rate", "loglog_slope",
    "block_grad_norms", "gradient_dominance_ratio", "lemma8_ratio", "lipschitz_ratios", "run_diagnostics",
    "kappa_sweep", "safe_c", "regime_runs", "bound_ratio", "theorem_check_sweep", "network_runs",
    "partition_explorer_data", "draw_partition_explorer", "partition_explorer_callback", "partition_explorer",
    "partition_explorer_static", "rate_table", "format_rate_table", "draw_block_steps", "draw_regimes",
    "draw_lemma_checks", "draw_network", "width_study", "draw_width_study",
]

METHODS = ("gd", "heavy_ball", "nesterov")


# ================================================================ the book's choices, in one place
@dataclass(frozen=True)
class PartitionDefaults:
    """Every choice Chapter 5 makes where the source is silent.

    Additive model: ``A1`` is ``dim_x × dim_x`` (square and invertible, as the theory needs) with
    singular values log-spaced in :math:`[1/\\sqrt\\kappa, 1]` (so :math:`L_1 = 1`, :math:`\\mu = 1/\\kappa`);
    ``A2`` is ``dim_x × dim_u`` Gaussian rescaled to :math:`\\sigma_{\\max}(A_2)` = the regime's value;
    ``b``, ``x0``, ``u0`` are standard Gaussian.  Network: ``n`` inputs on the unit sphere in
    :math:`\\mathbb{R}^{d_0}`, labels a centred and normalised :math:`\\sin(3\\langle a, x\\rangle)`, He
    initialisation (entries :math:`N(0, 2/d_{l-1})`) of the hidden layers and :math:`N(0, 1/d_{\\Lambda-1})`
    of the last layer.  Step :math:`\\eta = c/L_1`.  Grids and run lengths of the chapter's experiments.
    """

    # additive model
    dim_x: int = 20
    dim_u: int = 20
    kappa: float = 100.0
    sigma_regimes: tuple = (0.01, 0.3, 5.0)  # the explainer's three regimes
    c: float = 1.0
    n_trials: int = 10
    seed: int = 2024
    regime_iters: int = 1500
    tol_explorer: float = 1e-2  # the explainer's target accuracy
    sweep_kappas: tuple = (10.0, 10 ** 1.5, 100.0, 10 ** 2.5, 1000.0, 10 ** 3.5)
    check_sigmas: tuple = (0.01, 0.1, 0.3, 0.6, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)  # where the theorems stop holding
    check_iters: int = 400
    # deep ReLU network
    n_samples: int = 16
    input_dim: int = 16
    hidden_width: int = 32
    depth: int = 3
    penultimate_width: int = 512
    width_study: tuple = (64, 256, 1024)
    network_iters: int = 300
    network_trials: int = 5


DEFAULTS = PartitionDefaults()


# ================================================================ theory: beta and the rates
def _c(c):
    return real_scalar("c", c, lo=0.0, hi=1.0, lo_open=True)


def _kappa_array(kappa):
    k = np.asarray(kappa, dtype=np.float64)
    if k.size == 0 or np.any(~np.isfinite(k)) or np.any(k < 1):
        raise ValueError("kappa must be finite and >= 1 (kappa = L1/mu)")
    return k


def _out(x):
    return float(x) if np.ndim(x) == 0 else x


def nesterov_beta(kappa, c=1.0):
    r"""Momentum of Theorem 7 of Liao & Kyrillidis:
    :math:`\beta = \dfrac{4\sqrt\kappa - \sqrt c}{4\sqrt\kappa + 7\sqrt c}`.

    Parameters
    ----------
    kappa : float or array
        :math:`\kappa = L_1/\mu \ge 1` (x-block constants).
    c : float
        The absolute constant of the step :math:`\eta = c/L_1`, ``0 < c <= 1``.

    Returns
    -------
    float or ndarray, in :math:`[3/11, 1)`.
    """
    k, c = _kappa_array(kappa), _c(c)
    return _out((4 * np.sqrt(k) - np.sqrt(c)) / (4 * np.sqrt(k) + 7 * np.sqrt(c)))


def theorem6_rate(kappa, c=1.0):
    r"""Gradient descent's rate in Theorem 6: :math:`1 - c/(4\kappa)` (per iteration, on :math:`f - f^\star`)."""
    k, c = _kappa_array(kappa), _c(c)
    return _out(1.0 - c / (4.0 * k))


def theorem7_rate(kappa, c=1.0):
    r"""Nesterov's rate in Theorem 7: :math:`1 - c/(4\sqrt\kappa)` (per iteration, on :math:`f - f^\star`)."""
    k, c = _kappa_array(kappa), _c(c)
    return _out(1.0 - c / (4.0 * np.sqrt(k)))


def _iters(k):
    k = np.asarray(k)
    if k.size == 0 or not np.all(np.isfinite(k)) or np.any(k < 0) or np.any(k != np.round(k)):
        raise ValueError("k must be integers >= 0")
    return k.astype(int)


def theorem6_bound(kappa, k, c=1.0):
    r"""Theorem 6: :math:`(f_k - f^\star)/(f_0 - f^\star) \le (1 - c/(4\kappa))^k`. Returns the right side."""
    return theorem6_rate(float(kappa), c) ** _iters(k)


def theorem7_bound(kappa, k, c=1.0):
    r"""Theorem 7: :math:`(f_k - f^\star)/(f_0 - f^\star) \le 2(1 - c/(4\sqrt\kappa))^k`. Returns the right side."""
    return 2.0 * theorem7_rate(float(kappa), c) ** _iters(k)


def method_parameters(method, kappa, L1, c=1.0):
    r"""``(eta, beta)`` for a method on a partition model with x-block constants κ and :math:`L_1`.

    All three take :math:`\eta = c/L_1`.  Gradient descent: β = 0 (Theorem 6); Nesterov:
    :func:`nesterov_beta` (Theorem 7); heavy ball: :math:`\beta = (1 - \tfrac12\sqrt{\eta\mu})^2
    = (1 - \sqrt c/(2\sqrt\kappa))^2`, Corollary 1 of Wang et al. (2021) when c = 1.
    """
    kappa = real_scalar("kappa", kappa, lo=1.0)
    L1 = real_scalar("L1", L1, lo=0.0, lo_open=True)
    c = _c(c)
    eta = c / L1
    if method == "gd":
        return eta, 0.0
    if method == "nesterov":
        return eta, nesterov_beta(kappa, c)
    if method == "heavy_ball":
        return eta, (1.0 - 0.5 * np.sqrt(c / kappa)) ** 2
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


# ================================================================ the additive model
def relu(z):
    """The ReLU :math:`\\sigma(z) = \\max(z, 0)` (1-Lipschitz, so B = 1)."""
    return np.maximum(z, 0.0)


def _relu_prime(z):
    return (z > 0).astype(np.float64)  # the convention of torch: sigma'(0) = 0


def _mv(A, v):
    """Batched matrix-vector product: ``A`` (T, m, n), ``v`` (T, n) -> (T, m)."""
    return np.einsum("tij,tj->ti", A, v)


def _mtv(A, v):
    """Batched transposed product: ``A`` (T, m, n), ``v`` (T, m) -> (T, n)."""
    return np.einsum("tij,ti->tj", A, v)


def _orthogonal(rng, T, n):
    Q, R = np.linalg.qr(rng.standard_normal((T, n, n)))
    return Q * np.sign(np.diagonal(R, axis1=1, axis2=2))[:, None, :]  # Haar-distributed


def make_A1(dim, kappa, *, n_trials=1, seed, rows=None):
    r"""Matrices ``A1`` of shape ``(n_trials, rows, dim)`` (square by default) with :math:`\sigma_{\max} = 1` and
    :math:`\sigma_{\min} = 1/\sqrt\kappa`, so that :math:`L_1 = 1`, :math:`\mu = 1/\kappa` (Theorem 13).

    Singular values are log-spaced between the two; singular vectors are Haar-random.  ``rows > dim``
    gives a tall ``A1`` of full column rank, for which A6 fails (Chapter 5's exercise on removing A6).
    """
    dim = int_scalar("dim", dim, lo=1)
    rows = dim if rows is None else int_scalar("rows", rows, lo=dim)
    kappa = real_scalar("kappa", kappa, lo=1.0)
    T = int_scalar("n_trials", n_trials, lo=1)
    rng = rng_from(seed)
    s = np.logspace(0.0, -0.5 * np.log10(kappa), dim) if dim > 1 else np.ones(1)
    U, V = _orthogonal(rng, T, rows)[:, :, :dim], _orthogonal(rng, T, dim)
    return (U * s) @ np.swapaxes(V, 1, 2)


def make_A2(dim_out, dim_u, sigma_max, *, n_trials=1, seed):
    r"""Gaussian matrices of shape ``(n_trials, dim_out, dim_u)`` rescaled to :math:`\sigma_{\max}(A_2)` =
    ``sigma_max`` (the single knob of the additive model; 0 gives the zero matrix)."""
    dim_out = int_scalar("dim_out", dim_out, lo=1)
    dim_u = int_scalar("dim_u", dim_u, lo=1)
    sigma_max = real_scalar("sigma_max", sigma_max, lo=0.0)
    T = int_scalar("n_trials", n_trials, lo=1)
    G = rng_from(seed).standard_normal((T, dim_out, dim_u))
    return G * (sigma_max / np.linalg.norm(G, ord=2, axis=(1, 2)))[:, None, None]


@dataclass
class AdditiveModel:
    r"""The additive model :math:`f(x,u) = \tfrac12\|A_1x + \sigma(A_2u) - b\|^2` (Section 5.1 of the source).

    Parameters are ``w = [x, u]`` with ``x`` of shape ``(T, dim_x)`` and ``u`` of shape ``(T, dim_u)``;
    ``A1`` is ``(T, m, dim_x)``, ``A2`` is ``(T, m, dim_u)``, ``b`` is ``(T, m)``.  The theory needs ``A1``
    square and invertible (then A6 holds at every u); a tall ``A1`` of full column rank is accepted for
    experiments where A6 fails (``satisfies_A6`` is then False).
    """

    A1: np.ndarray
    A2: np.ndarray
    b: np.ndarray
    B: float = 1.0  # Lipschitz constant of the ReLU

    def __post_init__(self):
        self.A1 = finite_array("A1", self.A1, ndim=3)
        self.A2 = finite_array("A2", self.A2, ndim=3)
        T, m, d = self.A1.shape
        if m < d:
            raise ValueError("A1 must have at least as many rows as columns (full column rank), "
                             f"got shape {self.A1.shape}")
        if self.A2.shape[:2] != (T, m):
            raise ValueError(f"A2 must have shape (T, {m}, dim_u) to match A1, got {self.A2.shape}")
        self.b = finite_array("b", self.b, shape=(T, m))
        s1 = np.linalg.svd(self.A1, compute_uv=False)
        if np.any(s1[:, -1] <= 1e-12 * s1[:, 0]):
            raise ValueError("A1 must have full column rank (invertible when square): its smallest singular value is 0")
        self._s1 = s1
        self._s2max = np.linalg.norm(self.A2, ord=2, axis=(1, 2))

    # ---------------------------------------------------------- sizes and constants (Theorem 13)
    @property
    def n_trials(self):
        return self.A1.shape[0]

    @property
    def dim_x(self):
        return self.A1.shape[2]

    @property
    def dim_out(self):
        return self.A1.shape[1]

    @property
    def dim_u(self):
        return self.A2.shape[2]

    @property
    def satisfies_A6(self):
        r"""True when ``A1`` is square (invertible): then :math:`\min_x f(x,u) = 0` for every u."""
        return self.dim_out == self.dim_x

    @property
    def mu(self):
        r""":math:`\mu = \sigma_{\min}(A_1)^2` per trial."""
        return self._s1[:, -1] ** 2

    @property
    def L1(self):
        r""":math:`L_1 = \sigma_{\max}(A_1)^2` per trial."""
        return self._s1[:, 0] ** 2

    L2 = 1.0  #: smoothness of g(z) = ||z - b||^2 / 2

    @property
    def G1(self):
        r""":math:`G_1 = B\,\sigma_{\max}(A_2)` per trial."""
        return self.B * self._s2max

    @property
    def G2(self):
        r""":math:`G_2 = B\,\sigma_{\max}(A_1)\sigma_{\max}(A_2)` per trial."""
        return self.B * self._s1[:, 0] * self._s2max

    @property
    def kappa(self):
        return self.L1 / self.mu

    @property
    def f_star(self):
        """0 when A6 holds (``A1`` invertible); ``None`` (unknown) otherwise."""
        return 0.0 if self.satisfies_A6 else None

    # ---------------------------------------------------------- values and gradients
    def split(self, w):
        """``(x_leaves, u_leaves)`` of a parameter list."""
        return [w[0]], [w[1]]

    def output(self, w):
        r"""The model :math:`h(x,u) = A_1x + \sigma(A_2u)`, shape ``(T, m)``."""
        x, u = w
        return _mv(self.A1, x) + relu(_mv(self.A2, u))

    def residual(self, w):
        return self.output(w) - self.b

    def loss(self, w):
        """:math:`f(x, u)` per trial, shape ``(T,)``."""
        r = self.residual(w)
        return 0.5 * np.sum(r * r, axis=1)

    def grad(self, w):
        r"""``[∇_x f, ∇_u f]`` with :math:`\nabla_x f = A_1^\top r` and
        :math:`\nabla_u f = A_2^\top(\sigma'(A_2u)\odot r)`, :math:`r = h(x,u) - b`."""
        x, u = w
        z = _mv(self.A2, u)
        r = _mv(self.A1, x) + relu(z) - self.b
        return [_mtv(self.A1, r), _mtv(self.A2, _relu_prime(z) * r)]

    def x_star(self, u):
        r"""The minimiser of :math:`f(\cdot, u)`: :math:`x^\star(u) = A_1^{-1}(b - \sigma(A_2u))`
        (least squares :math:`A_1^{+}(b - \sigma(A_2u))` for a tall ``A1``)."""
        rhs = (self.b - relu(_mv(self.A2, u)))[..., None]
        if self.satisfies_A6:
            return np.linalg.solve(self.A1, rhs)[..., 0]
        At = _t(self.A1)
        return np.linalg.solve(At @ self.A1, At @ rhs)[..., 0]

    def min_x_loss(self, u):
        r""":math:`\min_x f(x, u)` per trial (0 for every u when A6 holds)."""
        return self.loss([self.x_star(u), u])

    def active_fraction(self, u):
        r"""Fraction of the ReLUs of :math:`\sigma(A_2u)` that are active (:math:`A_2u > 0`), per trial."""
        return np.mean(_mv(self.A2, u) > 0, axis=1)

    def x_star_lipschitz(self):
        r"""The bound :math:`B\sigma_{\max}(A_2)/\sigma_{\min}(A_1)` on the Lipschitz constant of
        :math:`x^\star` for this model (a factor :math:`\sqrt\kappa` below Lemma 8's :math:`G_2/\mu`)."""
        return self.B * self._s2max / self._s1[:, -1]


def _t(a):
    return np.swapaxes(a, -1, -2)


def make_additive(kappa=None, sigma_A2=None, *, dim_x=None, dim_u=None, dim_out=None, n_trials=None, seed=None):
    """An :class:`AdditiveModel` with ``n_trials`` independent instances and a start ``w0 = [x0, u0]``.

    Defaults from :data:`DEFAULTS`; ``dim_out`` (rows of ``A1``, default ``dim_x``) above ``dim_x``
    gives a tall ``A1`` for which A6 fails.  Returns ``(model, w0)``.
    """
    d = DEFAULTS
    kappa = d.kappa if kappa is None else kappa
    sigma_A2 = d.sigma_regimes[0] if sigma_A2 is None else sigma_A2
    dim_x = d.dim_x if dim_x is None else dim_x
    dim_u = d.dim_u if dim_u is None else dim_u
    dim_out = dim_x if dim_out is None else dim_out
    T = d.n_trials if n_trials is None else n_trials
    rng = rng_from(d.seed if seed is None else seed)
    A1 = make_A1(dim_x, kappa, n_trials=T, seed=rng, rows=dim_out)
    A2 = make_A2(dim_out, dim_u, sigma_A2, n_trials=T, seed=rng)
    model = AdditiveModel(A1=A1, A2=A2, b=rng.standard_normal((T, dim_out)))
    return model, [rng.standard_normal((T, dim_x)), rng.standard_normal((T, dim_u))]


# ================================================================ the deep ReLU network
@dataclass
class ReluNetwork:
    r"""A fully-connected ReLU network without biases, :math:`F_0 = X`, :math:`F_l = \sigma(F_{l-1}W_l)`
    (l < Λ), output :math:`F_{\Lambda-1}W_\Lambda`, with loss :math:`f = \tfrac12\|F_{\Lambda-1}W_\Lambda - Y\|^2`.

    Parameters are ``W = [W_1, ..., W_Λ]`` with ``W_l`` of shape ``(T, d_{l-1}, d_l)`` and
    :math:`d_\Lambda = 1`.  The partition: :math:`x = \mathrm{vec}(W_\Lambda)`, :math:`u` = the other layers.
    """

    X: np.ndarray
    Y: np.ndarray
    L2 = 1.0
    f_star = 0.0  # when the penultimate features have rank n (A6 near the start)

    def __post_init__(self):
        self.X = finite_array("X", self.X, ndim=2)
        self.Y = finite_array("Y", self.Y, shape=(self.X.shape[0],))

    @property
    def n(self):
        return self.X.shape[0]

    def _check(self, W):
        if not isinstance(W, (list, tuple)) or len(W) < 2:
            raise ValueError("W must be a list of at least 2 weight arrays [W_1, ..., W_depth]")
        if W[0].shape[1] != self.X.shape[1] or W[-1].shape[2] != 1:
            raise ValueError(f"W_1 must have {self.X.shape[1]} rows (the input dimension) and W_depth one column")

    def split(self, W):
        return [W[-1]], list(W[:-1])

    def features(self, W):
        """Pre-activations ``Z_l`` (l = 1..Λ-1) and features ``F_l`` (l = 0..Λ-1), each ``(T, n, d_l)``."""
        self._check(W)
        F, Z = [np.broadcast_to(self.X, (W[0].shape[0],) + self.X.shape)], []
        for Wl in W[:-1]:
            Z.append(F[-1] @ Wl)
            F.append(relu(Z[-1]))
        return Z, F

    def output(self, W):
        """Network outputs, shape ``(T, n)``."""
        _, F = self.features(W)
        return (F[-1] @ W[-1])[..., 0]

    def loss(self, W):
        r = self.output(W) - self.Y
        return 0.5 * np.sum(r * r, axis=1)

    def grad(self, W):
        """Gradients of the loss with respect to every layer (backpropagation), shapes as ``W``."""
        Z, F = self.features(W)
        delta = (F[-1] @ W[-1]) - self.Y[:, None]  # (T, n, 1)
        g = [None] * len(W)
        g[-1] = _t(F[-1]) @ delta
        back = delta @ _t(W[-1])
        for l in range(len(W) - 2, -1, -1):
            back = back * _relu_prime(Z[l])
            g[l] = _t(F[l]) @ back
            if l > 0:
                back = back @ _t(W[l])
        return g

    def penultimate_singular_values(self, W):
        """Singular values of :math:`F_{\\Lambda-1}` per trial, descending, shape ``(T, min(n, d_{Λ-1}))``."""
        _, F = self.features(W)
        Fl = F[-1]
        gram = Fl @ _t(Fl) if Fl.shape[1] <= Fl.shape[2] else _t(Fl) @ Fl  # the smaller Gram matrix
        ev = np.linalg.eigvalsh(gram)[:, ::-1]
        return np.sqrt(np.maximum(ev, 0.0))

    def partition_constants(self, W):
        r"""x-block constants at ``W``: :math:`\mu = \sigma_n(F_{\Lambda-1})^2` (0 when the width is below n),
        :math:`L_1 = \sigma_1(F_{\Lambda-1})^2`, κ.  :math:`f(\cdot,u)` is strongly convex on the row
        space of :math:`F_{\Lambda-1}` (the null-space complication of the source)."""
        s = self.penultimate_singular_values(W)
        mu = s[:, self.n - 1] ** 2 if s.shape[1] >= self.n else np.zeros(s.shape[0])
        L1 = s[:, 0] ** 2
        with np.errstate(divide="ignore"):
            return mu, L1, np.where(mu > 0, L1 / np.where(mu > 0, mu, 1.0), np.inf)


def init_network(widths, *, n_trials=1, seed):
    r"""Weights ``[W_1, ..., W_Λ]`` for ``widths = (d_0, d_1, ..., d_{Λ-1})`` (the output width 1 is added):
    hidden layers :math:`N(0, 2/d_{l-1})` (He), last layer :math:`N(0, 1/d_{\Lambda-1})`; leading trial axis."""
    widths = [int_scalar(f"widths[{i}]", w, lo=1) for i, w in enumerate(widths)]
    if len(widths) < 2:
        raise ValueError("widths must list the input and at least one hidden width (depth >= 2)")
    T = int_scalar("n_trials", n_trials, lo=1)
    rng = rng_from(seed)
    dims = widths + [1]
    W = []
    for l in range(1, len(dims)):
        scale = np.sqrt((2.0 if l < len(dims) - 1 else 1.0) / dims[l - 1])
        W.append(scale * rng.standard_normal((T, dims[l - 1], dims[l])))
    return W


def make_regression_data(n=None, d0=None, *, seed):
    r"""``n`` inputs uniform on the unit sphere of :math:`\mathbb{R}^{d_0}` and labels
    :math:`\sin(3\langle a, x_i\rangle)` (a random unit :math:`a`), centred and scaled to unit RMS."""
    n = int_scalar("n", DEFAULTS.n_samples if n is None else n, lo=2)
    d0 = int_scalar("d0", DEFAULTS.input_dim if d0 is None else d0, lo=1)
    rng = rng_from(seed)
    X = rng.standard_normal((n, d0))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    a = rng.standard_normal(d0)
    Y = np.sin(3.0 * X @ (a / np.linalg.norm(a)))
    Y -= Y.mean()
    return X, Y / np.sqrt(np.mean(Y ** 2))


def torch_network_loss(net):
    """The network's loss as a torch function of the list of layer tensors (summed over trials), float64."""
    import torch
    X = torch.as_tensor(net.X)
    Y = torch.as_tensor(net.Y)

    def loss(W):
        F = X
        for Wl in W[:-1]:
            F = torch.relu(F @ Wl)
        r = (F @ W[-1])[..., 0] - Y
        return 0.5 * (r * r).sum()

    return loss


def nesterov_x_from_torch(y_iterates, grad, eta):
    r"""Nesterov's :math:`x_{k+1} = y_k - \eta\nabla f(y_k)` from the parameters :math:`y_k` that
    ``torch.optim.SGD(nesterov=True)`` holds, for lists of layers (``torch_bridge.sgd_iterates`` output)."""
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    return [[y - eta * g for y, g in zip(ys, grad(ys))] for ys in y_iterates[:-1]]


# ================================================================ runs with per-block step norms
@dataclass
class PartitionRun:
    """A run on a partition problem (all arrays have a trailing trial axis of length T).

    Attributes
    ----------
    method : str
    eta, beta : float
    losses : ndarray (K+1, T)
        :math:`f(x_k, u_k)`.
    dx, du : ndarray (K, T)
        :math:`\\|x_{k+1} - x_k\\|` and :math:`\\|u_{k+1} - u_k\\|`.
    sigma_min : ndarray (len(tracked_at), T) or None
        Smallest penultimate singular value (networks, when tracked).
    tracked_at : ndarray of int
    result : accelbook.methods.RunResult
    """

    method: str
    eta: float
    beta: float
    losses: np.ndarray
    dx: np.ndarray
    du: np.ndarray
    result: methods.RunResult = field(repr=False)
    sigma_min: np.ndarray | None = None
    tracked_at: np.ndarray | None = None

    @property
    def relative_losses(self):
        """:math:`(f_k - f^\\star)/(f_0 - f^\\star)` with :math:`f^\\star = 0`."""
        return self.losses / self.losses[0]


def _trial_norm(leaves):
    return np.sqrt(sum(np.sum(a.reshape(a.shape[0], -1) ** 2, axis=1) for a in leaves))


class _Tracker:
    """The ``loss`` callable handed to :mod:`accelbook.methods`: called once per iterate, in order, it
    records the loss and the per-block step norms, and returns the relative loss (for ``tol``)."""

    def __init__(self, problem, track_every):
        self.problem, self.every = problem, track_every
        self.losses, self.dx, self.du, self.sig, self.at = [], [], [], [], []
        self.prev = None

    def __call__(self, w):
        f = self.problem.loss(w)
        self.losses.append(f)
        x, u = self.problem.split(w)
        if self.prev is not None:  # methods never modify an iterate in place, so keeping it is safe
            px, pu = self.prev
            self.dx.append(_trial_norm([a - b for a, b in zip(x, px)]))
            self.du.append(_trial_norm([a - b for a, b in zip(u, pu)]))
        k = len(self.losses) - 1
        if self.every and k % self.every == 0:
            s = self.problem.penultimate_singular_values(w)
            self.sig.append(s[:, -1])
            self.at.append(k)
        self.prev = (x, u)
        return f / self.losses[0]


def train(problem, w0, method, n_iter, *, eta, beta=0.0, tol=None, track_every=None, max_norm=1e8):
    r"""Run ``method`` (``"gd"``, ``"heavy_ball"``, ``"nesterov"``) of :mod:`accelbook.methods` on a
    partition problem, jointly on both blocks, recording per-block step norms.

    Parameters
    ----------
    problem : AdditiveModel or ReluNetwork
    w0 : list of arrays
    n_iter : int
    eta, beta : float
        Step and momentum (β ignored for ``"gd"``); see :func:`method_parameters`.
    tol : float, optional
        Stop once every trial's relative loss :math:`f_k/f_0` is ``<= tol``.
    track_every : int, optional
        Record the penultimate layer's smallest singular value every so many iterations (networks).
    max_norm : float
        Divergence threshold on the norm of all parameters (the run stops and says so).
    """
    n_iter = int_scalar("n_iter", n_iter, lo=0)
    if track_every is not None:
        track_every = int_scalar("track_every", track_every, lo=1)
    tracker = _Tracker(problem, track_every)
    kw = dict(loss=tracker, store="last", tol=tol, max_norm=max_norm)
    if method == "gd":
        res, beta = methods.gradient_descent(problem.grad, w0, eta, n_iter, **kw), 0.0
    elif method == "heavy_ball":
        res = methods.heavy_ball(problem.grad, w0, eta, beta, n_iter, **kw)
    elif method == "nesterov":
        res = methods.nesterov(problem.grad, w0, eta, beta, n_iter, **kw)
    else:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    K = len(tracker.losses) - 1  # = res.nit, or res.nit - 1 when the last step diverged
    T = tracker.losses[0].shape[0]
    return PartitionRun(method=method, eta=float(eta), beta=float(beta), losses=np.asarray(tracker.losses[:K + 1]),
                        dx=np.asarray(tracker.dx[:K]).reshape(K, T), du=np.asarray(tracker.du[:K]).reshape(K, T),
                        result=res, sigma_min=np.asarray(tracker.sig) if track_every else None,
                        tracked_at=np.asarray(tracker.at, dtype=int) if track_every else None)


def iterations_to_tol(rel_losses, tol):
    """First iteration k with ``rel_losses[k] <= tol``, per trial (column); -1 where never reached."""
    R = finite_array("rel_losses", rel_losses)
    tol = real_scalar("tol", tol, lo=0.0, lo_open=True)
    if R.ndim == 1:
        R = R[:, None]
    hit = R <= tol
    return np.where(hit.any(axis=0), hit.argmax(axis=0), -1)


def measured_rate(rel_losses, floor=1e-10):
    r"""Average contraction per iteration :math:`(f_K/f_0)^{1/K}`, per trial, with K the first iteration
    where :math:`f_K/f_0 \le` ``floor`` (the last one if never); comparable with Theorems 6 and 7."""
    R = finite_array("rel_losses", rel_losses)
    floor = real_scalar("floor", floor, lo=0.0, lo_open=True)
    if R.ndim == 1:
        R = R[:, None]
    if R.shape[0] < 2:
        raise ValueError("rel_losses must have at least 2 iterations")
    K = iterations_to_tol(R, floor)
    K = np.where(K > 0, K, R.shape[0] - 1)
    vals = np.maximum(R[K, np.arange(R.shape[1])] / R[0], np.finfo(float).tiny)
    return vals ** (1.0 / K)


def loglog_slope(x, y):
    """Least-squares slope of log y against log x."""
    x, y = finite_array("x", x, ndim=1), finite_array("y", y, ndim=1)
    if x.size != y.size or x.size < 2 or np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("x and y must be positive, of equal length >= 2")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


# ================================================================ Lemma 8 and gradient dominance
def block_grad_norms(problem, w):
    r"""Per-trial :math:`(\|\nabla_x f\|, \|\nabla_u f\|)` at ``w``."""
    gx, gu = problem.split(problem.grad(w))
    return _trial_norm(gx), _trial_norm(gu)


def gradient_dominance_ratio(problem, w):
    r""":math:`\|\nabla_u f\|^2/\|\nabla_x f\|^2` per trial; the gradient-dominance lemma bounds it by
    :math:`G_1^2L_2/\mu` (for the additive model: everywhere, since A6 holds everywhere)."""
    nx, nu = block_grad_norms(problem, w)
    both_zero = (nx == 0) & (nu == 0)  # at an exact minimiser: report 0
    with np.errstate(divide="ignore"):  # grad_x f = 0 with grad_u f != 0 (possible without A6): inf
        return np.divide(nu ** 2, np.where(both_zero, 1.0, nx ** 2))


def lemma8_ratio(model, u1, u2):
    r""":math:`\|x^\star(u_1) - x^\star(u_2)\|/\|u_1 - u_2\|` per trial (additive model); Lemma 8 bounds it
    by :math:`G_2/\mu`."""
    num = np.linalg.norm(model.x_star(u1) - model.x_star(u2), axis=1)
    den = np.linalg.norm(u1 - u2, axis=1)
    if np.any(den == 0):
        raise ValueError("u1 and u2 must differ in every trial")
    return num / den


def lipschitz_ratios(model, n_pairs, *, seed, scale=1.0):
    r"""Difference quotients on random pairs, each to be compared with a constant of Theorem 13.

    For ``n_pairs`` random points and perturbations (standard Gaussian times ``scale``), returns a dict of
    arrays of shape ``(n_pairs, T)``:

    * ``"G1"``: :math:`\|h(x,u_1)-h(x,u_2)\|/\|u_1-u_2\|` (A4);
    * ``"G2"``: :math:`\|\nabla_xf(x,u_1)-\nabla_xf(x,u_2)\|/\|u_1-u_2\|` (A5);
    * ``"L1"``: :math:`\|\nabla_xf(x_1,u)-\nabla_xf(x_2,u)\|/\|x_1-x_2\|` (A2);
    * ``"mu"``: :math:`\langle\nabla_xf(x_1,u)-\nabla_xf(x_2,u), x_1-x_2\rangle/\|x_1-x_2\|^2` (A1, a lower bound);
    * ``"x_star"``: Lemma 8's quotient :math:`\|x^\star(u_1)-x^\star(u_2)\|/\|u_1-u_2\|`;
    * ``"dominance"``: :math:`\|\nabla_uf\|^2/\|\nabla_xf\|^2` at the random points.
    """
    n_pairs = int_scalar("n_pairs", n_pairs, lo=1)
    scale = real_scalar("scale", scale, lo=0.0, lo_open=True)
    rng = rng_from(seed)
    T, dx, du = model.n_trials, model.dim_x, model.dim_u
    out = {k: [] for k in ("G1", "G2", "L1", "mu", "x_star", "dominance")}
    for _ in range(n_pairs):
        x1, x2 = scale * rng.standard_normal((2, T, dx))
        u1, u2 = scale * rng.standard_normal((2, T, du))
        nu_, nx_ = np.linalg.norm(u1 - u2, axis=1), np.linalg.norm(x1 - x2, axis=1)
        out["G1"].append(np.linalg.norm(model.output([x1, u1]) - model.output([x1, u2]), axis=1) / nu_)
        gx_u1, gx_u2 = model.grad([x1, u1])[0], model.grad([x1, u2])[0]
        out["G2"].append(np.linalg.norm(gx_u1 - gx_u2, axis=1) / nu_)
        dg = gx_u1 - model.grad([x2, u1])[0]
        out["L1"].append(np.linalg.norm(dg, axis=1) / nx_)
        out["mu"].append(np.sum(dg * (x1 - x2), axis=1) / nx_ ** 2)
        out["x_star"].append(lemma8_ratio(model, u1, u2))
        out["dominance"].append(gradient_dominance_ratio(model, [x1, u1]))
    return {k: np.asarray(v) for k, v in out.items()}


def run_diagnostics(model, w0, eta, beta, n_iter, *, min_step=1e-9):
    r"""Lemma 8 and gradient dominance along a Nesterov run on an additive model.

    Returns a dict: ``"x_star"`` ``(n_iter, T)``, the quotients
    :math:`\|x^\star(u_{k+1})-x^\star(u_k)\|/\|u_{k+1}-u_k\|` (NaN once
    :math:`\|u_{k+1}-u_k\| \le` ``min_step`` :math:`\cdot\|u_k\|`, where rounding would dominate);
    ``"dominance_x"`` and ``"dominance_y"`` ``(n_iter + 1, T)``, the gradient-dominance ratios at the
    iterates :math:`(x_k,u_k)` and at the extrapolated points :math:`(y_k,v_k)` where Nesterov takes
    its gradients; and the run itself under ``"run"``.
    """
    n_iter = int_scalar("n_iter", n_iter, lo=1)
    run = methods.nesterov(model.grad, w0, eta, beta, n_iter, store="all", store_y=True)
    U = np.stack([w[1] for w in run.iterates])  # (K+1, T, dim_u)
    xs = np.full((run.nit, model.n_trials), np.nan)
    for k in range(run.nit):
        ok = np.linalg.norm(U[k + 1] - U[k], axis=1) > min_step * np.linalg.norm(U[k], axis=1)
        if np.any(ok):
            sub = AdditiveModel(model.A1[ok], model.A2[ok], model.b[ok], model.B)
            xs[k, ok] = lemma8_ratio(sub, U[k + 1][ok], U[k][ok])
    return {"x_star": xs,
            "dominance_x": np.asarray([gradient_dominance_ratio(model, w) for w in run.iterates]),
            "dominance_y": np.asarray([gradient_dominance_ratio(model, w) for w in run.y_iterates]),
            "run": run}


# ================================================================ experiments
def kappa_sweep(kappas=None, sigma_A2=None, *, tol=None, c=None, n_trials=None, seed=None,
                methods_=("gd", "nesterov"), max_iter=200_000):
    r"""Iterations to reach :math:`f_k/f_0 \le` ``tol`` on additive models, for each κ and method.

    Returns a dict: ``"kappa"`` (m,), and for each method an int array ``(m, T)`` of first-hit iterations.
    Each (κ, method) is one batched run over the ``n_trials`` instances.
    """
    d = DEFAULTS
    kappas = np.asarray(d.sweep_kappas if kappas is None else kappas, dtype=float)
    tol = d.tol_explorer if tol is None else tol
    c = d.c if c is None else c
    out = {"kappa": kappas}
    for m in methods_:
        rows = []
        for i, kappa in enumerate(kappas):
            model, w0 = make_additive(kappa, sigma_A2, n_trials=n_trials, seed=(d.seed if seed is None else seed) + i)
            eta, beta = method_parameters(m, kappa, float(model.L1.max()), c)
            run = train(model, w0, m, max_iter, eta=eta, beta=beta, tol=tol)
            rows.append(iterations_to_tol(run.relative_losses, tol))
        out[m] = np.asarray(rows)
    return out


def safe_c(model):
    r"""The largest :math:`c \le 1` with :math:`\eta = c/L_1 \le 1/(L_1 + G_1^2L_2)` in every trial.

    On each linear piece of the ReLU the Hessian of the additive model is :math:`J^\top J` with
    :math:`J = [A_1,\ DA_2]`, :math:`D` diagonal with entries in [0, B], so its norm is at most
    :math:`\|A_1\|^2 + \|DA_2\|^2 \le L_1 + G_1^2` (and :math:`L_2 = 1`).  In the theorem's regime
    (:math:`G_1` small) this is :math:`c \approx 1`; for large :math:`\sigma_{\max}(A_2)` it shrinks the step.
    """
    return float(min(1.0, np.min(model.L1 / (model.L1 + model.G1 ** 2 * model.L2))))


def regime_runs(sigma_A2, *, kappa=None, c=None, n_iter=None, n_trials=None, seed=None, methods_=METHODS):
    """The three-regimes experiment for one value of :math:`\\sigma_{\\max}(A_2)`: each method, one batched run
    over ``n_trials`` additive instances (the same instances for every method), with
    :math:`\\eta = c/L_1` and ``c = safe_c(model)`` unless given. Returns ``(runs, model, c)``."""
    d = DEFAULTS
    kappa = d.kappa if kappa is None else kappa
    n_iter = d.regime_iters if n_iter is None else n_iter
    model, w0 = make_additive(kappa, sigma_A2, n_trials=n_trials, seed=seed)
    c = safe_c(model) if c is None else _c(c)
    out = {}
    for m in methods_:
        eta, beta = method_parameters(m, kappa, float(model.L1.max()), c)
        out[m] = train(model, w0, m, n_iter, eta=eta, beta=beta)
    return out, model, c


def bound_ratio(run, kappa, c):
    r"""Per trial, :math:`\max_{k\ge1} (f_k/f_0)/\text{bound}_k` with Theorem 6's bound for gradient descent
    and Theorem 7's for Nesterov (values above 1 violate the theorem)."""
    k = np.arange(run.losses.shape[0])
    if run.method == "gd":
        bound = theorem6_bound(kappa, k, c)
    elif run.method == "nesterov":
        bound = theorem7_bound(kappa, k, c)
    else:
        raise ValueError(f"run.method must be 'gd' or 'nesterov' (Theorems 6 and 7), got {run.method!r}")
    if k.size < 2:
        raise ValueError("run must have at least one iteration")
    return np.max(run.relative_losses[1:] / bound[1:, None], axis=0)


def theorem_check_sweep(sigmas=None, *, kappa=None, c=1.0, n_iter=None, n_trials=None, seed=None):
    r"""Where Theorems 6 and 7 stop holding: for each :math:`\sigma_{\max}(A_2)`, gradient descent and
    Nesterov with the theorems' :math:`\eta = c/L_1` (no safety margin), and the worst
    :func:`bound_ratio` over trials.  Returns a dict of arrays indexed like ``sigmas``:
    ``"gd"``, ``"nesterov"`` (worst ratios), ``"diverged_gd"``, ``"diverged_nesterov"`` and the iterations run,
    ``"nit_gd"``, ``"nit_nesterov"`` (the iteration at which a diverging run stopped)."""
    d = DEFAULTS
    kappa = d.kappa if kappa is None else kappa
    n_iter = d.check_iters if n_iter is None else n_iter
    out = {"sigma": np.asarray(d.check_sigmas if sigmas is None else sigmas, dtype=float)}
    for m in ("gd", "nesterov"):
        worst, div, nit = [], [], []
        for s in out["sigma"]:
            model, w0 = make_additive(kappa, s, n_trials=n_trials, seed=seed)
            eta, beta = method_parameters(m, kappa, float(model.L1.max()), c)
            run = train(model, w0, m, n_iter, eta=eta, beta=beta)
            worst.append(float(np.max(bound_ratio(run, kappa, c))))
            div.append(run.result.diverged)
            nit.append(run.result.nit)
        out[m], out[f"diverged_{m}"], out[f"nit_{m}"] = np.asarray(worst), np.asarray(div), np.asarray(nit)
    return out


def network_runs(penultimate_width=None, *, n_iter=None, n_trials=None, c=None, seed=None, methods_=METHODS,
                 track_every=20):
    r"""GD, heavy ball and Nesterov on the deep ReLU network (one batched run per method).

    η and β come from the x-block constants at initialisation: :math:`L_1` the largest over trials,
    κ the largest :math:`L_1/\mu` over trials (one η and β must serve every trial of a batch).
    Returns ``(runs, info)`` with ``info`` holding the network, ``mu``, ``L1``, ``kappa`` (per trial) and the
    κ used.
    """
    d = DEFAULTS
    width = d.penultimate_width if penultimate_width is None else penultimate_width
    n_iter = d.network_iters if n_iter is None else n_iter
    T = d.network_trials if n_trials is None else n_trials
    c = d.c if c is None else c
    rng = rng_from(d.seed if seed is None else seed)
    net = ReluNetwork(*make_regression_data(seed=rng))
    widths = [d.input_dim] + [d.hidden_width] * (d.depth - 2) + [width]
    W0 = init_network(widths, n_trials=T, seed=rng)
    mu, L1, kappa = net.partition_constants(W0)
    kap = float(np.max(kappa))
    if not np.isfinite(kap):
        raise ValueError(f"penultimate_width={width}: the features do not have rank n at initialisation (mu = 0)")
    runs = {}
    for m in methods_:
        eta, beta = method_parameters(m, kap, float(L1.max()), c)
        runs[m] = train(net, W0, m, n_iter, eta=eta, beta=beta, track_every=track_every)
    return runs, {"net": net, "W0": W0, "mu": mu, "L1": L1, "kappa": kappa, "kappa_used": kap, "widths": widths}


# ================================================================ the κ explorer
def partition_explorer_data(kappa, sigma_A2=None, *, c=None, tol=None, seed=0, max_iter=100_000):
    r"""What the κ explorer draws: relative loss of GD and Nesterov on one additive instance with
    condition number κ, and the iteration at which each first reaches ``tol``.

    Returns a dict with ``kappa``, ``sigma_A2``, ``tol``, and per method ``"losses_<m>"`` and ``"hit_<m>"``,
    plus ``"ratio"`` = GD's iterations over Nesterov's.
    """
    kappa = real_scalar("kappa", kappa, lo=1.0)
    sigma_A2 = DEFAULTS.sigma_regimes[0] if sigma_A2 is None else real_scalar("sigma_A2", sigma_A2, lo=0.0)
    c = DEFAULTS.c if c is None else _c(c)
    tol = DEFAULTS.tol_explorer if tol is None else real_scalar("tol", tol, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    model, w0 = make_additive(kappa, sigma_A2, n_trials=1, seed=seed)
    out = {"kappa": kappa, "sigma_A2": sigma_A2, "tol": tol, "c": c}
    for m in ("gd", "nesterov"):
        eta, beta = method_parameters(m, kappa, float(model.L1[0]), c)
        run = train(model, w0, m, max_iter, eta=eta, beta=beta, tol=tol)
        out[f"losses_{m}"] = run.relative_losses[:, 0]
        out[f"hit_{m}"] = int(iterations_to_tol(run.relative_losses, tol)[0])
    out["ratio"] = out["hit_gd"] / out["hit_nesterov"] if out["hit_nesterov"] > 0 else np.nan
    return out


def _draw_explorer_axis(ax, data, *, title=True):
    for m in ("gd", "nesterov"):
        y = data[f"losses_{m}"]
        plotting.method_line(ax, np.arange(y.size), y, m)
        k = data[f"hit_{m}"]
        if k >= 0:
            ax.plot([k], [y[k]], "o", color=plotting.COLORS[m], markersize=8, zorder=5)
    ax.axhline(data["tol"], color=plotting.COLORS["bound"], ls="--", lw=1, label=f"target {data['tol']:g}")
    plotting.log_axes(ax, "iteration k", r"$(f_k - f^\star)/(f_0 - f^\star)$")
    ax.set_ylim(max(data["tol"] / 100, 1e-8), 2.0)
    if title:
        ax.set_title(rf"$\kappa$={data['kappa']:.0f}: GD {data['hit_gd']}, Nesterov {data['hit_nesterov']} "
                     f"(ratio {data['ratio']:.1f})", fontsize=9)
    return ax


def draw_partition_explorer(data, fig):
    """Draw :func:`partition_explorer_data` output on ``fig`` (one log panel). Returns the axis."""
    fig.clear()
    ax = _draw_explorer_axis(fig.subplots(), data)
    fig.suptitle(rf"additive model, $\sigma_{{\max}}(A_2)$={data['sigma_A2']:g}, $\eta=c/L_1$, c={data['c']:g}",
                 fontsize=9)
    return ax


def partition_explorer_static(kappas=(10.0, 100.0, 1000.0), sigma_A2=None, *, fig=None):
    """Small multiples of the explorer, one panel per κ (the static companion of the live explorer)."""
    import matplotlib.pyplot as plt
    kappas = [real_scalar("kappas[i]", k, lo=1.0) for k in kappas]
    if not kappas:
        raise ValueError("kappas must not be empty")
    if fig is None:
        fig = plt.figure(figsize=(3.2 * len(kappas), 3.2))
    axes = np.atleast_1d(fig.subplots(1, len(kappas), sharey=True))
    for ax, k in zip(axes, kappas):
        _draw_explorer_axis(ax, partition_explorer_data(k, sigma_A2))
        if ax is not axes[0]:
            ax.set_ylabel("")
            if ax.get_legend() is not None:
                ax.get_legend().remove()
    fig.tight_layout()
    return fig


def partition_explorer_callback(kappa, sigma_A2=None, *, fig=None):
    """Compute and draw one frame of the κ explorer; returns the figure (works without a display)."""
    from .widgets import draw_frame
    return draw_frame(draw_partition_explorer, partition_explorer_data(kappa, sigma_A2), fig, figsize=(6.4, 3.6))


def partition_explorer():  # pragma: no cover - needs a live kernel; the callback is tested
    """The live κ explorer (ipywidgets sliders for log10 κ and σmax(A2))."""
    import ipywidgets as W
    from .widgets import live_explorer
    return live_explorer(
        lambda log10_kappa, sigma_A2: partition_explorer_callback(10 ** log10_kappa, sigma_A2),
        log10_kappa=W.FloatSlider(value=2.0, min=0.5, max=3.5, step=0.25, description="log₁₀ κ"),
        sigma_A2=W.FloatLogSlider(value=0.01, base=10, min=-3, max=0.7, step=0.25, description="σmax(A2)"),
    )


# ================================================================ summaries and figures for Chapter 5
def rate_table(regimes, kappa=None):
    r"""Measured average rates (median, 10% and 90% quantiles over trials, :func:`measured_rate`) against
    Theorems 6 and 7, for ``regimes = {sigma: (runs, model, c)}`` as returned by :func:`regime_runs`.

    Returns a list of dicts (one per regime and method); ``"spread"`` is
    :math:`\log q_{10}/\log q_{90}`, how many times more iterations the 90%-quantile (slow) instance needs
    than the 10%-quantile (fast) one to reach the same small tolerance."""
    kappa = DEFAULTS.kappa if kappa is None else kappa
    rows = []
    for sigma, (runs, model, c) in regimes.items():
        for m, run in runs.items():
            rate = measured_rate(run.relative_losses)
            proven = {"gd": theorem6_rate(kappa, c), "nesterov": theorem7_rate(kappa, c)}.get(m, np.nan)
            q10, q90 = np.quantile(rate, [0.1, 0.9])
            rows.append({"sigma": float(sigma), "method": m, "c": c, "median": float(np.median(rate)),
                         "q10": float(q10), "q90": float(q90), "proven": float(proven),
                         "spread": float(np.log(q10) / np.log(q90)), "diverged": run.result.diverged})
    return rows


def format_rate_table(rows):
    """A fixed-width text rendering of :func:`rate_table`."""
    lines = [f"{'sigma_max(A2)':>13} {'method':>10} {'c':>7} {'median rate':>11} {'10% rate':>9} {'90% rate':>9} "
             f"{'spread':>6} {'proven':>8}"]
    for r in rows:
        proven = "-" if np.isnan(r["proven"]) else f"{r['proven']:.5f}"
        lines.append(f"{r['sigma']:>13g} {r['method']:>10} {r['c']:>7.4f} {r['median']:>11.5f} {r['q10']:>9.5f} "
                     f"{r['q90']:>9.5f} {r['spread']:>6.2f} {proven:>8}")
    return "\n".join(lines)


def draw_block_steps(ax, run, *, kmax=None):
    r"""Median over trials of :math:`\|\Delta x_k\|` (solid, with a 10–90% band) and :math:`\|\Delta u_k\|`
    (dashed), for k = 1, ..., ``kmax``."""
    method = run.method
    dx, du = run.dx[:kmax], run.du[:kmax]
    k = np.arange(1, dx.shape[0] + 1)
    floor = np.finfo(float).tiny
    plotting.quantile_band(ax, k, np.maximum(dx.T, floor), method,
                           label=rf"{plotting.LABELS[method]}: $\|\Delta x_k\|$")
    plotting.method_line(ax, k, np.maximum(np.median(du, axis=1), floor), method, linestyle="--",
                         label=rf"{plotting.LABELS[method]}: $\|\Delta u_k\|$")
    return ax


def draw_regimes(regimes, fig, *, methods_=("gd", "nesterov"), kmax=None, steps=True):
    """The three-regimes figure: losses (top row, 10–90% quantile bands over trials) and, with ``steps``,
    the block step norms (bottom row). ``regimes`` is ``{sigma: (runs, model, c)}`` (:func:`regime_runs`)."""
    fig.clear()
    axes = fig.subplots(2 if steps else 1, len(regimes), squeeze=False, sharex=True)
    for j, (sigma, (runs, model, c)) in enumerate(regimes.items()):
        for m in methods_:
            R = runs[m].relative_losses[:kmax]
            plotting.quantile_band(axes[0, j], np.arange(R.shape[0]), np.maximum(R.T, 1e-32), m)
            if steps:
                draw_block_steps(axes[1, j], runs[m], kmax=kmax)
        axes[0, j].set_title(rf"$\sigma_{{\max}}(A_2)$ = {sigma:g}, c = {c:.3g}", fontsize=9)
        plotting.log_axes(axes[0, j], "" if steps else "iteration k", r"$f_k/f_0$" if j == 0 else "", legend=False)
        axes[0, j].set_ylim(1e-30, 10)
        if steps:
            plotting.log_axes(axes[1, j], "iteration k", "step norm" if j == 0 else "", legend=False)
    handles, labels = axes[-1, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=8)
    fig.tight_layout(rect=(0, 0.08 if steps else 0.12, 1, 1))
    return axes


def draw_lemma_checks(diags, models, fig):
    r"""Lemma 8 and gradient dominance along Nesterov runs, each quotient divided by its bound.

    ``diags`` and ``models`` map a label (e.g. :math:`\sigma_{\max}(A_2)`) to :func:`run_diagnostics` output
    and the model."""
    fig.clear()
    ax1, ax2 = fig.subplots(1, 2)
    for i, (label, d) in enumerate(diags.items()):
        model, color = models[label], f"C{i}"
        q = d["x_star"] / (model.G2 / model.mu)
        rows = np.any(np.isfinite(q), axis=1)  # iterations where some trial's u still moves
        k = np.arange(1, q.shape[0] + 1)[rows]
        q = q[rows]
        ax1.plot(k, np.nanmedian(q, axis=1), color=color, label=rf"$\sigma_{{\max}}(A_2)$={label:g}")
        ax1.fill_between(k, np.nanmin(q, axis=1), np.nanmax(q, axis=1), color=color, alpha=0.2, lw=0)
        g = d["dominance_y"] / (model.G1 ** 2 * model.L2 / model.mu)
        k = np.arange(g.shape[0])
        ax2.plot(k, np.median(g, axis=1), color=color, label=rf"$\sigma_{{\max}}(A_2)$={label:g}")
        ax2.fill_between(k, g.min(axis=1), g.max(axis=1), color=color, alpha=0.2, lw=0)
    first = next(iter(models.values()))
    sharp = np.median(first.x_star_lipschitz() / (first.G2 / first.mu))
    ax1.axhline(1.0, color="black", ls="--", label="Lemma 8")
    ax1.axhline(sharp, color="black", ls=":", label=r"additive model: $B\sigma_{\max}(A_2)/\sigma_{\min}(A_1)$")
    ax2.axhline(1.0, color="black", ls="--", label="gradient-dominance lemma")
    plotting.log_axes(ax1, "iteration k", "Lemma 8 quotient / bound", legend=False)
    plotting.log_axes(ax2, "iteration k", r"dominance ratio at $(y_k, v_k)$ / bound", legend=False)
    ax1.legend(fontsize=7, loc="lower right")
    ax2.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return ax1, ax2


def draw_network(runs, fig, *, kmax=None):
    r"""The network figure: relative loss (quantile bands, every method), block step norms (gradient descent
    and Nesterov) and :math:`\sigma_{\min}(F_{\Lambda-1})` relative to its initial value."""
    fig.clear()
    ax1, ax2, ax3 = fig.subplots(1, 3)
    for m, run in runs.items():
        R = run.relative_losses[:kmax]
        plotting.quantile_band(ax1, np.arange(R.shape[0]), np.maximum(R.T, 1e-32), m)
        if m != "heavy_ball":
            draw_block_steps(ax2, run, kmax=kmax)
        s = run.sigma_min / run.sigma_min[0]
        ax3.plot(run.tracked_at, np.median(s, axis=1), color=plotting.COLORS[m], marker=plotting.MARKERS[m],
                 label=plotting.LABELS[m])
        ax3.fill_between(run.tracked_at, s.min(axis=1), s.max(axis=1), color=plotting.COLORS[m], alpha=0.2, lw=0)
    plotting.log_axes(ax1, "iteration k", r"$f_k/f_0$")
    plotting.log_axes(ax2, "iteration k", "step norm", legend=False)
    ax2.legend(fontsize=7)
    ax3.set(xlabel="iteration k", ylabel=r"$\sigma_{\min}(F_{\Lambda-1})$ / initial value")
    ax3.legend(fontsize=7)
    fig.tight_layout()
    return ax1, ax2, ax3


def draw_width_study(study, fig):
    r"""Iterations to the study's tolerance and the median :math:`\|\Delta u_k\|/\|\Delta x_k\|` against the
    penultimate width (median over trials, bars from the smallest to the largest trial)."""
    fig.clear()
    ax1, ax2 = fig.subplots(1, 2)
    w = study["widths"]
    for m in METHODS:
        for ax, Y in ((ax1, study["hits"][m]), (ax2, study["du_over_dx"][m])):
            med = np.median(Y, axis=1)
            ax.errorbar(w, med, yerr=[med - Y.min(axis=1), Y.max(axis=1) - med], color=plotting.COLORS[m],
                        marker=plotting.MARKERS[m], capsize=3, label=plotting.LABELS[m])
    plotting.log_axes(ax1, r"penultimate width $d_{\Lambda-1}$", "iterations to tolerance", logx=True)
    plotting.log_axes(ax2, r"penultimate width $d_{\Lambda-1}$", r"median $\|\Delta u_k\|/\|\Delta x_k\|$, k < 50",
                      logx=True, legend=False)
    fig.tight_layout()
    return ax1, ax2


def width_study(widths=None, *, n_iter=None, n_trials=None, tol=1e-3, seed=None):
    r"""The network at several penultimate widths: for each width, :func:`network_runs` and summaries —
    iterations to ``tol`` per method ``(T,)``, the median over trials of :math:`\|\Delta u_k\|/\|\Delta x_k\|`
    over the first 50 iterations, κ at initialisation, and the largest relative change of
    :math:`\sigma_{\min}(F_{\Lambda-1})` along Nesterov's run."""
    d = DEFAULTS
    widths = d.width_study if widths is None else tuple(widths)
    n_iter = d.network_iters if n_iter is None else n_iter
    out = {"widths": np.asarray(widths), "runs": {}, "info": {}, "hits": {m: [] for m in METHODS},
           "du_over_dx": {m: [] for m in METHODS}, "kappa": [], "sigma_change": []}
    for wdt in widths:
        runs, info = network_runs(wdt, n_iter=n_iter, n_trials=n_trials, seed=seed)
        out["runs"][wdt], out["info"][wdt] = runs, info
        out["kappa"].append(info["kappa"])
        for m, run in runs.items():
            out["hits"][m].append(iterations_to_tol(run.relative_losses, tol))
            out["du_over_dx"][m].append(np.median(run.du[:50] / run.dx[:50], axis=0))
        s = runs["nesterov"].sigma_min
        out["sigma_change"].append(np.max(np.abs(s / s[0] - 1), axis=0))
    for key in ("kappa", "sigma_change"):
        out[key] = np.asarray(out[key])
    for key in ("hits", "du_over_dx"):
        out[key] = {m: np.asarray(v) for m, v in out[key].items()}
    return out
