r"""The lemma quantities, parameters and bounds of Wang, Lin & Abernethy (2021) for the ReLU network (Chapter 3).

Section 3.3 (the sets :math:`S_i^\perp`, Lemma 3), Section 4.3 (Theorem 9 and its parameters), Appendix B
(the proof of Lemma 3), Appendix F (Lemmas 8-10, the width of Theorem 9), and Theorem 3 (Du et al. 2019).
Pure functions of numbers, matrices and recorded runs; nothing here trains or draws.
"""

from __future__ import annotations

import numpy as np

from .. import residual, theory
from .._validation import finite_array, instance_of, int_scalar, real_scalar, symmetric_psd
from .data import _inputs, _weights
from .model import ReluProblem, _gram_from_patterns, _outputs_from_pre, _pre

__all__ = ["s_perp", "gram_change_bound", "lemma3_decomposition", "lemma10_distance_bound", "r_relu",
           "theorem9_parameters", "theorem9_bound", "theorem3_rate", "required_width", "lemma10_width",
           "lemma5_holds"]


# ---------------------------------------------------------------- the sets S_i^perp and Lemma 8
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


# ---------------------------------------------------------------- Lemma 3 measured, Lemma 10's path bound
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
    instance_of("problem", problem, ReluProblem)
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
    H = _gram_from_patterns(Z >= 0, X)                        # H_t, (T+1, n, n)
    S = (Z >= 0).astype(np.float64)
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


# ---------------------------------------------------------------- Theorems 3 and 9, Lemmas 5 and 10
def r_relu(lam, n, c0):
    r""":math:`R_{\mathrm{ReLU}} = \lambda/(1024\,n\,C_0)` of Lemmas 8-10: the radius within which the
    proof of Theorem 9 keeps every neuron."""
    lam = real_scalar("lam", lam, lo=0.0, lo_open=True)
    n = int_scalar("n", n, lo=1)
    c0 = real_scalar("c0", c0, lo=1.0)
    return lam / (1024.0 * n * c0)


def theorem9_parameters(H_bar, *, form="table1"):
    r"""The parameters of Theorem 9 from the infinite-width Gram matrix :math:`\bar H`.

    :math:`\lambda = \tfrac34\lambda_{\min}(\bar H)` (not the :math:`\lambda = \lambda_{\min}(\bar H)/2` of
    Theorem 3: the source uses one letter for both), :math:`\lambda_{\max} = \lambda_{\max}(\bar H) +
    \tfrac14\lambda_{\min}(\bar H)`, :math:`\bar\kappa = \lambda_{\max}/\lambda = (4\kappa+1)/3`,
    :math:`\eta = 1/\lambda_{\max}` and

    ``form="table1"`` (default)
        :math:`\beta = (1 - \tfrac12\sqrt{\eta\lambda})^2 = (1-\tfrac{1}{2\sqrt{\bar\kappa}})^2`, as in
        Table 1, Corollary 1 and the proof (Appendix F).
    ``form="stated"``
        :math:`\beta = (1 - \tfrac{1}{2\bar\kappa})^2` as printed in Theorem 9. **Erratum**: with it the
        rate of (21) fails once :math:`\bar\kappa > 4` (Chapter 3).

    The source calls :math:`\bar\kappa` "\ :math:`\hat\kappa`", the name it also gives the condition number of
    :math:`H_0`; :math:`\bar\kappa` is computed from :math:`\bar H` alone and bounds :math:`\hat\kappa(H_0)` on
    the event of Lemma 5.

    Returns a dict with ``eta, beta, lam, lam_max, kappa, kappa_bar, rate`` (the rate
    :math:`1 - 1/(4\sqrt{\bar\kappa})` of (21)); ``kappa_hat`` is ``kappa_bar`` under the source's name.
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
            "kappa": float(eig[-1] / eig[0]), "kappa_bar": float(kappa_hat), "kappa_hat": float(kappa_hat),
            "rate": float(1 - 0.25 / np.sqrt(kappa_hat))}


def _times(t):
    """Iteration counts: an int or an array of ints, all >= 0 (floats with integer values are accepted)."""
    if isinstance(t, (bool, np.bool_, str)):
        raise TypeError(f"t must be an integer or an array of integers, got {type(t).__name__} {t!r}")
    try:
        arr = np.asarray(t, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"t must be an integer or an array of integers, got {type(t).__name__}") from None
    if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr != np.round(arr)):
        raise ValueError(f"t must be non-empty, finite, integer and >= 0, got {t!r}")
    return arr.astype(int)


def _spd(name, H):
    H, eig = symmetric_psd(name, H)
    if eig[0] <= 0:
        raise ValueError(f"{name} must be positive definite (lambda_min > 0), the assumption of Theorem 9")
    return H, eig


def theorem9_bound(kappa_hat, t):
    r"""The right side of (21) relative to :math:`\|[\xi_0;\xi_{-1}]\|`:
    :math:`(1 - \tfrac{1}{4\sqrt{\bar\kappa}})^t\, 8\sqrt{\bar\kappa}`, with ``kappa_hat`` the theorem's
    :math:`\bar\kappa = (4\kappa+1)/3` (the source's :math:`\hat\kappa`) or any condition number it is applied to.
    Equals :func:`accelbook.theory.theorem8_bound`."""
    kappa_hat = real_scalar("kappa_hat", kappa_hat, lo=1.0)
    return theory.theorem8_bound(kappa_hat, _times(t))


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

    ``"theorem9"``        :math:`\lambda^{-4}n^4\kappa^2\log^3(n/\delta)` (Theorem 9 as printed);
    ``"theorem9_proof"``  the :math:`m` from which on :math:`m \ge \lambda^{-4}n^4\kappa^2\log(m/\delta)\log^2(n/\delta)`:
                          the width the proof of Lemma 10 needs, step (h), once the
                          :math:`\|\xi_0\|^2 = O(n\log(m/\delta)\log^2(n/\delta))` of its step (g) (Lemma 12) is
                          kept; the source writes :math:`\log^3(n/\delta)`, dropping the :math:`\log(m/\delta)`;
    ``"song_yang"``       :math:`\lambda^{-4}n^4\log^3(n/\delta)` (Song & Yang's improvement of Theorem 3);
    ``"du"``              :math:`\lambda^{-4}n^6\delta^{-3}` (Theorem 3, Du et al.);
    ``"lemma5"``          :math:`\lambda^{-2}n^2\log(n/\delta)` (Lemma 5, with :math:`\lambda = \lambda_{\min}(\bar H)`).
    """
    lam = real_scalar("lam", lam, lo=0.0, lo_open=True)
    n = int_scalar("n", n, lo=1)
    kappa = real_scalar("kappa", kappa, lo=1.0)
    delta = real_scalar("delta", delta, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    if theorem == "theorem9":
        return lam ** -4 * n ** 4 * kappa ** 2 * np.log(n / delta) ** 3
    if theorem == "theorem9_proof":
        return _implicit_width(lam ** -4 * n ** 4 * kappa ** 2 * np.log(n / delta) ** 2, delta)
    if theorem == "song_yang":
        return lam ** -4 * n ** 4 * np.log(n / delta) ** 3
    if theorem == "du":
        return lam ** -4 * n ** 6 * delta ** -3
    if theorem == "lemma5":
        return lam ** -2 * n ** 2 * np.log(n / delta)
    raise ValueError(f"theorem must be 'theorem9', 'theorem9_proof', 'song_yang', 'du' or 'lemma5', got {theorem!r}")


def _implicit_width(c, delta):
    r"""The :math:`m` from which on :math:`m \ge c\log(m/\delta)` holds: the larger root of
    :math:`m = c\log(m/\delta)` (1 when the inequality holds for every :math:`m`)."""
    from scipy.optimize import brentq
    g = lambda m: m - c * np.log(m / delta)          # noqa: E731 - convex, smallest at m = c
    if g(c) >= 0:
        return 1.0
    hi = 2 * c * np.log(c / delta)
    while g(hi) < 0:
        hi *= 2
    return float(brentq(g, c, hi, xtol=1e-12, rtol=1e-14))


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
