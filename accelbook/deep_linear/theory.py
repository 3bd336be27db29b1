r"""The paper's quantities for deep linear networks (Wang, Lin & Abernethy 2021, Sections 2.3 and 4.4,
Appendix G): the condition number of the data, the parameters of Theorems 4 and 10, the rate and bound
(22), :math:`R_{L\text{-linear}}` of Lemmas 14-15, the bounds of Lemma 14, and Lemma 13 (the Gram matrix
at the orthogonal initialisation, made exact, and the singular values of the partial products).

Pure functions of numbers and matrices; no run, no drawing.
"""

from __future__ import annotations

import numpy as np

from .._validation import int_scalar, int_sequence, real_scalar
from .model import _check_orthogonal, _data, _layers, _scale, architecture

__all__ = ["lemma13_gram", "gram_at_init", "product_singular_values", "data_condition_number", "theorem4_step",
           "theorem10_parameters", "theorem10_rate", "theorem10_bound", "r_l_linear", "lemma14_bounds"]


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
    r"""The factor :math:`(1-\frac{1}{4\sqrt\kappa})^t\, 8\sqrt\kappa` of (22), for each ``t``."""
    kappa = real_scalar("kappa", kappa, lo=1.0)
    return theorem10_rate(kappa) ** _times(t) * 8.0 * np.sqrt(kappa)


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
    if z > 1.0:
        raise ValueError(f"eta * lam must be <= 1 (Theorem 10's eta * lam = 1/kappa), got {z:g}")
    theta = 1.0 - 0.25 * np.sqrt(z)
    t = _times(t)
    nu_c0 = real_scalar("nu_c0", nu_c0, lo=0.0)
    xi0 = real_scalar("xi0_norm", xi0_norm, lo=0.0)
    k = 43.0 * np.sqrt(d_y) / (np.sqrt(m) * smax) * nu_c0 ** 2 * (xi0 / (1 - theta)) ** 2
    return {"varphi": k * theta ** (2 * t), "psi": k * theta ** (2 * (t - 1.0)),
            "iota": z / 80.0 * theta ** t * nu_c0 * np.sqrt(2.0) * xi0}
