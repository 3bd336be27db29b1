r"""The additive model of Liao & Kyrillidis (2024), Section 5.1: :math:`h(x,u) = A_1x + \sigma(A_2u)`, ReLU
:math:`\sigma`, squared loss, with its exact constants (Theorem 13) and its generators.

Every problem carries a leading *trial* axis of length ``T``: parameters are lists ``[x, u]`` of arrays of
shape ``(T, ...)`` and losses have shape ``(T,)``.  The trials are independent problems, so one batched run
of a method is ``T`` runs with the same η and β.  The loss is :math:`g(z) = \tfrac12\|z - b\|^2`
(so :math:`L_2 = 1` and :math:`f^\star = 0` whenever A6 holds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import finite_array, int_scalar, real_scalar, rng_from
from .defaults import DEFAULTS

__all__ = ["relu", "make_A1", "make_A2", "AdditiveModel", "make_additive"]


def relu(z):
    """The ReLU :math:`\\sigma(z) = \\max(z, 0)` (1-Lipschitz, so B = 1)."""
    return np.maximum(finite_array("z", z), 0.0)


def _relu(z):
    return np.maximum(z, 0.0)


def _relu_prime(z):
    return (z > 0).astype(np.float64)  # the convention of torch: sigma'(0) = 0


def _mv(A, v):
    """Batched matrix-vector product: ``A`` (T, m, n), ``v`` (T, n) -> (T, m)."""
    return np.einsum("tij,tj->ti", A, v)


def _mtv(A, v):
    """Batched transposed product: ``A`` (T, m, n), ``v`` (T, m) -> (T, n)."""
    return np.einsum("tij,ti->tj", A, v)


def _t(a):
    return np.swapaxes(a, -1, -2)


def _trial_norm(leaves):
    """Per-trial Euclidean norm over a list of arrays with a leading trial axis."""
    return np.sqrt(sum(np.sum(a.reshape(a.shape[0], -1) ** 2, axis=1) for a in leaves))


def _orthogonal(rng, T, n):
    Q, R = np.linalg.qr(rng.standard_normal((T, n, n)))
    return Q * np.sign(np.diagonal(R, axis1=1, axis2=2))[:, None, :]  # Haar-distributed


def make_A1(dim, kappa, *, n_trials=1, seed, rows=None, sigma_max=1.0):
    r"""Matrices ``A1`` of shape ``(n_trials, rows, dim)`` (square by default) with :math:`\sigma_{\max}` =
    ``sigma_max`` and :math:`\sigma_{\min} = \sigma_{\max}/\sqrt\kappa`, so that :math:`L_1 = \sigma_{\max}^2`,
    :math:`\mu = L_1/\kappa` (Theorem 13); ``sigma_max = 1`` gives :math:`L_1 = 1`, :math:`\mu = 1/\kappa`.

    Singular values are log-spaced between the two; singular vectors are Haar-random.  ``rows > dim``
    gives a tall ``A1`` of full column rank, for which A6 fails (Chapter 5's exercise on removing A6).
    A ``1 × 1`` ``A1`` has one singular value, so ``dim = 1`` needs ``kappa = 1``.
    """
    dim = int_scalar("dim", dim, lo=1)
    rows = dim if rows is None else int_scalar("rows", rows, lo=dim)
    kappa = real_scalar("kappa", kappa, lo=1.0)
    if dim == 1 and kappa != 1.0:
        raise ValueError(f"kappa must be 1 when dim = 1 (one singular value, so L1 = mu), got {kappa:g}")
    T = int_scalar("n_trials", n_trials, lo=1)
    sigma_max = real_scalar("sigma_max", sigma_max, lo=0.0, lo_open=True)
    rng = rng_from(seed)
    s = sigma_max * np.logspace(0.0, -0.5 * np.log10(kappa), dim)
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
        self.B = real_scalar("B", self.B, lo=0.0, lo_open=True)
        T, m, d = self.A1.shape
        if T == 0 or d == 0:
            raise ValueError(f"A1 must have at least one trial and one column, got shape {self.A1.shape}")
        if m < d:
            raise ValueError("A1 must have at least as many rows as columns (full column rank), "
                             f"got shape {self.A1.shape}")
        if self.A2.shape[:2] != (T, m) or self.A2.shape[2] == 0:
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

    # ---------------------------------------------------------- argument checks
    def _block(self, name, value, width):
        arr = finite_array(name, value, ndim=2)
        if arr.shape != (self.n_trials, width):
            raise ValueError(f"{name} must have shape ({self.n_trials}, {width}), got {arr.shape}")
        return arr

    def check_params(self, w, name="w"):
        """``w`` as ``[x, u]`` float arrays of shapes ``(T, dim_x)``, ``(T, dim_u)``; errors name ``name``."""
        if not isinstance(w, (list, tuple)) or len(w) != 2:
            raise TypeError(f"{name} must be a list [x, u] of two arrays, got {type(w).__name__}")
        return [self._block(f"{name}[0]", w[0], self.dim_x), self._block(f"{name}[1]", w[1], self.dim_u)]

    # ---------------------------------------------------------- values and gradients
    def split(self, w):
        """``(x_leaves, u_leaves)`` of a parameter list."""
        w = self.check_params(w)
        return [w[0]], [w[1]]

    def output(self, w):
        r"""The model :math:`h(x,u) = A_1x + \sigma(A_2u)`, shape ``(T, m)``."""
        x, u = self.check_params(w)
        return _mv(self.A1, x) + _relu(_mv(self.A2, u))

    def residual(self, w):
        """:math:`h(x, u) - b`, shape ``(T, m)``."""
        return self.output(w) - self.b

    def _loss(self, w):
        x, u = w
        r = _mv(self.A1, x) + _relu(_mv(self.A2, u)) - self.b
        return 0.5 * np.sum(r * r, axis=1)

    def loss(self, w):
        """:math:`f(x, u)` per trial, shape ``(T,)``."""
        return self._loss(self.check_params(w))

    def _grad(self, w):
        x, u = w
        z = _mv(self.A2, u)
        r = _mv(self.A1, x) + _relu(z) - self.b
        return [_mtv(self.A1, r), _mtv(self.A2, _relu_prime(z) * r)]

    def grad(self, w):
        r"""``[∇_x f, ∇_u f]`` with :math:`\nabla_x f = A_1^\top r` and
        :math:`\nabla_u f = A_2^\top(\sigma'(A_2u)\odot r)`, :math:`r = h(x,u) - b`."""
        return self._grad(self.check_params(w))

    def _u(self, name, u):
        return self._block(name, u, self.dim_u)

    def x_star(self, u):
        r"""The minimiser of :math:`f(\cdot, u)`: :math:`x^\star(u) = A_1^{-1}(b - \sigma(A_2u))`
        (least squares :math:`A_1^{+}(b - \sigma(A_2u))` for a tall ``A1``)."""
        u = self._u("u", u)
        rhs = (self.b - _relu(_mv(self.A2, u)))[..., None]
        if self.satisfies_A6:
            return np.linalg.solve(self.A1, rhs)[..., 0]
        At = _t(self.A1)
        return np.linalg.solve(At @ self.A1, At @ rhs)[..., 0]

    def min_x_loss(self, u):
        r""":math:`\min_x f(x, u)` per trial (0 for every u when A6 holds)."""
        u = self._u("u", u)
        return self._loss([self.x_star(u), u])

    def active_fraction(self, u):
        r"""Fraction of the ReLUs of :math:`\sigma(A_2u)` that are active (:math:`A_2u > 0`), per trial."""
        return np.mean(_mv(self.A2, self._u("u", u)) > 0, axis=1)

    def x_star_lipschitz(self):
        r"""The bound :math:`B\sigma_{\max}(A_2)/\sigma_{\min}(A_1)` on the Lipschitz constant of
        :math:`x^\star` for this model (a factor :math:`\sqrt\kappa` below Lemma 8's :math:`G_2/\mu`)."""
        return self.B * self._s2max / self._s1[:, -1]

    def _measure(self, w):
        """Loss and the tracked quantity (share of active ReLUs) from one forward pass (unchecked ``w``)."""
        x, u = w
        z = _mv(self.A2, u)
        r = _mv(self.A1, x) + _relu(z) - self.b
        return {"loss": 0.5 * np.sum(r * r, axis=1), "active_fraction": np.mean(z > 0, axis=1)}

    #: what :func:`accelbook.partition.train` records with ``track_every`` for this model
    tracked = ("active_fraction",)


def make_additive(kappa=None, sigma_A2=None, *, dim_x=None, dim_u=None, dim_out=None, n_trials=None, seed=None,
                  sigma_A1=1.0):
    """An :class:`AdditiveModel` with ``n_trials`` independent instances and a start ``w0 = [x0, u0]``.

    Defaults from :data:`DEFAULTS`; ``dim_out`` (rows of ``A1``, default ``dim_x``) above ``dim_x``
    gives a tall ``A1`` for which A6 fails; ``sigma_A1`` is :math:`\\sigma_{\\max}(A_1)` (so
    :math:`L_1 = \\sigma_{\\max}(A_1)^2`).  Returns ``(model, w0)``.
    """
    d = DEFAULTS
    kappa = real_scalar("kappa", d.kappa if kappa is None else kappa, lo=1.0)
    sigma_A2 = real_scalar("sigma_A2", d.sigma_regimes[0] if sigma_A2 is None else sigma_A2, lo=0.0)
    dim_x = int_scalar("dim_x", d.dim_x if dim_x is None else dim_x, lo=1)
    dim_u = int_scalar("dim_u", d.dim_u if dim_u is None else dim_u, lo=1)
    dim_out = dim_x if dim_out is None else int_scalar("dim_out", dim_out, lo=dim_x)
    T = int_scalar("n_trials", d.n_trials if n_trials is None else n_trials, lo=1)
    sigma_A1 = real_scalar("sigma_A1", sigma_A1, lo=0.0, lo_open=True)
    rng = rng_from(d.seed if seed is None else seed)
    A1 = make_A1(dim_x, kappa, n_trials=T, seed=rng, rows=dim_out, sigma_max=sigma_A1)
    A2 = make_A2(dim_out, dim_u, sigma_A2, n_trials=T, seed=rng)
    model = AdditiveModel(A1=A1, A2=A2, b=rng.standard_normal((T, dim_out)))
    return model, [rng.standard_normal((T, dim_x)), rng.standard_normal((T, dim_u))]
