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
           "method_parameters", "safe_c"]


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
