r"""The paper's quantities for deep linear networks (Wang, Lin & Abernethy 2021, Sections 2.3 and 4.4,
Appendix G): the condition number of the data, the parameters of Theorems 4 and 10, the rate and bound
(22), :math:`R_{L\text{-linear}}` of Lemmas 14-15, the bounds of Lemma 14, and Lemma 13 (the Gram matrix
at the orthogonal initialisation, made exact, and the singular values of the partial products).

Pure functions of numbers and matrices; no run, no drawing.
"""

from __future__ import annotations

import numpy as np

from .. import theory as _meta
from .._validation import int_scalar, int_sequence, real_scalar
from .model import _check_orthogonal, _data, _layers, _scale, architecture

__all__ = ["lemma13_gram", "gram_at_init", "product_singular_values", "full_product_unit_count",
           "full_product_nested", "data_condition_number", "theorem4_step", "theorem10_parameters",
           "theorem10_rate", "theorem10_bound", "theorem10_printed_width", "theorem10_corrected_width",
           "r_l_linear", "gradient_bound_89", "spread_limit_89", "lemma14_bounds"]


def _times(t):
    """Iterations: an int >= 0 or a sequence of them, as an int array."""
    if np.ndim(t) == 0:
        return np.asarray(int_scalar("t", t, lo=0))
    return np.asarray(int_sequence("t", t, lo=0), dtype=int)


def _singular_range(X, name="X"):
    X = _data(name, X)
    s = np.linalg.svd(X, compute_uv=False)
    if X.shape[1] > X.shape[0] or s[-1] <= 1e-12 * s[0]:
        raise ValueError(f"{name} must have full column rank (assumption (A1): X in R^(d x r), r = rank X); "
                         f"got shape {X.shape} with smallest singular value {s[-1]:.3g}")
    return float(s[0]), float(s[-1])


# ---------------------------------------------------------------- Lemma 13
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
    _check_orthogonal(weights0, 1e-8, "weights0")
    d, d_y, _, depth = architecture(weights0)
    return lemma13_gram(_data("X", X, rows=d), d_y, depth)


def product_singular_values(weights, i, j):
    r"""Singular values of :math:`W^{(j:i)} = W^{(j)}\cdots W^{(i)}` divided by
    :math:`m^{(j-i+1)/2}` (layers numbered from 1, :math:`1\le i\le j\le L`).  At the orthogonal
    initialisation they all equal 1 for :math:`(i,j)\ne(1,L)` (Lemma 13); for the full product only when
    the subspaces of :func:`full_product_nested` are nested (see :func:`full_product_unit_count`).  A network
    of depth 1 has no width m (its single layer maps inputs to outputs): its singular values are returned
    undivided."""
    ws = _layers(weights)
    i = int_scalar("i", i, lo=1)
    j = int_scalar("j", j, lo=i)
    if j > len(ws):
        raise ValueError(f"j must be <= depth L = {len(ws)}, got {j}")
    return np.linalg.svd(_chain(ws[i - 1:j], _scale(ws)), compute_uv=False)


def full_product_unit_count(d, d_y, m):
    r"""How many of the :math:`\min\{d,d_y\}` singular values of :math:`W_0^{(L:1)}/m^{L/2}` equal 1 at the
    random orthogonal initialisation (depth :math:`L\ge2`), with probability one: :math:`\max\{0, d+d_y-m\}`.

    :math:`W_0^{(L:1)} = m^{L/2}RC` with :math:`C = W_0^{(L-1:1)}/m^{(L-1)/2}` (orthonormal columns, range a
    :math:`d`-dimensional subspace of :math:`\mathbb{R}^m`) and :math:`R = W_0^{(L)}/\sqrt m` (orthonormal rows,
    row space :math:`d_y`-dimensional); the singular values of :math:`RC` are the cosines of the principal angles
    between the two subspaces, and as many equal 1 as the dimension of their intersection, which for
    independent uniformly random subspaces is :math:`\max\{0, d+d_y-m\}`.  All of them equal 1 exactly when the
    subspaces are nested, which happens with probability one iff :math:`m=\max\{d,d_y\}` (``m == d`` or
    ``m == d_y``), and with probability zero otherwise."""
    d, d_y, m = int_scalar("d", d, lo=1), int_scalar("d_y", d_y, lo=1), int_scalar("m", m, lo=1)
    if m < max(d, d_y):
        raise ValueError(f"m must be >= max(d, d_y) = {max(d, d_y)} (the orthogonal initialisation), got {m}")
    return max(0, d + d_y - m)


def full_product_nested(weights, *, rtol=1e-9):
    r"""Whether the column space of :math:`W^{(L-1:1)}` and the row space of :math:`W^{(L)}` are nested (one
    contains the other), the exact condition under which every singular value of :math:`W^{(L:1)}` equals
    :math:`m^{L/2}` at an orthogonal initialisation (True for depth 1, a square orthogonal layer).  Meant for
    weights whose partial products have full rank, as at the orthogonal initialisation."""
    ws = _layers(weights)
    rtol = real_scalar("rtol", rtol, lo=0.0)
    if len(ws) == 1:
        return True
    C = np.linalg.qr(_chain(ws[:-1], _scale(ws)))[0]  # an orthonormal basis of the range of W^(L-1:1)
    Rt = np.linalg.qr(ws[-1].T)[0]                    # of the row space of W^(L)
    small, large = (C, Rt) if C.shape[1] <= Rt.shape[1] else (Rt, C)
    return bool(np.linalg.norm(small - large @ (large.T @ small)) <= rtol * np.sqrt(small.shape[1]))


def _chain(ws, c):
    """The product of consecutive layers ``ws`` (first applied first), each divided by ``c``."""
    prod = ws[0] / c
    for w in ws[1:]:
        prod = (w / c) @ prod
    return prod


# ---------------------------------------------------------------- parameters, rates and bounds
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
    return 1.0 - 0.25 / np.sqrt(real_scalar("kappa", kappa, lo=1.0))


def theorem10_bound(kappa, t):
    r"""The factor :math:`(1-\frac{1}{4\sqrt\kappa})^t\, 8\sqrt\kappa` of (22), for each ``t``: the meta
    theorem's :math:`\theta^t\,2C_0` with Corollary 1's :math:`C_0\le4\sqrt\kappa`, the same factor as Theorem 8's
    (20) (:func:`accelbook.theory.theorem8_bound`, which computes it)."""
    kappa = real_scalar("kappa", kappa, lo=1.0)
    return _meta.theorem8_bound(kappa, _times(t))


def _width_factors(X, d_y, w_star_norm, delta, C):
    """kappa^5 * C * (d_y (1 + ||W*||^2) + log(rank X / delta)) and sigma_max(X)."""
    d_y = int_scalar("d_y", d_y, lo=1)
    w_star_norm = real_scalar("w_star_norm", w_star_norm, lo=0.0)
    delta = real_scalar("delta", delta, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    C = real_scalar("C", C, lo=0.0, lo_open=True)
    smax, smin = _singular_range(X)
    kappa = (smax / smin) ** 2
    return C * kappa ** 5 * (d_y * (1.0 + w_star_norm ** 2) + np.log(np.shape(X)[1] / delta)), smax


def theorem10_printed_width(X, d_y, *, w_star_norm, delta, C=1.0):
    r"""The right side of Theorem 10's width condition as the source prints it,
    :math:`C\,\frac{\kappa^5}{\sigma_{\max}^2(X)}\big(d_y(1+\lVert W_*\rVert_2^2)+\log(\bar r/\delta)\big)` with
    :math:`\bar r = \operatorname{rank}X` (X of full column rank).  Not invariant under :math:`X\to cX`: it scales
    like :math:`c^{-2}`."""
    factor, smax = _width_factors(X, d_y, w_star_norm, delta, C)
    return factor / smax ** 2


def theorem10_corrected_width(X, d_y, *, w_star_norm, delta, C=1.0):
    r"""The width condition the proof of Theorem 10 supports (Appendix G.1, step (e), with Lemma 13's
    :math:`B_0`), :math:`C\,\kappa^5\frac{\lVert X\rVert_F^2}{\sigma_{\max}^2(X)}\big(d_y(1+\lVert W_*\rVert_2^2)+
    \log(\bar r/\delta)\big)`: scale-free, the shape of Theorem 4's condition with :math:`\kappa^5` for :math:`\kappa^2`."""
    factor, smax = _width_factors(X, d_y, w_star_norm, delta, C)
    return factor * float(np.sum(np.asarray(X, dtype=np.float64) ** 2)) / smax ** 2


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


def gradient_bound_89(X, d_y, *, spread, residual_norm):
    r"""The bound on each layer's gradient in (89) of Wang et al. (proof of Lemma 15), with Lemma 16's factor
    :math:`s` (the largest of :math:`\lVert W^{(L:l+1)}\rVert_2/m^{(L-l)/2}` and
    :math:`\lVert W^{(l:1)}X\rVert_2/(m^{l/2}\lVert X\rVert_2)` over :math:`1\le l<L`):
    :math:`\lVert\partial\ell/\partial W^{(l)}\rVert_F\le\max\{s,s^2\}\,\lVert X\rVert_2\lVert U-Y\rVert_F/\sqrt{d_y}`
    (:math:`s^2` as in (89) once :math:`s\ge1`; the first and last layers have one identity factor). It holds with
    equality at the orthogonal initialisation (:math:`s=1`) when :math:`n=1`."""
    smax, _ = _singular_range(X)
    d_y = int_scalar("d_y", d_y, lo=1)
    spread = real_scalar("spread", spread, lo=0.0)
    residual_norm = real_scalar("residual_norm", residual_norm, lo=0.0)
    return max(spread, spread ** 2) * smax * residual_norm / np.sqrt(d_y)


def spread_limit_89(*, stacked_factor=np.sqrt(2.0)):
    r"""The largest Lemma 16 factor :math:`s` for which (89) reaches its constant 4: with
    :math:`\lVert U_s-Y\rVert_F = \lVert\xi_s\rVert\le\lVert[\xi_s;\xi_{s-1}]\rVert\le\theta^s\nu C_0\,
    \mathrm{stacked\_factor}\,\lVert U_0-Y\rVert_F`, :func:`gradient_bound_89` is at most
    :math:`4\lVert X\rVert_2\theta^s\nu C_0\lVert U_0-Y\rVert_F/\sqrt{d_y}` iff
    :math:`s^2\,\mathrm{stacked\_factor}\le 4`.  Since :math:`\xi_{-1}=\xi_0`,
    :math:`\lVert[\xi_0;\xi_{-1}]\rVert = \sqrt2\lVert\xi_0\rVert` and the factor is :math:`\sqrt2`
    (:math:`s\le 2^{3/4}`); the source prints :math:`2\sqrt2`, which would need :math:`s\le 2^{1/4}`."""
    f = real_scalar("stacked_factor", stacked_factor, lo=0.0, lo_open=True)
    return float(np.sqrt(4.0 / f))


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
    if z > 1.0:
        raise ValueError(f"eta * lam must be <= 1 (Theorem 10's eta * lam = 1/kappa), got {z:g}")
    theta = 1.0 - 0.25 * np.sqrt(z)
    t = _times(t)
    nu_c0 = real_scalar("nu_c0", nu_c0, lo=0.0)
    xi0 = real_scalar("xi0_norm", xi0_norm, lo=0.0)
    k = 43.0 * np.sqrt(d_y) / (np.sqrt(m) * smax) * nu_c0 ** 2 * (xi0 / (1 - theta)) ** 2
    return {"varphi": k * theta ** (2 * t), "psi": k * theta ** (2 * (t - 1.0)),
            "iota": z / 80.0 * theta ** t * nu_c0 * np.sqrt(2.0) * xi0}
