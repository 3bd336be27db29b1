"""Self-checks for exercises.

Each function judges a student's answer by its *properties* — a gradient against finite
differences, parameters against a theorem's condition, a measured curve against a bound, a closed
form against Monte Carlo — never by comparing with a stored solution.  Each returns a
:class:`Check`, which prints as a one-line verdict that says specifically what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import metrics
from ._validation import callable_arg, int_scalar, real_array, real_scalar, rng_from, symmetric_psd

__all__ = ["Check", "check_gradient", "check_theorem5_parameters", "check_rate_bound", "check_monte_carlo",
           "check_slope", "check_worst_case_bound"]


@dataclass(frozen=True)
class Check:
    """A verdict: ``passed`` and a message; truthy when passed.  ``details`` holds the numbers."""

    passed: bool
    message: str
    details: dict = field(default_factory=dict, repr=False)

    def __bool__(self):
        return self.passed

    def __str__(self):
        return ("PASS: " if self.passed else "FAIL: ") + self.message

    def _repr_markdown_(self):  # rendered in Jupyter
        return ("✅ " if self.passed else "❌ ") + self.message


def check_gradient(f, grad, x, *, n_directions=5, h=1e-6, rtol=1e-5, atol=1e-8, seed=0):
    """Is ``grad`` the gradient of ``f`` at ``x``?  Central differences along the coordinate axes
    (for up to 20 coordinates) and ``n_directions`` random directions, with step ``h > 0`` and tolerances
    ``atol + rtol * max(|fd|, |grad . d|)``."""
    f = callable_arg("f", f, "the function")
    grad = callable_arg("grad", grad, "the claimed gradient")
    x = real_array("x", x, nonempty=True)
    n_directions = int_scalar("n_directions", n_directions, lo=0)
    h = real_scalar("h", h, lo=0.0, lo_open=True)
    rtol = real_scalar("rtol", rtol, lo=0.0)
    atol = real_scalar("atol", atol, lo=0.0)
    rng = rng_from(seed)
    g = np.asarray(grad(x), dtype=np.float64)
    if g.shape != x.shape:
        return Check(False, f"grad(x) has shape {g.shape}, but x has shape {x.shape}")
    if not np.all(np.isfinite(g)):
        return Check(False, "grad(x) contains NaN or inf")
    directions = [np.eye(x.size)[i].reshape(x.shape) for i in range(min(x.size, 20))]
    directions += [d / np.linalg.norm(d) for d in rng.standard_normal((n_directions,) + x.shape)]
    for k, d in enumerate(directions):
        plus, minus = np.asarray(f(x + h * d), dtype=np.float64), np.asarray(f(x - h * d), dtype=np.float64)
        if plus.size != 1 or minus.size != 1:
            return Check(False, f"f(x) must return one number, got shape {plus.shape}")
        fd = (float(plus) - float(minus)) / (2 * h)
        claimed = float(np.vdot(g, d))
        if abs(fd - claimed) > atol + rtol * max(abs(fd), abs(claimed)):
            where = f"coordinate {k}" if k < min(x.size, 20) else "a random direction"
            return Check(False, f"directional derivative along {where} is {claimed:.6g} from grad, but finite "
                                f"differences give {fd:.6g}", {"fd": fd, "grad": claimed, "direction": d})
    return Check(True, f"grad matches finite differences along {len(directions)} directions")


def check_theorem5_parameters(H, eta, beta):
    """Do (eta, beta) satisfy Theorem 5's condition max{(1-√(ηλmin))², (1-√(ηλmax))²} < β <= 1 for H?"""
    _, eig = symmetric_psd("H", H)
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta)
    lo_min, lo_max = (1 - np.sqrt(eta * eig[0])) ** 2, (1 - np.sqrt(eta * eig[-1])) ** 2
    details = {"lower_from_lam_min": lo_min, "lower_from_lam_max": lo_max}
    if beta > 1:
        return Check(False, f"beta = {beta:g} > 1: Theorem 5 needs beta <= 1", details)
    if eta * eig[-1] >= 4:
        return Check(False, f"eta * lambda_max = {eta * eig[-1]:.4g} >= 4: no beta <= 1 can work; reduce eta", details)
    if beta <= lo_min:
        return Check(False, f"beta = {beta:.6g} is not above (1 - sqrt(eta*lambda_min))^2 = {lo_min:.6g}: the "
                            "smallest eigenvalue's block is over-damped (real roots)", details)
    if beta <= lo_max:
        return Check(False, f"beta = {beta:.6g} is not above (1 - sqrt(eta*lambda_max))^2 = {lo_max:.6g}: the "
                            "largest eigenvalue's block has real roots (eta too large for this beta)", details)
    return Check(True, f"{max(lo_min, lo_max):.6g} < beta = {beta:.6g} <= 1: Theorem 5 applies", details)


def check_rate_bound(errors, rate, *, constant=1.0, rtol=1e-9):
    """Does a measured sequence obey ``errors[t] <= constant * rate**t * errors[0]`` for every t?"""
    e = real_array("errors", errors, ndim=1, nonempty=True)
    rate = real_scalar("rate", rate, lo=0.0)
    constant = real_scalar("constant", constant, lo=0.0)
    rtol = real_scalar("rtol", rtol, lo=0.0)
    if e[0] <= 0:
        return Check(False, "errors must start with a positive value errors[0]")
    bound = constant * rate ** np.arange(e.size) * e[0]
    bad = np.flatnonzero(e > bound * (1 + rtol))
    if bad.size:
        t = int(bad[0])
        return Check(False, f"the bound fails first at t = {t}: error {e[t]:.4g} > {constant:g} * {rate:g}^{t} * "
                            f"errors[0] = {bound[t]:.4g} ({bad.size} violations in all)", {"first": t})
    return Check(True, f"errors stay below {constant:g} * {rate:g}^t * errors[0] for all {e.size} values of t")


def check_monte_carlo(closed_form, samples, *, n_sigma=4.0):
    """Is a closed form consistent with Monte Carlo samples of the same quantity?  Compares, entry by
    entry, with the sample mean within ``n_sigma > 0`` standard errors (samples along axis 0)."""
    n_sigma = real_scalar("n_sigma", n_sigma, lo=0.0, lo_open=True)
    S = real_array("samples", samples)
    if S.ndim < 1 or S.shape[0] < 2:
        raise ValueError(f"samples must have at least 2 draws along axis 0, got shape {S.shape}")
    if S[0].size == 0:
        raise ValueError(f"samples must hold at least one quantity per draw, got shape {S.shape}")
    c = real_array("closed_form", closed_form)
    if c.shape != S.shape[1:]:
        return Check(False, f"closed_form has shape {c.shape}, but one sample has shape {S.shape[1:]}")
    mean = S.mean(axis=0)
    se = S.std(axis=0, ddof=1) / np.sqrt(S.shape[0])
    z = np.abs(c - mean) / np.maximum(se, 1e-300)
    worst = np.unravel_index(np.argmax(z), z.shape) if z.ndim else ()
    if np.max(z) > n_sigma:
        return Check(False, f"entry {tuple(int(i) for i in worst)}: closed form {c[worst]:.6g} vs Monte Carlo "
                            f"{mean[worst]:.6g} ± {se[worst]:.2g} ({float(np.max(z)):.1f} standard errors away)",
                     {"z": z})
    return Check(True, f"closed form within {n_sigma:g} standard errors of the Monte Carlo mean "
                       f"(worst {float(np.max(z)):.2f}) over {S.shape[0]} draws", {"z": z})


def check_slope(x, y, expected, *, tol=0.1):
    """Is the least-squares slope of log(y) against log(x) within ``tol >= 0`` of ``expected``?"""
    x = real_array("x", x, ndim=1, lo=0.0, lo_open=True)
    y = real_array("y", y, ndim=1, lo=0.0, lo_open=True)
    expected = real_scalar("expected", expected)
    tol = real_scalar("tol", tol, lo=0.0)
    if x.size < 2 or np.ptp(x) == 0:
        raise ValueError(f"x must hold at least 2 distinct positive values, got {x.size} values")
    if y.shape != x.shape:
        raise ValueError(f"y must have the shape of x {x.shape}, got {y.shape}")
    slope = metrics.loglog_slope(x, y)
    ok = abs(slope - expected) <= tol
    verb = "is" if ok else "is not"
    return Check(ok, f"fitted log-log slope {slope:.3f} {verb} within {tol:g} of {expected:g}", {"slope": slope})


def check_worst_case_bound(worst_cases, rate, *, constant=1.0, tight=None, rtol=1e-6):
    r"""Does a claimed bound hold against certified worst cases (:mod:`accelbook.pep` results)?

    The claim is :math:`\lVert x_n-x_*\rVert \le C\rho^n\lVert x_0-x_*\rVert` for the ``"distance"`` measure
    (whose worst case is a *squared* ratio, so it is compared with :math:`(C\rho^n)^2`), or
    :math:`f(x_n)-f_* \le C\rho^n (f(x_0)-f_*)` for ``"function_value"``; ``C = constant``, ``rho = rate``.
    It fails at the first ``n`` whose worst case exceeds the claim (relative tolerance ``rtol``, the solver's
    accuracy).  With ``tight`` (e.g. 0.01) it also fails when the claim holds everywhere with room to spare:
    when no worst case comes within the fraction ``tight`` of the claim, a smaller constant would do.
    """
    cases = list(worst_cases) if isinstance(worst_cases, (list, tuple)) else None
    if not cases or not all(hasattr(w, "value") and hasattr(w, "n_steps") and hasattr(w, "measure") for w in cases):
        raise TypeError("worst_cases must be a non-empty list of accelbook.pep.WorstCase results")
    measures = {w.measure for w in cases}
    if len(measures) != 1:
        raise ValueError(f"worst_cases must all use one measure, got {sorted(measures)}")
    rate = real_scalar("rate", rate, lo=0.0)
    constant = real_scalar("constant", constant, lo=0.0)
    if tight is not None:
        tight = real_scalar("tight", tight, lo=0.0, lo_open=True, hi=1.0, hi_open=True)
    rtol = real_scalar("rtol", rtol, lo=0.0)
    squared = measures == {"distance"}
    n = np.array([w.n_steps for w in cases])
    value = np.array([w.value for w in cases], dtype=np.float64)
    claim = constant * rate ** n.astype(np.float64)
    bound = claim ** 2 if squared else claim
    shown = np.sqrt(np.maximum(value, 0.0)) if squared else value
    what = "||x_n - x*|| / ||x_0 - x*||" if squared else "(f(x_n) - f*) / (f(x_0) - f*)"
    details = {"n": n, "worst": shown, "claim": claim}
    bad = np.flatnonzero(value > bound * (1 + rtol))
    if bad.size:
        i = int(bad[0])
        return Check(False, f"the claim fails first at n = {n[i]}: the certified worst case of {what} is "
                            f"{shown[i]:.6g} > {constant:g} * {rate:g}^{n[i]} = {claim[i]:.6g} "
                            f"({bad.size} of {n.size} horizons violate it)", details)
    ratio = shown / np.maximum(claim, np.finfo(float).tiny)
    i = int(np.argmax(ratio))
    if tight is not None and ratio[i] < 1 - tight:
        return Check(False, f"the claim holds at every n, but with room to spare: the worst case comes closest at "
                            f"n = {n[i]}, at {ratio[i]:.4f} of the claim; a smaller constant works", details)
    return Check(True, f"{what} <= {constant:g} * {rate:g}^n holds at all {n.size} horizons checked "
                       f"(closest at n = {n[i]}: {ratio[i]:.4f} of the claim)", details)
