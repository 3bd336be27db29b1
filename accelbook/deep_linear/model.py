r"""The deep linear network (4) of Wang, Lin & Abernethy (2021): shapes, the orthogonal initialisation of
Section 2.3, the output and loss (5), gradients, the directional derivative, and the Gram matrix (41).

The network with depth ``L`` (``depth`` in code), input dimension ``d``, output dimension ``d_y`` and width
``m`` is

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

import numpy as np

from .._validation import finite_array, int_scalar, real_scalar, rng_from

__all__ = ["layer_shapes", "architecture", "orthogonal_init", "check_orthogonal_init", "vec", "unvec",
           "end_to_end", "output", "loss", "gradients", "output_derivative", "gram", "gram_matvec",
           "gram_operator"]


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


def _layers(weights, *, name="weights", check_finite=True):
    """Check ``weights`` is a non-empty list of 2-d float arrays chaining into (4); return float64 arrays.

    Errors name the argument ``name`` (``name[i]`` for a layer).  With ``check_finite=False`` float64
    arrays are taken as they are (callers then check their result).
    """
    if not isinstance(weights, (list, tuple)):
        raise TypeError(f"{name} must be a list of 2-d arrays [W1, ..., WL], got {type(weights).__name__}")
    if len(weights) < 1:
        raise ValueError(f"{name} must contain at least one layer (depth L >= 1)")
    ws = [w if (not check_finite and isinstance(w, np.ndarray) and w.dtype == np.float64 and w.ndim == 2)
          else finite_array(f"{name}[{i}]", w, ndim=2) for i, w in enumerate(weights)]
    for i in range(1, len(ws)):
        if ws[i].shape[1] != ws[i - 1].shape[0]:
            raise ValueError(f"{name}[{i}] has {ws[i].shape[1]} columns but {name}[{i - 1}] has "
                             f"{ws[i - 1].shape[0]} rows: the layers do not chain")
    if len(ws) >= 2:
        m = ws[0].shape[0]
        for i in range(1, len(ws) - 1):
            if ws[i].shape != (m, m):
                raise ValueError(f"{name}[{i}] must be a square middle layer of shape ({m}, {m}), got {ws[i].shape}")
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
    return _check_orthogonal(weights, real_scalar("rtol", rtol, lo=0.0), "weights")


def _check_orthogonal(weights, rtol, name):
    """:func:`check_orthogonal_init`, with errors calling the argument ``name`` (``name[i]`` for a layer)."""
    ws = _layers(weights, name=name)
    if len(ws) == 1:
        if ws[0].shape[0] != ws[0].shape[1]:
            raise ValueError(f"{name}[0]: a depth-1 network with the orthogonal initialisation needs d == d_y, "
                             f"got shape {ws[0].shape}")
        m = float(np.sum(ws[0] ** 2) / ws[0].shape[1])
    else:
        m = ws[0].shape[0]
    checks = [(0, ws[0].T @ ws[0], "(W1)^T W1 = m I_d")]
    for i in range(1, len(ws) - 1):
        checks.append((i, ws[i].T @ ws[i], f"(W{i + 1})^T W{i + 1} = m I_m"))
        checks.append((i, ws[i] @ ws[i].T, f"W{i + 1} (W{i + 1})^T = m I_m"))
    checks.append((len(ws) - 1, ws[-1] @ ws[-1].T, f"W{len(ws)} (W{len(ws)})^T = m I_dy"))
    for i, G, cond in checks:
        err = np.max(np.abs(G - m * np.eye(G.shape[0])))
        if err > rtol * m:
            raise ValueError(f"{name}[{i}] is not a scaled orthogonal layer: {cond} fails "
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
        raise ValueError(f"{name} must have at least one column (sample), got shape {X.shape}")
    return X


class _Products:
    r"""Prefix and suffix products of one set of weights, in scaled form, computed once.

    With :math:`V_l = W^{(l)}/c` (:math:`c=\sqrt m`): ``Pm[k]`` is :math:`P_{k+1} = V^{(k+1:1)}X` for the
    hidden layers (shape ``(L-1, m, n)``), ``Sm[k]`` is :math:`S_{k+1} = V^{(L:k+2)}` (shape
    ``(L-1, d_y, m)``); :math:`P_0 = X` and :math:`S_L = I_{d_y}`.  The L terms of (41) are handled as
    the first layer, a batch of middle layers and the last layer.  An output that overflows raises
    ``FloatingPointError`` (the runners of :mod:`accelbook.methods` treat it as a divergence).
    """

    def __init__(self, weights, X, *, name="weights", checked=False):
        if checked:  # layers and data the caller has already checked (a runner's oracle)
            self.ws, self.X = weights, X
        else:
            self.ws = _layers(weights, name=name, check_finite=False)
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
            _layers(weights, name=name)  # names the non-finite layer, if there is one
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

    def spread(self):
        r"""Lemma 16's factors: the largest of :math:`\lVert S_l\rVert_2` and :math:`\lVert P_l\rVert_2/\lVert X\rVert_2`
        (all equal to 1 at the orthogonal initialisation, except the full product)."""
        if self.L == 1:
            return 1.0
        s = np.linalg.svd(self.Sm, compute_uv=False)[:, 0].max()
        return float(max(s, np.linalg.svd(self.Pm, compute_uv=False)[:, 0].max() / np.linalg.norm(self.X, 2)))


# ---------------------------------------------------------------- vectorisation
def vec(M):
    """Column-first vectorisation (the "vec" of Lemma 4): stacks the columns of ``M``."""
    return finite_array("M", M, ndim=2).reshape(-1, order="F")


def unvec(v, d_y):
    """Inverse of :func:`vec`: a vector of length ``d_y * n`` back to a ``d_y x n`` matrix."""
    v = finite_array("v", v, ndim=1)
    d_y = int_scalar("d_y", d_y, lo=1)
    if v.size % d_y or v.size == 0:
        raise ValueError(f"v must have a non-zero length divisible by d_y={d_y}, got {v.size}")
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


def _labels(p, Y):
    Y = _data("Y", Y, rows=p.d_y)
    if Y.shape != p.U.shape:
        raise ValueError(f"Y must have shape {p.U.shape} (d_y x n), got {Y.shape}")
    return Y


def loss(weights, X, Y):
    r"""The squared loss (5), :math:`\tfrac12\lVert U - Y\rVert_F^2`."""
    p = _Products(weights, X)
    return 0.5 * float(np.sum((p.U - _labels(p, Y)) ** 2))


def gradients(weights, X, Y):
    r"""The gradients :math:`\partial\ell/\partial W^{(l)} = \frac{1}{\sqrt{m^{L-1}d_y}}
    (W^{(L:l+1)})^\top (U-Y) (W^{(l-1:1)}X)^\top` of the loss (5), one per layer, in scaled form."""
    p = _Products(weights, X)
    return p.adjoint(p.U - _labels(p, Y))


def output_derivative(weights, X, delta):
    r"""The directional derivative :math:`DU[\Delta]` of the output in the direction ``delta``
    (a list shaped like ``weights``): the linear part of :math:`U(W+\Delta) - U(W)`."""
    p = _Products(weights, X)
    if not isinstance(delta, (list, tuple)) or len(delta) != len(p.ws):
        raise ValueError(f"delta must be a list of {len(p.ws)} arrays shaped like weights, got {type(delta).__name__}")
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
    max_size = int_scalar("max_size", max_size, lo=1)
    p = _Products(weights, X)
    size = p.d_y * p.X.shape[1]
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
    mv = lambda v: vec(p.gram_apply(np.asarray(v, dtype=np.float64).reshape((p.d_y, -1), order="F")))  # noqa: E731
    return LinearOperator((size, size), matvec=mv, rmatvec=mv, dtype=np.float64)
