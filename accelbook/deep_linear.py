r"""Deep linear networks trained with gradient descent and heavy ball (Wang, Lin & Abernethy 2021,
Sections 2.3, 3.4 and 4.4, Appendices B, G and H.2).

The network (4) with depth ``L`` (``depth`` in code), input dimension ``d``, output dimension
``d_y`` and width ``m`` is

.. math:: N(x) = \frac{1}{\sqrt{m^{L-1} d_y}} W^{(L)} W^{(L-1)} \cdots W^{(1)} x ,

with :math:`W^{(1)} \in \mathbb{R}^{m\times d}`, :math:`W^{(l)} \in \mathbb{R}^{m\times m}` for
:math:`1 < l < L` and :math:`W^{(L)} \in \mathbb{R}^{d_y\times m}` (for ``L = 1`` the single layer is
:math:`d_y\times d` and ``m`` plays no role).  ``weights`` is the list ``[W1, ..., WL]``, the form
:mod:`accelbook.methods` and :mod:`accelbook.torch_bridge` accept.  On the data matrix
:math:`X\in\mathbb{R}^{d\times n}` the output is :math:`U = N(X) \in\mathbb{R}^{d_y\times n}` and the loss
(5) is :math:`\ell = \tfrac12\lVert U - Y\rVert_F^2`.

**Scaled form.**  The raw product :math:`W^{(L:1)}` grows like :math:`m^{L/2}` and the factor
:math:`m^{L-1}d_y` overflows float64 long before ``L = 200``.  Every function here works with the
normalised layers :math:`V^{(l)} = W^{(l)}/\sqrt m` (which are orthogonal at the orthogonal
initialisation), for which

.. math:: U = \sqrt{m/d_y}\; V^{(L:1)} X, \qquad
          \frac{\partial \ell}{\partial W^{(l)}} = \frac{1}{\sqrt{d_y}}\, S_l^\top (U - Y) P_{l-1}^\top,

with :math:`P_l = V^{(l:1)}X` and :math:`S_l = V^{(L:l+1)}` (:math:`P_0 = X`, :math:`S_L = I`); all of
these stay of order one.  Residuals are vectorised column-first, :math:`\xi = \mathrm{vec}(U - Y)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import methods, plotting, theory
from ._validation import finite_array, int_scalar, real_scalar, rng_from

__all__ = [
    "layer_shapes", "architecture", "orthogonal_init", "check_orthogonal_init",
    "DeepLinearProblem", "make_problem", "source_problem",
    "vec", "unvec", "end_to_end", "output", "loss", "gradients", "output_derivative",
    "gram", "gram_matvec", "gram_operator", "lemma13_gram", "gram_at_init", "product_singular_values",
    "data_condition_number", "theorem4_step", "theorem10_parameters", "theorem10_rate", "theorem10_bound",
    "r_l_linear", "lemma14_bounds", "torch_loss",
    "Lemma4Monitor", "run_with_decomposition", "iterations_to_accuracy", "measured_rate",
    "kappa_sweep", "depth_sweep", "width_sweep",
    "deep_linear_explorer_data", "draw_deep_linear_explorer", "deep_linear_explorer_callback",
    "deep_linear_explorer", "deep_linear_explorer_static",
]


# ---------------------------------------------------------------- architecture and initialisation
def layer_shapes(d, d_y, m, depth):
    r"""Shapes of :math:`W^{(1)}, \dots, W^{(L)}` in (4): ``(m, d)``, ``(m, m)`` ..., ``(d_y, m)``."""
    d = int_scalar("d", d, lo=1)
    d_y = int_scalar("d_y", d_y, lo=1)
    m = int_scalar("m", m, lo=1)
    depth = int_scalar("depth", depth, lo=1)
    if depth == 1:
        return [(d_y, d)]
    return [(m, d)] + [(m, m)] * (depth - 2) + [(d_y, m)]


def _layers(weights, *, check_finite=True):
    """Check ``weights`` is a non-empty list of 2-d float arrays chaining into (4); return float64 arrays.

    With ``check_finite=False`` float64 arrays are taken as they are (callers then check their result).
    """
    if not isinstance(weights, (list, tuple)):
        raise TypeError(f"weights must be a list of 2-d arrays [W1, ..., WL], got {type(weights).__name__}")
    if len(weights) < 1:
        raise ValueError("weights must contain at least one layer (depth L >= 1)")
    ws = [w if (not check_finite and isinstance(w, np.ndarray) and w.dtype == np.float64 and w.ndim == 2)
          else finite_array(f"weights[{i}]", w, ndim=2) for i, w in enumerate(weights)]
    for i in range(1, len(ws)):
        if ws[i].shape[1] != ws[i - 1].shape[0]:
            raise ValueError(f"weights[{i}] has {ws[i].shape[1]} columns but weights[{i - 1}] has "
                             f"{ws[i - 1].shape[0]} rows: the layers do not chain")
    if len(ws) >= 2:
        m = ws[0].shape[0]
        for i in range(1, len(ws) - 1):
            if ws[i].shape != (m, m):
                raise ValueError(f"weights[{i}] must be a square middle layer of shape ({m}, {m}), got {ws[i].shape}")
    return ws


def architecture(weights):
    """``(d, d_y, m, depth)`` of a list of layers (``m`` is ``None`` for depth 1), after checking shapes."""
    ws = _layers(weights)
    m = ws[0].shape[0] if len(ws) >= 2 else None
    return ws[0].shape[1], ws[-1].shape[0], m, len(ws)


def _haar(rng, k):
    """A Haar-distributed k x k orthogonal matrix."""
    Q, R = np.linalg.qr(rng.standard_normal((k, k)))
    return Q * np.sign(np.diag(R))


def orthogonal_init(d, d_y, m, depth, *, seed):
    r"""The scaled orthogonal initialisation of Section 2.3:
    :math:`(W^{(1)})^\top W^{(1)} = mI_d`, :math:`W^{(L)}(W^{(L)})^\top = mI_{d_y}` and
    :math:`\sqrt m` times a Haar orthogonal matrix for :math:`1<l<L`, each sampled uniformly.

    Needs ``m >= max(d, d_y)``.  For ``depth = 1`` both conditions fall on the one layer, which
    needs ``d == d_y``.  ``seed`` is an int or a ``numpy.random.Generator``.
    """
    layer_shapes(d, d_y, m, depth)  # checks the four integers
    if m < max(d, d_y):
        raise ValueError(f"m must be >= max(d, d_y) = {max(d, d_y)} for the orthogonal initialisation "
                         f"((W1)^T W1 = m I_d and WL WL^T = m I_dy need m >= d and m >= d_y), got m={m}")
    if depth == 1 and d != d_y:
        raise ValueError(f"depth 1 needs d == d_y for the orthogonal initialisation (its one layer must "
                         f"satisfy W^T W = m I_d and W W^T = m I_dy), got d={d}, d_y={d_y}")
    rng = rng_from(seed)
    root_m = np.sqrt(m)
    if depth == 1:
        return [root_m * _haar(rng, d)]
    layers = [root_m * _haar(rng, m)[:, :d]]
    layers += [root_m * _haar(rng, m) for _ in range(depth - 2)]
    layers.append(root_m * _haar(rng, m)[:d_y, :])
    return layers


def check_orthogonal_init(weights, *, rtol=1e-8):
    r"""Raise ``ValueError`` unless ``weights`` satisfy the orthogonal initialisation of Section 2.3
    (to relative tolerance ``rtol``); return the width ``m`` (for depth 1, the common scale)."""
    ws = _layers(weights)
    if len(ws) == 1:
        m = float(np.sum(ws[0] ** 2) / ws[0].shape[1])
        if ws[0].shape[0] != ws[0].shape[1]:
            raise ValueError("weights[0]: a depth-1 network with the orthogonal initialisation needs d == d_y, "
                             f"got shape {ws[0].shape}")
    else:
        m = ws[0].shape[0]
    checks = [(0, "columns", ws[0].T @ ws[0], "(W1)^T W1 = m I_d")]
    for i in range(1, len(ws) - 1):
        checks.append((i, "columns", ws[i].T @ ws[i], f"(W{i + 1})^T W{i + 1} = m I_m"))
        checks.append((i, "rows", ws[i] @ ws[i].T, f"W{i + 1} (W{i + 1})^T = m I_m"))
    checks.append((len(ws) - 1, "rows", ws[-1] @ ws[-1].T, f"W{len(ws)} (W{len(ws)})^T = m I_dy"))
    for i, _, G, cond in checks:
        err = np.max(np.abs(G - m * np.eye(G.shape[0])))
        if err > rtol * m:
            raise ValueError(f"weights[{i}] is not a scaled orthogonal layer: {cond} fails "
                             f"(max deviation {err:.3g} > rtol*m = {rtol * m:.3g}); the orthogonal "
                             "initialisation of Section 2.3 is required here")
    return m


# ---------------------------------------------------------------- products in scaled form
def _scale(ws):
    """The per-layer scale c = sqrt(m) (1 for depth 1) used to normalise V = W / c."""
    return np.sqrt(ws[0].shape[0]) if len(ws) >= 2 else 1.0


def _data(name, X, rows=None):
    X = finite_array(name, X, ndim=2)
    if rows is not None and X.shape[0] != rows:
        raise ValueError(f"{name} must have {rows} rows to match the network, got shape {X.shape}")
    if X.shape[1] < 1:
        raise ValueError(f"{name} must have at least one column (sample)")
    return X


class _Products:
    r"""Prefix and suffix products of one set of weights, in scaled form, computed once.

    With :math:`V_l = W^{(l)}/c` (:math:`c=\sqrt m`): ``Pm[k]`` is :math:`P_{k+1} = V^{(k+1:1)}X` for the
    hidden layers (shape ``(L-1, m, n)``), ``Sm[k]`` is :math:`S_{k+1} = V^{(L:k+2)}` (shape
    ``(L-1, d_y, m)``); :math:`P_0 = X` and :math:`S_L = I_{d_y}`.  The L terms of (41) are handled as
    the first layer, a batch of middle layers and the last layer.
    """

    def __init__(self, weights, X):
        self.ws = _layers(weights, check_finite=False)
        self.X = _data("X", X, rows=self.ws[0].shape[1])
        self.L = len(self.ws)
        self.c = _scale(self.ws)
        self.d_y = self.ws[-1].shape[0]
        self.V = [w * (1.0 / self.c) for w in self.ws]
        with np.errstate(over="ignore", invalid="ignore"):
            if self.L == 1:
                self.Pm = np.empty((0,) + self.X.shape)
                last = self.V[0] @ self.X
            else:
                self.Pm = np.empty((self.L - 1, self.ws[0].shape[0], self.X.shape[1]))
                np.matmul(self.V[0], self.X, out=self.Pm[0])
                for k in range(1, self.L - 1):
                    np.matmul(self.V[k], self.Pm[k - 1], out=self.Pm[k])
                last = self.V[-1] @ self.Pm[-1]
        self.U = (self.c / np.sqrt(self.d_y)) * last
        if not np.all(np.isfinite(self.U)):
            _layers(weights)  # names the non-finite layer, if there is one
            raise FloatingPointError("the network's output overflowed (the weights are far from the "
                                     "scaled orthogonal regime)")
        self._Sm = self._kernels = None

    @property
    def Sm(self):
        if self._Sm is None:
            if self.L == 1:
                self._Sm = np.empty((0, self.d_y, self.d_y))
            else:
                self._Sm = np.empty((self.L - 1, self.d_y, self.ws[0].shape[0]))
                self._Sm[-1] = self.V[-1]
                for k in range(self.L - 3, -1, -1):
                    np.matmul(self._Sm[k + 1], self.V[k + 1], out=self._Sm[k])
        return self._Sm

    @property
    def P(self):
        """[P_0, ..., P_{L-1}] (the inputs of the L layers)."""
        return [self.X] + list(self.Pm)

    @property
    def S(self):
        """[S_1, ..., S_L] (the maps after the L layers)."""
        return list(self.Sm) + [np.eye(self.d_y)]

    def kernels(self):
        r"""The factors of (41): :math:`P_{l-1}^\top P_{l-1}` (L, n, n) and :math:`S_lS_l^\top` (L, d_y, d_y)."""
        if self._kernels is None:
            PP = np.concatenate([(self.X.T @ self.X)[None], self.Pm.transpose(0, 2, 1) @ self.Pm])
            SS = np.concatenate([self.Sm @ self.Sm.transpose(0, 2, 1), np.eye(self.d_y)[None]])
            self._kernels = PP, SS
        return self._kernels

    def derivative(self, delta):
        r""":math:`DU[\Delta] = \frac{1}{\sqrt{d_y}}\sum_l S_l \Delta_l P_{l-1}` (raw-scale directions)."""
        if self.L == 1:
            return delta[0] @ self.X / np.sqrt(self.d_y)
        total = self.Sm[0] @ (delta[0] @ self.X) + delta[-1] @ self.Pm[-1]
        if self.L > 2:
            total = total + np.sum(self.Sm[1:] @ (np.stack(delta[1:-1]) @ self.Pm[:-1]), axis=0)
        return total / np.sqrt(self.d_y)

    def adjoint(self, R):
        r"""The adjoint of :meth:`derivative`: :math:`\frac{1}{\sqrt{d_y}} S_l^\top R P_{l-1}^\top` per layer."""
        Rs = R / np.sqrt(self.d_y)
        if self.L == 1:
            return [Rs @ self.X.T]
        mid = (self.Sm[1:].transpose(0, 2, 1) @ Rs) @ self.Pm[:-1].transpose(0, 2, 1)
        return [(self.Sm[0].T @ Rs) @ self.X.T] + list(mid) + [Rs @ self.Pm[-1].T]

    def gram_apply(self, R):
        r""":math:`H_t` applied to :math:`\mathrm{vec}(R)`, in matrix form: :math:`\frac{1}{d_y}\sum_l S_lS_l^\top R P_{l-1}^\top P_{l-1}`."""
        PP, SS = self.kernels()
        return np.sum((SS @ R) @ PP, axis=0) / self.d_y


# ---------------------------------------------------------------- vectorisation
def vec(M):
    """Column-first vectorisation (the "vec" of Lemma 4): stacks the columns of ``M``."""
    M = np.asarray(M, dtype=np.float64)
    if M.ndim != 2:
        raise ValueError(f"M must be 2-dimensional, got shape {M.shape}")
    return M.reshape(-1, order="F")


def unvec(v, d_y):
    """Inverse of :func:`vec`: a vector of length ``d_y * n`` back to a ``d_y x n`` matrix."""
    v = finite_array("v", v, ndim=1)
    d_y = int_scalar("d_y", d_y, lo=1)
    if v.size % d_y:
        raise ValueError(f"v must have a length divisible by d_y={d_y}, got {v.size}")
    return v.reshape((d_y, -1), order="F")


# ---------------------------------------------------------------- network, loss, gradients
def end_to_end(weights):
    r"""The collapsed matrix :math:`W_e = W^{(L:1)}/\sqrt{m^{L-1}d_y}` (``d_y x d``), so that
    :math:`N(x) = W_e x`; computed in scaled form."""
    ws = _layers(weights)
    return _Products(ws, np.eye(ws[0].shape[1])).U


def output(weights, X):
    r"""The network's output :math:`U = N(X)` of (4) on the columns of ``X`` (``d_y x n``)."""
    return _Products(weights, X).U


def loss(weights, X, Y):
    r"""The squared loss (5), :math:`\tfrac12\lVert U - Y\rVert_F^2`."""
    p = _Products(weights, X)
    Y = _data("Y", Y, rows=p.d_y)
    if Y.shape != p.U.shape:
        raise ValueError(f"Y must have shape {p.U.shape} (d_y x n), got {Y.shape}")
    return 0.5 * float(np.sum((p.U - Y) ** 2))


def gradients(weights, X, Y):
    r"""The gradients :math:`\partial\ell/\partial W^{(l)} = \frac{1}{\sqrt{m^{L-1}d_y}}
    (W^{(L:l+1)})^\top (U-Y) (W^{(l-1:1)}X)^\top` of the loss (5), one per layer, in scaled form."""
    p = _Products(weights, X)
    Y = _data("Y", Y, rows=p.d_y)
    if Y.shape != p.U.shape:
        raise ValueError(f"Y must have shape {p.U.shape} (d_y x n), got {Y.shape}")
    return p.adjoint(p.U - Y)


def output_derivative(weights, X, delta):
    r"""The directional derivative :math:`DU[\Delta]` of the output in the direction ``delta``
    (a list shaped like ``weights``): the linear part of :math:`U(W+\Delta) - U(W)`."""
    p = _Products(weights, X)
    if not isinstance(delta, (list, tuple)) or len(delta) != len(p.ws):
        raise ValueError(f"delta must be a list of {len(p.ws)} arrays shaped like weights")
    delta = [finite_array(f"delta[{i}]", D, shape=w.shape) for i, (D, w) in enumerate(zip(delta, p.ws))]
    return p.derivative(delta)


# ---------------------------------------------------------------- the Gram matrix H_t of (41)
def gram(weights, X, *, max_size=3000):
    r"""The matrix :math:`H_t` of (41) in Wang et al., formed through its Kronecker form

    .. math:: H_t = \frac{1}{m^{L-1}d_y}\sum_{l=1}^{L} (W^{(l-1:1)}X)^\top(W^{(l-1:1)}X)
              \otimes W^{(L:l+1)}(W^{(L:l+1)})^\top
              = \frac{1}{d_y}\sum_{l} P_{l-1}^\top P_{l-1}\otimes S_l S_l^\top ,

    a symmetric PSD matrix of size :math:`d_y n`.  For :math:`d_y n` above ``max_size`` use
    :func:`gram_matvec` or :func:`gram_operator`, which never form it.
    """
    p = _Products(weights, X)
    size = p.d_y * p.X.shape[1]
    max_size = int_scalar("max_size", max_size, lo=1)
    if size > max_size:
        raise ValueError(f"gram: d_y * n = {size} exceeds max_size={max_size}; use gram_matvec or "
                         "gram_operator, which apply H_t without forming it")
    PP, SS = p.kernels()
    H = np.einsum("lij,lab->iajb", PP, SS).reshape(size, size) / p.d_y  # sum of Kronecker products
    return 0.5 * (H + H.T)


def gram_matvec(weights, X, v):
    r""":math:`H_t v` without forming :math:`H_t` (cost :math:`O(L m^2 n)`), using
    :math:`\mathrm{vec}(ACB) = (B^\top\otimes A)\mathrm{vec}(C)`: :math:`H_t v = \mathrm{vec}\big(\frac{1}{d_y}
    \sum_l S_lS_l^\top V P_{l-1}^\top P_{l-1}\big)` with :math:`v = \mathrm{vec}(V)`."""
    p = _Products(weights, X)
    v = finite_array("v", v, shape=(p.d_y * p.X.shape[1],))
    return vec(p.gram_apply(unvec(v, p.d_y)))


def gram_operator(weights, X):
    """:math:`H_t` as a ``scipy.sparse.linalg.LinearOperator`` (symmetric), for ``eigsh`` and friends."""
    from scipy.sparse.linalg import LinearOperator
    p = _Products(weights, X)
    size = p.d_y * p.X.shape[1]
    mv = lambda v: vec(p.gram_apply(np.asarray(v, dtype=np.float64).reshape((p.d_y, -1), order="F")))
    return LinearOperator((size, size), matvec=mv, rmatvec=mv, dtype=np.float64)


def lemma13_gram(X, d_y, depth):
    r"""The closed form :math:`H_0 = \frac{L}{d_y}(X^\top X\otimes I_{d_y})` that (41) takes at the
    orthogonal initialisation (Lemma 13 made exact)."""
    X = _data("X", X)
    d_y = int_scalar("d_y", d_y, lo=1)
    depth = int_scalar("depth", depth, lo=1)
    return (depth / d_y) * np.kron(X.T @ X, np.eye(d_y))


def gram_at_init(weights0, X):
    r""":math:`H_0` for weights that must be the orthogonal initialisation (checked; ``ValueError``
    otherwise), from the closed form of :func:`lemma13_gram`."""
    check_orthogonal_init(weights0)
    d, d_y, _, depth = architecture(weights0)
    return lemma13_gram(_data("X", X, rows=d), d_y, depth)


def product_singular_values(weights, i, j):
    r"""Singular values of :math:`W^{(j:i)} = W^{(j)}\cdots W^{(i)}` divided by
    :math:`m^{(j-i+1)/2}` (layers numbered from 1, :math:`1\le i\le j\le L`); Lemma 13 says they all
    equal 1 at the orthogonal initialisation (true unless ``(i, j) == (1, L)``)."""
    ws = _layers(weights)
    i = int_scalar("i", i, lo=1)
    j = int_scalar("j", j, lo=i)
    if j > len(ws):
        raise ValueError(f"j must be <= depth L = {len(ws)}, got {j}")
    c = _scale(ws)
    prod = ws[i - 1] / c
    for w in ws[i:j]:
        prod = (w / c) @ prod
    return np.linalg.svd(prod, compute_uv=False)


# ---------------------------------------------------------------- parameters, rates and bounds
def _singular_range(X):
    X = _data("X", X)
    s = np.linalg.svd(X, compute_uv=False)
    if X.shape[1] > X.shape[0] or s[-1] <= 1e-12 * s[0]:
        raise ValueError(f"X must have full column rank (assumption (A1): X in R^(d x r), r = rank X); "
                         f"got shape {X.shape} with smallest singular value {s[-1]:.3g}")
    return float(s[0]), float(s[-1])


def data_condition_number(X):
    r""":math:`\kappa = \sigma_{\max}^2(X)/\sigma_{\min}^2(X)` of Section 2.3 (X of full column rank)."""
    smax, smin = _singular_range(X)
    return (smax / smin) ** 2


def theorem4_step(X, d_y, depth):
    r"""The step of Theorem 4 (Hu et al.): :math:`\eta = d_y/(2L\sigma_{\max}^2(X))`."""
    smax, _ = _singular_range(X)
    return int_scalar("d_y", d_y, lo=1) / (2.0 * int_scalar("depth", depth, lo=1) * smax ** 2)


def theorem10_parameters(X, d_y, depth):
    r"""Theorem 10: :math:`\eta = d_y/(L\sigma_{\max}^2(X))` and :math:`\beta = (1-\tfrac12\sqrt{\eta\lambda})^2
    = (1 - \tfrac{1}{2\sqrt\kappa})^2` with :math:`\lambda = L\sigma_{\min}^2(X)/d_y`. Returns ``(eta, beta)``."""
    smax, smin = _singular_range(X)
    d_y = int_scalar("d_y", d_y, lo=1)
    depth = int_scalar("depth", depth, lo=1)
    eta = d_y / (depth * smax ** 2)
    lam = depth * smin ** 2 / d_y
    return eta, (1.0 - 0.5 * np.sqrt(eta * lam)) ** 2


def theorem10_rate(kappa):
    r"""The rate :math:`\theta = 1 - \frac{1}{4\sqrt\kappa}` of (22)."""
    return 1.0 - 0.25 / np.sqrt(theory._kappa(kappa))


def theorem10_bound(kappa, t):
    r"""The factor :math:`(1-\frac{1}{4\sqrt\kappa})^t\, 8\sqrt\kappa` of (22), for each ``t``."""
    kappa = float(theory._kappa(kappa))
    return theorem10_rate(kappa) ** theory._times(t) * 8.0 * np.sqrt(kappa)


def r_l_linear(X, d_y, depth, *, nu_c0, b0):
    r""":math:`R_{L\text{-linear}} = \frac{64\lVert X\rVert_2\sqrt{d_y}}{L\sigma_{\min}^2(X)}\,\nu C_0 B_0`
    of Lemmas 14 and 15. ``nu_c0`` is the product :math:`\nu C_0` (only the product enters), ``b0`` a
    bound on :math:`\lVert U_0 - Y\rVert_F`."""
    smax, smin = _singular_range(X)
    d_y = int_scalar("d_y", d_y, lo=1)
    depth = int_scalar("depth", depth, lo=1)
    nu_c0 = real_scalar("nu_c0", nu_c0, lo=0.0)
    b0 = real_scalar("b0", b0, lo=0.0)
    return 64.0 * smax * np.sqrt(d_y) / (depth * smin ** 2) * nu_c0 * b0


def lemma14_bounds(X, d_y, m, eta, lam, t, *, nu_c0, xi0_norm):
    r"""The three bounds of Lemma 14 at iterations ``t`` (arrays), with :math:`\theta = 1-\frac14\sqrt{\eta\lambda}`:

    :math:`\lVert\varphi_t\rVert\le \frac{43\sqrt{d_y}}{\sqrt m\lVert X\rVert_2}\theta^{2t}(\nu C_0)^2
    \big(\frac{\lVert\xi_0\rVert}{1-\theta}\big)^2`, the same with :math:`\theta^{2(t-1)}` for
    :math:`\lVert\psi_t\rVert`, and :math:`\lVert\iota_t\rVert\le\frac{\eta\lambda}{80}\theta^t\nu C_0
    \lVert[\xi_0;\xi_{-1}]\rVert` (with :math:`\xi_{-1}=\xi_0`). Returns a dict."""
    smax, _ = _singular_range(X)
    d_y = int_scalar("d_y", d_y, lo=1)
    m = int_scalar("m", m, lo=1)
    z = real_scalar("eta", eta, lo=0.0, lo_open=True) * real_scalar("lam", lam, lo=0.0, lo_open=True)
    theta = 1.0 - 0.25 * np.sqrt(z)
    t = theory._times(t)
    nu_c0 = real_scalar("nu_c0", nu_c0, lo=0.0)
    xi0 = real_scalar("xi0_norm", xi0_norm, lo=0.0)
    k = 43.0 * np.sqrt(d_y) / (np.sqrt(m) * smax) * nu_c0 ** 2 * (xi0 / (1 - theta)) ** 2
    return {"varphi": k * theta ** (2 * t), "psi": k * theta ** (2 * (t - 1.0)),
            "iota": z / 80.0 * theta ** t * nu_c0 * np.sqrt(2.0) * xi0}


# ---------------------------------------------------------------- a problem: data, loss, gradient
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

    def loss(self, weights):
        return loss(weights, self.X, self.Y)

    def grad(self, weights):
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

    def linear_loss(self, We):
        return 0.5 * float(np.sum((np.asarray(We) @ self.X - self.Y) ** 2))

    def linear_grad(self, We):
        return (np.asarray(We) @ self.X - self.Y) @ self.X.T

    def torch_loss(self):
        """The loss (5) as a torch function of the list of layer tensors (scaled form)."""
        return torch_loss(self.X, self.Y)


def make_problem(d, n, d_y, *, kappa=None, w_noise=0.1, seed):
    r"""Random data for (A1): :math:`X\in\mathbb{R}^{d\times n}` Gaussian, or with singular values
    log-spaced so that :math:`\sigma_{\max}^2/\sigma_{\min}^2 = \kappa` and :math:`\sigma_{\max}=1`
    when ``kappa`` is given; :math:`W_* = I_{d_y\times d} + \text{w\_noise}\cdot\bar W` with Gaussian
    :math:`\bar W`, and :math:`Y = W_*X`. Needs ``n <= d``."""
    d, n, d_y = int_scalar("d", d, lo=1), int_scalar("n", n, lo=1), int_scalar("d_y", d_y, lo=1)
    if n > d:
        raise ValueError(f"n must be <= d (assumption (A1) needs X of full column rank), got n={n}, d={d}")
    w_noise = real_scalar("w_noise", w_noise, lo=0.0)
    rng = rng_from(seed)
    if kappa is None:
        X = rng.standard_normal((d, n))
    else:
        kappa = real_scalar("kappa", kappa, lo=1.0)
        sv = np.logspace(0.0, -0.5 * np.log10(kappa), n) if n > 1 else np.ones(1)
        if n == 1 and kappa != 1.0:
            raise ValueError("n must be >= 2 when kappa > 1")
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
    import torch
    Xt = torch.as_tensor(np.asarray(X, dtype=np.float64), device=device)
    Yt = torch.as_tensor(np.asarray(Y, dtype=np.float64), device=device)
    d_y = Yt.shape[0]

    def f(ws):
        c = float(np.sqrt(ws[0].shape[0])) if len(ws) >= 2 else 1.0
        P = Xt
        for w in ws:
            P = (w / c) @ P
        return 0.5 * (((c / np.sqrt(d_y)) * P - Yt) ** 2).sum()

    return f


# ---------------------------------------------------------------- Lemma 4 along a run
def _spread(p):
    r"""Lemma 16's factors: the largest of :math:`\lVert S_l\rVert_2` and :math:`\lVert P_l\rVert_2/\lVert X\rVert_2`
    (all equal to 1 at the orthogonal initialisation, except the full product)."""
    if p.L == 1:
        return 1.0
    s = np.linalg.svd(p.Sm, compute_uv=False)[:, 0].max()
    return float(max(s, np.linalg.svd(p.Pm, compute_uv=False)[:, 0].max() / np.linalg.norm(p.X, 2)))


class Lemma4Monitor:
    r"""Records the residual dynamics of Lemma 4 along a run, one iterate at a time.

    Call it with :math:`W_0, W_1, \dots` in order (it is the ``loss`` callback of
    :func:`run_with_decomposition`; it returns the loss).  When :math:`W_{t+1}` arrives it computes,
    with :math:`U_t` the output and :math:`\xi_t = \mathrm{vec}(U_t - Y)`,

    * :math:`\varphi_t = \mathrm{vec}\big(U_{t+1} - U_t - DU_t[W_{t+1}-W_t]\big)` — the higher-order
      terms :math:`\frac{1}{\sqrt{m^{L-1}d_y}}\mathrm{vec}(\Phi_tX)` of the product (84);
    * :math:`\psi_t = \beta\,\mathrm{vec}\big(U_{t-1} - U_t - DU_t[W_{t-1}-W_t]\big)`, which is (85);
    * :math:`\iota_t = \eta(H_0 - H_t)\xi_t` (86);

    so that :math:`\xi_{t+1} = ((1+\beta)I-\eta H_0)\xi_t - \beta\xi_{t-1} + \phi_t` with
    :math:`\phi_t = \varphi_t+\psi_t+\iota_t` (:math:`W_{-1} = W_0`).  It also records
    :math:`\max_l\lVert W^{(l)}_t - W^{(l)}_0\rVert_F` and the largest :math:`\lVert S_l\rVert_2`,
    :math:`\lVert P_l\rVert_2/\lVert X\rVert_2` (Lemma 16's factors) when ``record_spread=True``.
    """

    def __init__(self, problem, eta, beta, *, record_spread=False):
        self.problem = problem
        self.record_spread = bool(record_spread)
        self.latest = (None, None)  # (the weights list last seen, its products), reused by grad
        self.eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
        self.beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
        self.xi, self.varphi, self.psi, self.iota, self.distance, self.spread = [], [], [], [], [], []
        self._prev = self._cur = None  # (weights, products) at t-1 and t
        self._w0 = self._p0 = None

    def __call__(self, weights):
        p = _Products(weights, self.problem.X)
        self.latest = (weights, p)
        R = p.U - self.problem.Y
        if self._cur is None:
            self._w0, self._p0 = [w.copy() for w in p.ws], p
            self._prev = self._cur = (p.ws, p)
        else:
            self._step(p)
        self.xi.append(vec(R))
        self.distance.append(max(np.linalg.norm(w - w0) for w, w0 in zip(p.ws, self._w0)))
        if self.record_spread:
            self.spread.append(_spread(p))
        return 0.5 * float(np.sum(R ** 2))

    def _step(self, p_next):
        (w_prev, p_prev), (w_cur, p_cur) = self._prev, self._cur
        step = [a - b for a, b in zip(p_next.ws, w_cur)]
        back = [a - b for a, b in zip(w_prev, w_cur)]
        self.varphi.append(vec(p_next.U - p_cur.U - p_cur.derivative(step)))
        self.psi.append(self.beta * vec(p_prev.U - p_cur.U - p_cur.derivative(back)))
        R = p_cur.U - self.problem.Y
        self.iota.append(self.eta * vec(self._p0.gram_apply(R) - p_cur.gram_apply(R)))
        self._prev, self._cur = self._cur, (p_next.ws, p_next)

    def result(self):
        """A dict of arrays: ``xi`` (T+1, d_y n); ``varphi``, ``psi``, ``iota``, ``phi`` (T, d_y n);
        ``distance`` and, when recorded, ``spread`` (T+1,)."""
        k = len(self.varphi)
        out = {"xi": np.asarray(self.xi)[:k + 1],
               "varphi": np.asarray(self.varphi).reshape(k, -1), "psi": np.asarray(self.psi).reshape(k, -1),
               "iota": np.asarray(self.iota).reshape(k, -1),
               "distance": np.asarray(self.distance)[:k + 1]}
        if self.record_spread:
            out["spread"] = np.asarray(self.spread)[:k + 1]
        out["phi"] = out["varphi"] + out["psi"] + out["iota"]
        return out


def run_with_decomposition(problem, weights0, eta, beta, n_iter, *, store="none", record_spread=False):
    r"""Heavy ball (Algorithm 1; ``beta = 0`` is gradient descent) on the deep linear network through
    :func:`accelbook.methods.heavy_ball`, recording Lemma 4's terms with a :class:`Lemma4Monitor`.
    Returns ``(run, terms)``: the :class:`~accelbook.methods.RunResult` (its ``losses`` are the loss
    (5)) and the dict of :meth:`Lemma4Monitor.result`."""
    monitor = Lemma4Monitor(problem, eta, beta, record_spread=record_spread)

    def grad(weights):  # methods records W_t (the monitor sees it) before taking the gradient at W_t
        seen, p = monitor.latest
        if seen is not weights:
            return problem.grad(weights)
        return p.adjoint(p.U - problem.Y)

    return _train(grad, weights0, eta, beta, n_iter, loss=monitor, store=store), monitor.result()


def _train(grad, weights0, eta, beta, n_iter, **kw):
    """Gradient descent when ``beta == 0``, heavy ball (Algorithm 1) otherwise, via accelbook.methods."""
    if beta == 0:
        return methods.gradient_descent(grad, weights0, eta, n_iter, **kw)
    return methods.heavy_ball(grad, weights0, eta, beta, n_iter, **kw)


def _stacked(xi):
    r""":math:`\lVert[\xi_t;\xi_{t-1}]\rVert` for the rows of ``xi`` (with :math:`\xi_{-1}=\xi_0`)."""
    return np.sqrt(np.sum(xi ** 2, axis=1) + np.sum(np.vstack([xi[:1], xi[:-1]]) ** 2, axis=1))


def _relative_residual(problem, weights0):
    r0 = np.linalg.norm(output(weights0, problem.X) - problem.Y)
    return lambda w: np.linalg.norm(output(w, problem.X) - problem.Y) / r0


def iterations_to_accuracy(problem, weights0, eta, beta, tol, *, max_iter=100_000):
    r"""First t with :math:`\lVert U_t - Y\rVert_F \le \mathrm{tol}\,\lVert U_0 - Y\rVert_F` for heavy ball
    (``beta = 0``: gradient descent); ``-1`` if not reached in ``max_iter`` iterations or diverged."""
    tol = real_scalar("tol", tol, lo=0.0, lo_open=True, hi=1.0, hi_open=True)
    run = _train(problem.grad, weights0, eta, beta, max_iter, loss=_relative_residual(problem, weights0),
                 store="none", tol=tol)
    return run.nit if run.converged else -1


def measured_rate(values, *, start_fraction=0.3, floor=1e-12):
    r"""A linear rate fitted to a decaying sequence: :math:`\exp` of the least-squares slope of
    :math:`\log` ``values`` over its tail (from ``start_fraction`` of the length, values above ``floor``
    times the first one). ``values`` may oscillate; the fit averages over the oscillation."""
    v = finite_array("values", values, ndim=1)
    if v.size < 3 or np.any(v < 0):
        raise ValueError("values must be a non-negative sequence of length >= 3")
    t = np.arange(v.size)
    keep = (t >= int(start_fraction * v.size)) & (v > floor * v[0])
    if keep.sum() < 2:
        raise ValueError("values has fewer than 2 usable points above the floor")
    return float(np.exp(np.polyfit(t[keep], np.log(v[keep]), 1)[0]))


# ---------------------------------------------------------------- sweeps
def _residual_norms(problem, weights0, eta, beta, n_iter):
    f = _relative_residual(problem, weights0)
    return _train(problem.grad, weights0, eta, beta, n_iter, loss=f, store="none").losses


def kappa_sweep(kappas, *, d=4, n=4, d_y=2, m=16, depth=4, tol=1e-4, seed=0):
    r"""Iterations to :math:`\lVert U_t-Y\rVert_F\le\mathrm{tol}\,\lVert U_0-Y\rVert_F` for gradient descent and
    heavy ball (both with Theorem 10's :math:`\eta`, heavy ball with its :math:`\beta`) on data with
    prescribed :math:`\kappa = \sigma_{\max}^2/\sigma_{\min}^2`; one data set and initialisation per
    :math:`\kappa` (seeded). Returns a dict with the counts and the fitted log-log slopes."""
    kappas = finite_array("kappas", kappas, ndim=1)
    rng = rng_from(seed)
    out = {"kappa": kappas, "gd": [], "heavy_ball": []}
    for kappa in kappas:
        prob = make_problem(d, n, d_y, kappa=float(kappa), seed=rng)
        w0 = prob.init(m, depth, seed=rng)
        eta, beta = prob.parameters(depth)
        out["gd"].append(iterations_to_accuracy(prob, w0, eta, 0.0, tol))
        out["heavy_ball"].append(iterations_to_accuracy(prob, w0, eta, beta, tol))
    for key in ("gd", "heavy_ball"):
        out[key] = np.asarray(out[key])
        ok = out[key] > 0
        out[f"slope_{key}"] = float(np.polyfit(np.log(kappas[ok]), np.log(out[key][ok]), 1)[0]) \
            if ok.sum() >= 2 else float("nan")
    return out


def depth_sweep(problem, depths, *, m, n_iter, seed=0):
    r"""Relative residuals :math:`\lVert U_t-Y\rVert_F/\lVert U_0-Y\rVert_F` of gradient descent and heavy
    ball with Theorem 10's parameters for each depth (fixed data, width ``m``), and the fitted rates."""
    depths = [int_scalar("depths[i]", L, lo=1) for L in depths]
    rng = rng_from(seed)
    out = {"depth": np.asarray(depths), "gd": [], "heavy_ball": [], "rate_gd": [], "rate_heavy_ball": []}
    for L in depths:
        w0 = problem.init(m, L, seed=rng)
        eta, beta = problem.parameters(L)
        for key, b in (("gd", 0.0), ("heavy_ball", beta)):
            r = _residual_norms(problem, w0, eta, b, n_iter)
            out[key].append(r)
            out[f"rate_{key}"].append(measured_rate(r))
    for key in ("gd", "heavy_ball", "rate_gd", "rate_heavy_ball"):
        out[key] = np.asarray(out[key])
    return out


def width_sweep(problem, widths, *, depth, n_iter, trials=1, seed=0):
    r"""For each width and trial (a fresh orthogonal initialisation): heavy ball with Theorem 10's
    parameters. Returns arrays of shape ``(len(widths), trials)``: the largest layer movement
    :math:`\max_{t,l}\lVert W^{(l)}_t-W^{(l)}_0\rVert_F` (``distance``), the same divided by
    :math:`\sqrt m`, the spectral norm of every initial layer (``relative_distance``),
    :math:`\max_t\lVert\phi_t\rVert/\lVert\xi_0\rVert` (``phi_relative``), the measured
    :math:`\nu C_0 = \max_t \lVert[\xi_t;\xi_{t-1}]\rVert/(\theta^t\lVert[\xi_0;\xi_{-1}]\rVert)` and
    :math:`R_{L\text{-linear}}` with that :math:`\nu C_0` and :math:`B_0 = \lVert U_0-Y\rVert_F`."""
    widths = [int_scalar("widths[i]", m, lo=1) for m in widths]
    trials = int_scalar("trials", trials, lo=1)
    rng = rng_from(seed)
    eta, beta = problem.parameters(depth)
    theta = theorem10_rate(problem.kappa)
    keys = ("distance", "relative_distance", "phi_relative", "r_l_linear", "nu_c0")
    out = {k: np.empty((len(widths), trials)) for k in keys}
    for i, m in enumerate(widths):
        for j in range(trials):
            _, terms = run_with_decomposition(problem, problem.init(m, depth, seed=rng), eta, beta, n_iter)
            stacked = _stacked(terms["xi"])
            nu_c0 = float(np.max(stacked / (theta ** np.arange(stacked.size) * stacked[0])))
            xi0 = np.linalg.norm(terms["xi"][0])
            out["distance"][i, j] = terms["distance"].max()
            out["relative_distance"][i, j] = terms["distance"].max() / np.sqrt(m)
            out["phi_relative"][i, j] = np.linalg.norm(terms["phi"], axis=1).max() / xi0
            out["nu_c0"][i, j] = nu_c0
            out["r_l_linear"][i, j] = r_l_linear(problem.X, problem.d_y, depth, nu_c0=nu_c0, b0=xi0)
    out["width"] = np.asarray(widths)
    return out


# ---------------------------------------------------------------- the explorer
def deep_linear_explorer_data(depth, width, kappa, *, d=4, n=4, d_y=2, t_max=None, with_terms=True, seed=0):
    r"""Everything the Chapter 4 explorer draws: gradient descent and heavy ball with Theorem 10's
    parameters on data with condition number ``kappa`` (``make_problem(d, n, d_y, kappa=kappa,
    seed=seed)``), a network of the given depth and width from the orthogonal initialisation
    (``seed + 1``); the stacked residual norms relative to :math:`t=0`, Theorem 10's bound and, with
    ``with_terms``, the norms of Lemma 4's terms along the heavy-ball run. ``t_max`` defaults to
    about :math:`15\sqrt\kappa` (between 50 and 400), which keeps a live frame under 100 ms."""
    depth = int_scalar("depth", depth, lo=1)
    width = int_scalar("width", width, lo=1)
    kappa = real_scalar("kappa", kappa, lo=1.0)
    if t_max is None:
        t_max = int(min(400, max(50, np.ceil(15 * np.sqrt(kappa)))))
    t_max = int_scalar("t_max", t_max, lo=1)
    prob = make_problem(d, n, d_y, kappa=kappa, seed=seed)
    w0 = prob.init(width, depth, seed=seed + 1)
    eta, beta = prob.parameters(depth)
    out = {"depth": depth, "width": width, "kappa": kappa, "eta": eta, "beta": beta, "t": np.arange(t_max + 1)}
    for key, b in (("gd", 0.0), ("heavy_ball", beta)):
        if with_terms and key == "heavy_ball":
            run, terms = run_with_decomposition(prob, w0, eta, b, t_max)
            xi = terms["xi"]
            out["terms"] = {k: np.linalg.norm(terms[k], axis=1) for k in ("varphi", "psi", "iota")}
            out["xi_norm"] = np.linalg.norm(xi, axis=1)
        else:
            run = _train(prob.grad, w0, eta, b, t_max, loss=prob.residual, store="none")
            xi = run.losses
        out[key] = _stacked(xi) / _stacked(xi)[0]
        out[f"{key}_diverged"] = run.diverged
    out["bound"] = theorem10_bound(kappa, out["t"])
    return out


def draw_deep_linear_explorer(data, fig):
    """Draw :func:`deep_linear_explorer_data` output on ``fig`` (two panels). Returns the axes."""
    fig.clear()
    ax1, ax2 = fig.subplots(1, 2)
    t = data["t"]
    plotting.method_line(ax1, t[:len(data["gd"])], data["gd"], "gd")
    plotting.method_line(ax1, t[:len(data["heavy_ball"])], data["heavy_ball"], "heavy_ball")
    plotting.bound_line(ax1, t, data["bound"], label="Theorem 10 bound")
    plotting.log_axes(ax1, "iteration t", r"$\|[\xi_t;\xi_{t-1}]\| / \|[\xi_0;\xi_{-1}]\|$")
    tt = t[:len(data["xi_norm"])]
    ax2.plot(tt, data["xi_norm"], color=plotting.COLORS["heavy_ball"], label=r"$\|\xi_t\|$")
    for key, label, ls in (("varphi", r"$\|\varphi_t\|$", "-"), ("psi", r"$\|\psi_t\|$", "--"),
                           ("iota", r"$\|\iota_t\|$", ":")):
        v = data["terms"][key]
        ax2.plot(t[:len(v)], np.maximum(v, 1e-300), ls=ls, label=label)
    plotting.log_axes(ax2, "iteration t", "heavy ball: norms")
    ax2.legend(fontsize=7)
    fig.suptitle(rf"depth L={data['depth']}, width m={data['width']}, $\kappa$={data['kappa']:.0f}, "
                 rf"$\eta$={data['eta']:.3g}, $\beta$={data['beta']:.3f}", fontsize=9)
    return ax1, ax2


def deep_linear_explorer_callback(depth, width, kappa, *, fig=None):
    """Compute and draw one frame of the Chapter 4 explorer; returns the figure (works headless)."""
    from .widgets import draw_frame
    return draw_frame(draw_deep_linear_explorer, deep_linear_explorer_data(depth, width, kappa), fig)


def deep_linear_explorer():  # pragma: no cover - needs a live kernel; the callback is tested
    """The live explorer: ipywidgets sliders for depth, width and log10 kappa (with a Run button)."""
    import ipywidgets as W
    from .widgets import live_explorer
    return live_explorer(
        lambda depth, width, log10_kappa: deep_linear_explorer_callback(depth, width, 10 ** log10_kappa),
        manual=True,
        depth=W.IntSlider(value=10, min=1, max=200, step=1, description="depth L"),
        width=W.IntSlider(value=16, min=4, max=256, step=4, description="width m"),
        log10_kappa=W.FloatSlider(value=2.0, min=0.0, max=3.0, step=0.25, description="log₁₀ κ"),
    )


def deep_linear_explorer_static(settings, *, t_max=None, fig=None):
    """Small multiples of the explorer's left panel, one per ``(depth, width, kappa)`` in ``settings``
    (``t_max`` as in :func:`deep_linear_explorer_data`)."""
    import matplotlib.pyplot as plt
    settings = list(settings)
    if not settings:
        raise ValueError("settings must not be empty")
    if fig is None:
        fig = plt.figure(figsize=(3.1 * len(settings), 3.0))
    axes = np.atleast_1d(fig.subplots(1, len(settings), sharey=True))
    for ax, (depth, width, kappa) in zip(axes, settings):
        data = deep_linear_explorer_data(depth, width, kappa, t_max=t_max, with_terms=False)
        t = data["t"]
        plotting.method_line(ax, t, data["gd"], "gd")
        plotting.method_line(ax, t, data["heavy_ball"], "heavy_ball")
        plotting.bound_line(ax, t, data["bound"], label="Theorem 10")
        plotting.log_axes(ax, "iteration t", "", title=rf"L={depth}, m={width}, $\kappa$={kappa:g}", legend=False)
    axes[0].set_ylabel(r"$\|[\xi_t;\xi_{t-1}]\|$ (relative)")
    axes[0].legend(fontsize=7)
    return fig
