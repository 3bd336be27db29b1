r"""Theory of heavy ball on quadratics: the momentum matrix, Theorem 5's constant, parameter choices
and rate bounds (Wang, Lin & Abernethy 2021, Sections 2.1, 3.5 and 4.1, Appendix C).

Notation: ``H`` is the PSD matrix of the residual dynamics, ``eta`` the step size, ``beta`` the
momentum parameter, ``z = eta * lambda`` a scaled eigenvalue.

Erratum (see Chapter 1).  Theorem 5 of the source states the bound
:math:`\|A^k v\| \le \sqrt{\beta}^k C_0 \|v\|` with :math:`C_0 = \sqrt{2(\beta+1)}/\sqrt{h_{\min}}`.
That constant is too small (by a factor up to 2): the last step of the proof of Lemma 7 divides by
the *lower* bound ``beta + 1`` of the larger eigenvalue of :math:`Q_iQ_i^*` where it needs the upper
bound ``2(beta + 1)``.  :func:`theorem5_constant` returns by default the exact worst case
:math:`\max_i \kappa(Q_i)`, and can return the repaired constant of the source's argument or the
stated one for comparison.
"""

from __future__ import annotations

import numpy as np

from ._validation import choice, count_array, flag, int_scalar, real_array, real_scalar, square_matrix, symmetric_psd

__all__ = [
    "momentum_matrix", "h", "admissible_beta_bounds", "check_theorem5_condition", "theorem5_constant",
    "polyak_parameters", "corollary1_parameters", "spectral_radius", "block_spectral_radius",
    "theorem2_rate", "gd_rate", "heavy_ball_rate", "theorem7_bound", "corollary1_bound",
    "matrix_power_norms", "gelfand_sequence", "critical_damping_beta", "corollary1_crossover_kappa",
    "theorem8_radius", "theorem8_bound",
]


# ---------------------------------------------------------------- the momentum matrix
def _eta(eta):
    return real_scalar("eta", eta, lo=0.0, lo_open=True)


def momentum_matrix(H, eta, beta):
    r"""The :math:`2n\times 2n` matrix of the residual dynamics, (6)/(8) in Wang et al.:

    .. math:: A = \begin{bmatrix} (1+\beta) I_n - \eta H & -\beta I_n \\ I_n & 0 \end{bmatrix}.
    """
    H, _ = symmetric_psd("H", H)
    eta = _eta(eta)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0)
    n = H.shape[0]
    A = np.zeros((2 * n, 2 * n))
    A[:n, :n] = (1.0 + beta) * np.eye(n) - eta * H
    A[:n, n:] = -beta * np.eye(n)
    A[n:, :n] = np.eye(n)
    return A


def _pair(name_a, a, name_b, b):
    """Broadcast two validated arrays, naming both when their shapes do not match."""
    try:
        return np.broadcast_arrays(a, b)
    except ValueError:
        raise ValueError(f"{name_a} and {name_b} must broadcast against each other, got shapes "
                         f"{np.shape(a)} and {np.shape(b)}") from None


# ---------------------------------------------------------------- h without cancellation
# Near the boundary beta = (1 -+ sqrt z)^2 the factors of h are differences of nearly equal numbers; with the
# textbook formula h(beta, z) was 12 % off at a relative gap of 1e-15.  The factors are evaluated here as
# compensated sums of exact terms (error-free transformations of Dekker and Knuth), with sqrt(z) carried to
# twice the working precision, so each factor has a relative error of at most a few eps plus about
# 1e-31 (1 + z + |beta|) / |factor|: full accuracy until the factor itself drops to ~1e-17 (1 + z + |beta|)
# (e.g. beta = 1e-6 within a relative gap 1e-13 of (1 - sqrt z)^2 still gives 1e-13), where both textbook forms
# have long lost every digit.
def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a):
    c = 134217729.0 * a  # 2**27 + 1
    hi = c - (c - a)
    return hi, a - hi


def _sqrt_double(z):
    """sqrt(z) as r + e with |r + e - sqrt(z)| of order eps^2 sqrt(z)."""
    r = np.sqrt(z)
    p = r * r
    rh, rl = _split(r)
    q = ((rh * rh - p) + 2 * rh * rl) + rl * rl  # r*r = p + q exactly
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where(r > 0, ((z - p) - q) / (2 * r), 0.0)
    return r, e


def _compensated_sum(*terms):
    total, carry = np.zeros(np.broadcast(*terms).shape), 0.0
    for x in terms:
        total, err = _two_sum(total, x)
        carry = carry + err
    return total + carry


def _boundary_gaps(beta, z):
    r"""``(beta - (1 - sqrt z)^2, (1 + sqrt z)^2 - beta)``, both accurate to a few eps (see above)."""
    r, e = _sqrt_double(z)
    lower = _compensated_sum(beta, -1.0, -z, 2 * r, 2 * e)
    upper = _compensated_sum(1.0, z, -beta, 2 * r, 2 * e)
    return lower, upper


def h(beta, z):
    r"""The helper :math:`h(\beta, z) = -(\beta - (1-\sqrt z)^2)(\beta - (1+\sqrt z)^2)` of Theorem 5.

    Equivalently :math:`4\beta - (1 + \beta - z)^2`: four times the squared imaginary part of the
    roots of :math:`x^2 - (1+\beta-z)x + \beta`.  Vectorised over ``beta`` (finite) and ``z >= 0``
    (finite), which broadcast against each other.

    Evaluated without cancellation: each factor is a compensated sum, so the relative error is a few eps
    plus about :math:`10^{-31}(1 + z + |\beta|)/|\text{factor}|` -- full accuracy even at the boundary of
    Theorem 5's condition, where both textbook forms lose every digit (12 % off at a relative gap 1e-15).
    """
    beta = real_array("beta", beta)
    z = real_array("z", z, lo=0.0)
    beta, z = _pair("beta", beta, "z", z)
    lower, upper = _boundary_gaps(beta, z)
    return lower * upper


def critical_damping_beta(z):
    r"""The boundary :math:`\beta = (1-\sqrt{z})^2 = \big((1-z)/(1+\sqrt z)\big)^2` between real (overdamped)
    and complex roots (``z >= 0``), in the second form: no cancellation near z = 1."""
    z = real_array("z", z, lo=0.0)
    return ((1.0 - z) / (1.0 + np.sqrt(z))) ** 2


def admissible_beta_bounds(H, eta):
    r"""The open lower bound of Theorem 5's condition
    :math:`1 \ge \beta > \max\{(1-\sqrt{\eta\lambda_{\min}})^2, (1-\sqrt{\eta\lambda_{\max}})^2\}`.

    Returns ``(lower, 1.0)``; the range is empty when ``lower >= 1`` (e.g. ``H`` singular or
    ``eta * lambda_max >= 4``).
    """
    _, eig = symmetric_psd("H", H)
    eta = _eta(eta)
    lower = float(np.max(critical_damping_beta(eta * eig[[0, -1]])))
    return lower, 1.0


def check_theorem5_condition(H, eta, beta):
    """Raise ``ValueError`` (naming the admissible range) unless (eta, beta) satisfy Theorem 5's condition.

    Returns the eigenvalues of ``H`` (ascending) on success.
    """
    _, eig = symmetric_psd("H", H)
    eta = _eta(eta)
    beta = real_scalar("beta", beta)
    lower = float(np.max(critical_damping_beta(eta * eig[[0, -1]])))
    if lower >= 1.0:
        why = "H is singular" if eig[0] == 0 else "eta * lambda_max(H) >= 4"
        raise ValueError(f"beta: no beta satisfies Theorem 5's condition for this H and eta ({why})")
    if not (lower < beta <= 1.0):
        raise ValueError(f"beta must satisfy Theorem 5's condition {lower:.6g} < beta <= 1 "
                         f"(max{{(1-sqrt(eta*lam_min))^2, (1-sqrt(eta*lam_max))^2}} < beta <= 1), got {beta:g}")
    return eig


def theorem5_constant(H, eta, beta, *, form="sharp"):
    r"""A constant :math:`C_0` with :math:`\|A^k v\| \le \sqrt{\beta}^{\,k} C_0 \|v\|` for all k and v.

    Theorem 5 of Wang et al. (2021), under its condition on β (checked; ``ValueError`` outside it).
    With :math:`h_{\min} = \min\{h(\beta,\eta\lambda_{\min}), h(\beta,\eta\lambda_{\max})\}`:

    ``form="sharp"`` (default)
        :math:`\max_i \kappa(Q_i) = \big((1+\beta) + \sqrt{(1+\beta)^2 - h_{\min}}\big)/\sqrt{h_{\min}}`,
        the condition number of the eigenvector matrix of the worst 2×2 block; it equals
        :math:`\sup_k \|A^k\|_2/\sqrt\beta^{\,k}` whenever that block's rotation angle is an
        irrational multiple of π, so no smaller constant works in general.
    ``form="corrected"``
        :math:`2(1+\beta)/\sqrt{h_{\min}}`, what the source's proof gives once Lemma 7 is repaired
        (:math:`\lambda_{\min}(PP^*) \ge h_{\min}/(2(1+\beta))`).
    ``form="stated"``
        :math:`\sqrt{2(1+\beta)}/\sqrt{h_{\min}}` as printed in (10). **Not a valid bound** (erratum);
        provided to exhibit the failure.
    """
    choice("form", form, ("sharp", "corrected", "stated"))
    eig = check_theorem5_condition(H, eta, beta)
    eta, beta = float(eta), float(beta)
    z = eta * eig[[0, -1]]
    hs = h(beta, z)
    worst = int(np.argmin(hs))
    hmin = float(hs[worst])
    if form == "sharp":  # (1+beta)^2 - h = (1-beta)^2 + (1+beta-z)^2: a sum of squares, no cancellation
        return float(((1 + beta) + np.hypot(1 - beta, 1 + beta - z[worst])) / np.sqrt(hmin))
    if form == "corrected":
        return float(2 * (1 + beta) / np.sqrt(hmin))
    return float(np.sqrt(2 * (1 + beta)) / np.sqrt(hmin))


# ---------------------------------------------------------------- parameter choices
def _mu_L(mu, L):
    mu = real_scalar("mu", mu, lo=0.0, lo_open=True)
    L = real_scalar("L", L, lo=0.0, lo_open=True)
    if L < mu:
        raise ValueError(f"L must be >= mu (condition number kappa = L/mu >= 1), got mu={mu:g}, L={L:g}")
    return mu, L


def polyak_parameters(mu, L):
    r"""Polyak's tuning (Theorem 2): :math:`\eta = 4/(\sqrt\mu+\sqrt L)^2`,
    :math:`\beta = (1 - 2/(\sqrt\kappa+1))^2`. Returns ``(eta, beta)``."""
    mu, L = _mu_L(mu, L)
    kappa = L / mu
    return 4.0 / (np.sqrt(mu) + np.sqrt(L)) ** 2, (1.0 - 2.0 / (np.sqrt(kappa) + 1.0)) ** 2


def corollary1_parameters(mu, L):
    r"""Corollary 1: :math:`\eta = 1/L`, :math:`\beta = (1 - \tfrac{1}{2\sqrt\kappa})^2`. Returns ``(eta, beta)``."""
    mu, L = _mu_L(mu, L)
    return 1.0 / L, (1.0 - 0.5 / np.sqrt(L / mu)) ** 2


# ---------------------------------------------------------------- rates
def _kappa(kappa):
    """A condition number (or an array of them), each finite and >= 1."""
    return real_array("kappa", kappa, lo=1.0)


def block_spectral_radius(z, beta):
    r"""Spectral radius of the 2×2 block :math:`\begin{bmatrix}1+\beta-z & -\beta\\ 1 & 0\end{bmatrix}`,
    i.e. the largest modulus of the roots of :math:`x^2-(1+\beta-z)x+\beta`. Vectorised (broadcasts)."""
    z = real_array("z", z, lo=0.0)
    beta = real_array("beta", beta, lo=0.0)
    z, beta = _pair("z", z, "beta", beta)
    b = 1 + beta - z
    disc = -h(beta, z)  # b^2 - 4 beta, without cancellation at the double root
    real_roots = np.maximum(np.abs(b + np.sqrt(np.abs(disc))), np.abs(b - np.sqrt(np.abs(disc)))) / 2
    return np.where(disc >= 0, real_roots, np.sqrt(beta))


def spectral_radius(H, eta, beta):
    r""":math:`\rho(A)` for the momentum matrix of ``H`` (computed block by block, no 2n×2n eigensolve)."""
    _, eig = symmetric_psd("H", H)
    eta = _eta(eta)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0)
    return float(np.max(block_spectral_radius(eta * eig, beta)))


def theorem2_rate(kappa):
    r"""Polyak's asymptotic rate (Theorem 2): :math:`1 - 2/(\sqrt\kappa + 1)`."""
    return 1.0 - 2.0 / (np.sqrt(_kappa(kappa)) + 1.0)


def gd_rate(kappa, *, step="1/L"):
    r"""Contraction factor of gradient descent on a quadratic with condition number κ:
    :math:`1 - 1/\kappa` for ``step="1/L"``, :math:`(\kappa-1)/(\kappa+1)` for ``step="optimal"`` (η = 2/(μ+L))."""
    kappa = _kappa(kappa)
    if choice("step", step, ("1/L", "optimal")) == "1/L":
        return 1.0 - 1.0 / kappa
    return (kappa - 1.0) / (kappa + 1.0)


def heavy_ball_rate(kappa):
    r"""Rate of heavy ball with Corollary 1's parameters: :math:`\sqrt\beta = 1 - 1/(2\sqrt\kappa)`."""
    return 1.0 - 0.5 / np.sqrt(_kappa(kappa))


def theorem7_bound(H, eta, beta, t, *, form="sharp"):
    r"""Theorem 7: :math:`\|[w_t-w_*; w_{t-1}-w_*]\| \le \sqrt\beta^{\,t} C_0 \|[w_0-w_*; w_{-1}-w_*]\|`.

    Returns the factor :math:`\sqrt\beta^{\,t} C_0` for each ``t`` (array), with ``C_0`` from
    :func:`theorem5_constant` (``form`` as there)."""
    c0 = theorem5_constant(H, eta, beta, form=form)
    t = _times(t)
    return np.sqrt(float(beta)) ** t * c0


def corollary1_bound(kappa, t):
    r"""The explicit bound (68) of Theorem 7 with Corollary 1's parameters:
    :math:`(1 - \tfrac{1}{2\sqrt\kappa})^t \, 4\sqrt\kappa`."""
    kappa = real_scalar("kappa", kappa, lo=1.0)
    return (1.0 - 0.5 / np.sqrt(kappa)) ** _times(t) * 4.0 * np.sqrt(kappa)


def _times(t):
    """Iteration counts: whole numbers >= 0 (a scalar or an array)."""
    return count_array("t", t, lo=0)


def corollary1_crossover_kappa():
    r"""The κ at which heavy ball with Corollary 1's parameters and gradient descent with η = 1/L
    have the same rate: the root of :math:`1 - 1/(2\sqrt\kappa) = 1 - 1/\kappa`, found numerically."""
    from scipy.optimize import brentq
    return float(brentq(lambda k: heavy_ball_rate(k) - gd_rate(k), 1.0 + 1e-12, 1e6, xtol=1e-14))


# ---------------------------------------------------------------- matrix powers
def matrix_power_norms(A, t_max, v=None, *, log=False):
    r"""``[||A^t||_2 for t = 0..t_max]`` (or ``||A^t v||`` when ``v`` is given), by repeated products.

    The running product is renormalised to norm 1 at every step and its scale kept as a logarithm, so
    nothing underflows or overflows on the way: with ``log=True`` the result is :math:`\log\|A^t\|`
    accurately for any t (``-inf`` where :math:`A^t` or :math:`A^t v` is exactly zero); with
    ``log=False`` (default) it is that logarithm's exponential, which is 0 (or inf) only where the true
    value is below (above) the float64 range, e.g. :math:`0.54^{1200}`.
    """
    A = square_matrix("A", A)
    t_max = int_scalar("t_max", t_max, lo=0)
    if v is not None:
        v = real_array("v", v, ndim=1)
        if v.shape != (A.shape[0],):
            raise ValueError(f"v must have shape ({A.shape[0]},) to match A, got {v.shape}")
    log = flag("log", log)
    out = np.full(t_max + 1, -np.inf)
    P = np.eye(A.shape[0]) if v is None else v
    norm = (lambda M: np.linalg.norm(M, 2)) if v is None else np.linalg.norm
    scale = norm(P)
    if scale > 0:
        P, out[0] = P / scale, np.log(scale)
        for t in range(1, t_max + 1):
            P = A @ P
            scale = norm(P)
            if scale == 0:  # nilpotent direction: every later power vanishes too
                break
            P /= scale
            out[t] = out[t - 1] + np.log(scale)
    if log:
        return out
    with np.errstate(over="ignore", under="ignore"):
        return np.exp(out)


def gelfand_sequence(A, t_max):
    r"""Gelfand's formula made visible (Theorem 1): :math:`\|A^t\|_2^{1/t}` for t = 1..t_max
    and :math:`\varepsilon_t = \|A^t\|_2^{1/t} - \rho(A)`. Returns ``(t, norms_root, eps)``.

    The roots come from :math:`\exp(\log\|A^t\|/t)` (see :func:`matrix_power_norms` with ``log=True``),
    so they stay accurate when :math:`\|A^t\|` itself is below the float64 range."""
    t_max = int_scalar("t_max", t_max, lo=1)
    logs = matrix_power_norms(A, t_max, log=True)
    t = np.arange(1, t_max + 1)
    root = np.exp(logs[1:] / t)
    rho = float(np.max(np.abs(np.linalg.eigvals(square_matrix("A", A)))))
    return t, root, root - rho


# ---------------------------------------------------------------- Theorem 8 (local acceleration)
def theorem8_radius(kappa):
    r"""Theorem 8's neighbourhood: :math:`\|[w_0-w_*; w_{-1}-w_*]\| \le 1/(683\,\kappa^{3/2})`."""
    return 1.0 / (683.0 * _kappa(kappa) ** 1.5)


def theorem8_bound(kappa, t):
    r"""Theorem 8, (20): :math:`\|[w_t-w_*; w_{t-1}-w_*]\| \le (1-\tfrac{1}{4\sqrt\kappa})^{t}\, 8\sqrt\kappa
    \,\|[w_0-w_*; w_{-1}-w_*]\|` (η = 1/α, β = (1 − 1/(2√κ))²). Returns the factor for each t."""
    kappa = real_scalar("kappa", kappa, lo=1.0)
    return (1.0 - 0.25 / np.sqrt(kappa)) ** _times(t) * 8.0 * np.sqrt(kappa)


# ---------------------------------------------------------------- checks behind the chapters' claims (issue 14)
def corollary1_constant(kappa, *, form="sharp"):
    r"""Theorem 5's :math:`C_0` at Corollary 1's parameters, as a function of κ alone.

    With :math:`\eta = 1/\lambda_{\max}(H)` and :math:`\beta = (1-\tfrac{1}{2\sqrt\kappa})^2` (Corollary 1 of
    Wang et al. 2021), the scaled extreme eigenvalues are :math:`z = 1/\kappa` and :math:`z = 1` whatever ``H``
    is, and :math:`C_0` depends on ``H`` only through :math:`h(\beta, \cdot)` there, so it is the constant of
    ``diag(1/kappa, 1)``. ``form`` as in :func:`theorem5_constant`. The same number bounds :math:`C_0` for every
    ``H`` whose scaled spectrum lies in :math:`[1/\kappa, 1]` (concavity of :math:`h(\beta,\cdot)`): this is how
    Theorem 8's proof may use Corollary 1 for the averaged Hessian of Lemma 2.
    """
    kappa = real_scalar("kappa", kappa, lo=1.0)
    if form not in ("sharp", "corrected", "stated"):
        raise ValueError(f"form must be 'sharp', 'corrected' or 'stated', got {form!r}")
    eta, beta = corollary1_parameters(1.0 / kappa, 1.0)
    return theorem5_constant(np.diag([1.0 / kappa, 1.0]), eta, beta, form=form)


def lemma6_eigenvectors(H, eta, beta):
    r"""The eigendecomposition :math:`A = P\,\mathrm{diag}(D)\,P^{-1}` of Lemma 6 of Wang et al. (2021).

    :math:`P = \tilde U\tilde P Q` with :math:`\tilde U = \mathrm{diag}(U, U)` (``U`` the eigenvectors of ``H``),
    :math:`\tilde P` the permutation that groups the coordinates ``(i, n + i)``, and
    :math:`Q = \mathrm{diag}(Q_1,\dots,Q_n)`, :math:`Q_i = [q_i, \bar q_i]` with the normalisation
    :math:`q_i = [z_i, 1]^\top`, :math:`z_i` the root of :math:`x^2-(1+\beta-\eta\lambda_i)x+\beta` with positive
    imaginary part. Requires Theorem 5's condition (checked).

    Returns a dict: ``P`` (complex, 2n × 2n; columns ``2i, 2i+1`` belong to block i), ``D`` (the eigenvalues,
    shape (2n,), all of modulus √β), ``Q`` (the blocks, shape (n, 2, 2)), ``U`` (eigenvectors of ``H``).
    """
    H, _ = symmetric_psd("H", H)
    check_theorem5_condition(H, eta, beta)
    eta, beta = float(eta), float(beta)
    lam, U = np.linalg.eigh(H)
    lam = np.clip(lam, 0.0, None)
    n = H.shape[0]
    b = 1.0 + beta - eta * lam
    z = 0.5 * (b + 1j * np.sqrt(np.maximum(h(beta, eta * lam), 0.0)))
    Q = np.empty((n, 2, 2), dtype=complex)
    Q[:, 0, 0], Q[:, 0, 1], Q[:, 1, 0], Q[:, 1, 1] = z, np.conj(z), 1.0, 1.0
    P = np.zeros((2 * n, 2 * n), dtype=complex)
    P[:n, 0::2], P[:n, 1::2] = U * z, U * np.conj(z)
    P[n:, 0::2], P[n:, 1::2] = U, U
    D = np.empty(2 * n, dtype=complex)
    D[0::2], D[1::2] = z, np.conj(z)
    return {"P": P, "D": D, "Q": Q, "U": U}


__all__ += ["corollary1_constant", "lemma6_eigenvectors"]
