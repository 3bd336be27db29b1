r"""The constants, parameters, rates and bounds of Theorems 6 and 7 of Liao & Kyrillidis (2024).

Pure functions of numbers: the momentum β of Theorem 7, the proven rates :math:`1 - c/(4\kappa)` (gradient
descent, Theorem 6) and :math:`1 - c/(4\sqrt\kappa)` (Nesterov, Theorem 7), their bounds on
:math:`(f_k - f^\star)/(f_0 - f^\star)`, the step and momentum of each method, and a stable step for the
additive model (:func:`safe_c`).  In both theorems :math:`c` is an *existential* absolute constant: there exists
:math:`c > 0` such that :math:`\eta = c/L_1` works; the functions take it as an argument.
"""

from __future__ import annotations

import numpy as np

from .._validation import choice, instance_of, int_array, real_array, real_scalar
from .defaults import METHODS
from .model import AdditiveModel

__all__ = ["nesterov_beta", "theorem6_rate", "theorem7_rate", "theorem6_bound", "theorem7_bound",
           "method_parameters", "safe_c", "CONDITIONS", "theorem_conditions", "conditions_hold"]


#: The largest ``c`` accepted by β, the methods' parameters and the runners.  The theorems only need *some*
#: small ``c``; ``c > 2`` makes the step exceed 2/L1 (gradient descent then diverges on the x-block of an
#: additive model), which is what the divergence tests use.
C_MAX = 16.0
#: The largest ``c`` of the proven rates: with ``c <= 4`` they lie in [0, 1) for every κ >= 1.
C_MAX_RATE = 4.0


def _c(c, hi=C_MAX):
    return real_scalar("c", c, lo=0.0, hi=hi, lo_open=True)


def _kappa(kappa):
    return real_array("kappa", kappa, lo=1.0, nonempty=True)


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
        The absolute constant of the step :math:`\eta = c/L_1`, ``0 < c <= 16`` (:data:`C_MAX`).

    Returns
    -------
    float or ndarray, in :math:`[3/11, 1)`.
    """
    k, c = _kappa(kappa), _c(c)
    return _out((4 * np.sqrt(k) - np.sqrt(c)) / (4 * np.sqrt(k) + 7 * np.sqrt(c)))


def theorem6_rate(kappa, c=1.0):
    r"""Gradient descent's rate in Theorem 6: :math:`1 - c/(4\kappa)` (per iteration, on :math:`f - f^\star`),
    for ``0 < c <= 4``."""
    k, c = _kappa(kappa), _c(c, C_MAX_RATE)
    return _out(1.0 - c / (4.0 * k))


def theorem7_rate(kappa, c=1.0):
    r"""Nesterov's rate in Theorem 7: :math:`1 - c/(4\sqrt\kappa)` (per iteration, on :math:`f - f^\star`),
    for ``0 < c <= 4``."""
    k, c = _kappa(kappa), _c(c, C_MAX_RATE)
    return _out(1.0 - c / (4.0 * np.sqrt(k)))


def _k(k):
    k = int_array("k", k, lo=0)
    return int(k) if k.ndim == 0 else k


def theorem6_bound(kappa, k, c=1.0):
    r"""Theorem 6: :math:`(f_k - f^\star)/(f_0 - f^\star) \le (1 - c/(4\kappa))^k`. Returns the right side."""
    kappa = real_scalar("kappa", kappa, lo=1.0)
    return theorem6_rate(kappa, c) ** _k(k)


def theorem7_bound(kappa, k, c=1.0):
    r"""Theorem 7: :math:`(f_k - f^\star)/(f_0 - f^\star) \le 2(1 - c/(4\sqrt\kappa))^k`. Returns the right side."""
    kappa = real_scalar("kappa", kappa, lo=1.0)
    return 2.0 * theorem7_rate(kappa, c) ** _k(k)


def method_parameters(method, kappa, L1, c=1.0):
    r"""``(eta, beta)`` for a method on a partition model with x-block constants κ and :math:`L_1`.

    All three take :math:`\eta = c/L_1`.  Gradient descent: β = 0 (Theorem 6); Nesterov:
    :func:`nesterov_beta` (Theorem 7); heavy ball: :math:`\beta = (1 - \tfrac12\sqrt{\eta\mu})^2
    = (1 - \sqrt c/(2\sqrt\kappa))^2`, Corollary 1 of Wang et al. (2021) when c = 1.
    """
    method = choice("method", method, METHODS)
    kappa = real_scalar("kappa", kappa, lo=1.0)
    L1 = real_scalar("L1", L1, lo=0.0, lo_open=True)
    c = _c(c)
    eta = c / L1
    if method == "gd":
        return eta, 0.0
    if method == "nesterov":
        return eta, nesterov_beta(kappa, c)
    if c >= 4 * kappa:
        raise ValueError(f"c must be < 4 kappa = {4 * kappa:g} for heavy ball's beta < 1, got {c:g}")
    return eta, (1.0 - 0.5 * np.sqrt(c / kappa)) ** 2


def safe_c(model):
    r"""The largest :math:`c \le 1` with :math:`\eta = c/L_1 \le 1/(L_1 + G_1^2L_2)` in every trial.

    On each linear piece of the ReLU the Hessian of the additive model is :math:`J^\top J` with
    :math:`J = [A_1,\ DA_2]`, :math:`D` diagonal with entries in [0, B], so its norm is at most
    :math:`\|A_1\|^2 + \|DA_2\|^2 \le L_1 + G_1^2` (and :math:`L_2 = 1`).  In the theorem's regime
    (:math:`G_1` small) this is :math:`c \approx 1`; for large :math:`\sigma_{\max}(A_2)` it shrinks the step.
    """
    model = instance_of("model", model, AdditiveModel)
    return float(min(1.0, np.min(model.L1 / (model.L1 + model.G1 ** 2 * model.L2))))


# ---------------------------------------------------------------- the theorems' conditions, quantified
#: The conditions whose left and right sides :func:`theorem_conditions` compares, with the source of each.
CONDITIONS = {
    "thm6_G1": "Theorem 6: G1^4 <~ mu^2 / L2^2",
    "thm6_Rx": "Theorem 6: R_x >~ eta kappa sqrt(L1 (f0 - f*))",
    "thm6_Ru": "Theorem 6: R_u >~ eta kappa G1 sqrt(L2 (f0 - f*))",
    "thm7_G1": "Theorem 7 (poster form): G1^4 <~ mu^(7/2) / (L1^(3/2) L2^3)",
    "thm7_G1G2": "Theorem 7 (poster form): G1^2 G2^2 <~ mu^(9/2) / (L1^(3/2) L2^2)",
    "thm7_Rx": "Theorem 7: R_x >~ L1^(1/4) L2^(1/2) mu^(-3/4) (f0 - f*)^(1/2)",
    "thm7_Ru": "Theorem 7: R_u >~ G1 L1^(3/4) L2 mu^(-7/4) (f0 - f*)^(1/2)",
    "thm7_G1_explainer": "Theorem 7 (explainer form): G1^4 <~ mu^2 / (L2 (L2+1)^2) ((1-beta)/(1+beta))^3",
    "thm7_G1G2_explainer": "Theorem 7 (explainer form): G1^2 G2^2 <~ mu^3 / (L2 (L2+1) sqrt(kappa)) ((1-beta)/(1+beta))^2",
}


def _positive(name, value):
    return real_array(name, value, lo=0.0, lo_open=True)


def theorem_conditions(mu, L1, L2, G1, G2, gap, *, c=1.0, R_x=np.inf, R_u=np.inf, constant=1.0):
    r"""How far an instance is from the conditions of Theorems 6 and 7 of Liao & Kyrillidis: for each condition
    of :data:`CONDITIONS`, the ratio of its left side to its right side (``<= 1``: the condition holds).

    The documents state the conditions up to absolute constants (":math:`\lesssim`", ":math:`\Omega`"), which
    they do not give.  **Assumption:** every hidden constant equals ``constant`` (default 1); a ratio then scales
    like ``1/constant`` (smallness) or ``constant`` (radius).  Theorem 6's conditions are those of the authors'
    poster (its Theorem 2); Theorem 7's in two forms, the poster's (its Theorem 3) and the explainer's (with
    :math:`\beta` of Theorem 7 at the given ``c``).

    Parameters
    ----------
    mu, L1, L2 : float or array
        A1 (strong convexity in x), A2 (smoothness in x), A3 (smoothness of g); :math:`0 < \mu \le L_1`.
    G1, G2 : float or array
        A4, A5 (Lipschitz constants in u), ``>= 0``.
    gap : float or array
        :math:`f(x_0, u_0) - f^\star > 0`.
    c : float
        The step constant, :math:`\eta = c/L_1` (the radius conditions of Theorem 6 and β depend on it).
    R_x, R_u : float or array
        Radii of the balls around the start on which the assumptions hold (``inf``: everywhere, as for the
        additive model; the radius ratios are then 0).
    constant : float
        The assumed value of every hidden absolute constant, ``> 0``.

    Returns
    -------
    dict
        ``ratios``: key of :data:`CONDITIONS` -> ratio (array broadcast over the inputs); ``required``: the
        radii each theorem asks for (``"R_x_thm6"``, ``"R_u_thm6"``, ``"R_x_thm7"``, ``"R_u_thm7"``).
    """
    mu, L1, L2, gap = (_positive(n, v) for n, v in (("mu", mu), ("L1", L1), ("L2", L2), ("gap", gap)))
    G1, G2 = real_array("G1", G1, lo=0.0), real_array("G2", G2, lo=0.0)
    if np.any(mu > L1 * (1 + 1e-12)):
        raise ValueError("mu must be <= L1 (strong convexity cannot exceed smoothness)")
    c = _c(c, C_MAX_RATE)
    R_x, R_u = _radius("R_x", R_x), _radius("R_u", R_u)
    C = real_scalar("constant", constant, lo=0.0, lo_open=True)
    kappa = np.maximum(L1 / mu, 1.0)
    eta = c / L1
    beta = np.asarray(nesterov_beta(kappa, c))
    q = (1.0 - beta) / (1.0 + beta)
    required = {"R_x_thm6": C * eta * kappa * np.sqrt(L1 * gap), "R_u_thm6": C * eta * kappa * G1 * np.sqrt(L2 * gap),
                "R_x_thm7": C * L1 ** 0.25 * L2 ** 0.5 * mu ** -0.75 * np.sqrt(gap),
                "R_u_thm7": C * G1 * L1 ** 0.75 * L2 * mu ** -1.75 * np.sqrt(gap)}
    ratios = {"thm6_G1": G1 ** 4 / (C * mu ** 2 / L2 ** 2),
              "thm6_Rx": required["R_x_thm6"] / R_x, "thm6_Ru": required["R_u_thm6"] / R_u,
              "thm7_G1": G1 ** 4 / (C * mu ** 3.5 / (L1 ** 1.5 * L2 ** 3)),
              "thm7_G1G2": G1 ** 2 * G2 ** 2 / (C * mu ** 4.5 / (L1 ** 1.5 * L2 ** 2)),
              "thm7_Rx": required["R_x_thm7"] / R_x, "thm7_Ru": required["R_u_thm7"] / R_u,
              "thm7_G1_explainer": G1 ** 4 / (C * mu ** 2 / (L2 * (L2 + 1) ** 2) * q ** 3),
              "thm7_G1G2_explainer": G1 ** 2 * G2 ** 2 / (C * mu ** 3 / (L2 * (L2 + 1) * np.sqrt(kappa)) * q ** 2)}
    return {"ratios": {k: _out(v) for k, v in ratios.items()}, "required": {k: _out(v) for k, v in required.items()}}


def _radius(name, value):
    """A radius: positive reals or ``inf`` (the assumptions hold everywhere)."""
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        raise TypeError(f"{name} must be a positive real number or inf, got {type(value).__name__} {value!r}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a positive real number or inf, got {value!r}") from None
    if arr.size == 0 or np.any(np.isnan(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0 (inf: the assumptions hold everywhere), got {value!r}")
    return arr


def conditions_hold(ratios, keys):
    """True where every listed condition's ratio is ``<= 1`` (``ratios`` from :func:`theorem_conditions`)."""
    if isinstance(keys, str) or not isinstance(keys, (list, tuple)) or not keys:
        raise TypeError(f"keys must be a non-empty list of condition names (keys of CONDITIONS), got {keys!r}")
    if not isinstance(ratios, dict) or not all(k in ratios for k in keys):
        raise TypeError(f"ratios must be the 'ratios' dict of theorem_conditions with the keys {list(keys)}")
    return np.all([np.asarray(ratios[k]) <= 1.0 for k in keys], axis=0)
