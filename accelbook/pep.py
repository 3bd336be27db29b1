r"""Certified worst cases of gradient descent, heavy ball and Nesterov's method (performance estimation).

A *performance estimation problem* (PEP) asks for the largest value of a performance measure after
``n_steps`` iterations of a fixed method, over every function of a class and every starting point with
a normalised initial condition.  For fixed-step first-order methods on :math:`L`-smooth
:math:`\mu`-strongly convex functions it is a small semidefinite program (SDP) whose optimal value is the
*exact* worst case, in any dimension (Drori & Teboulle 2014; Taylor, Hendrickx & Glineur 2017, whose
interpolation conditions make the SDP exact).  Its dual solution is a certificate: a nonnegative
combination of interpolation inequalities that proves the bound.  PEPit (Goujaud et al. 2024) builds the
SDP from the method's code; we solve it with Clarabel.

Over *quadratics* with spectrum in :math:`[\mu, L]` no SDP is needed.  The three methods are linear with
:math:`x_{-1} = x_0` (heavy ball) or :math:`y_0 = x_0` (Nesterov), so
:math:`x_n - x_* = p_n(H)(x_0 - x_*)` with a residual polynomial :math:`p_n` of degree ``n`` and
:math:`p_n(0) = 1`, and the worst case of both measures is :math:`\max_{\lambda\in[\mu,L]} p_n(\lambda)^2`,
attained by the one-dimensional quadratic :math:`\tfrac\lambda2 x^2` at the maximiser.

Measures (``measure=``): ``"distance"``, :math:`\lVert x_n - x_*\rVert^2/\lVert x_0 - x_*\rVert^2`, and
``"function_value"``, :math:`(f(x_n) - f_*)/(f(x_0) - f_*)`.  For Nesterov the output is :math:`x_n`,
not the extrapolated :math:`y_n`.

References: Y. Drori and M. Teboulle (2014), Math. Program. 145, 451–482; A. Taylor, J. Hendrickx and
F. Glineur (2017), Math. Program. 161, 307–345; B. Goujaud, C. Moucer, F. Glineur, J. Hendrickx, A. Taylor
and A. Dieuleveut (2024), "PEPit", Math. Prog. Comp. 16, 337–367; B. Goujaud, A. Taylor and
A. Dieuleveut (2023), "Provable non-accelerations of the heavy-ball method", arXiv:2307.11291.
"""

from __future__ import annotations

import contextlib
import io
import time
import warnings
from dataclasses import dataclass

import numpy as np

from ._validation import int_scalar, real_scalar

__all__ = ["WorstCase", "gd_worst_case", "heavy_ball_worst_case", "nesterov_worst_case", "worst_cases", "values",
           "FUNCTION_CLASSES", "MEASURES"]

FUNCTION_CLASSES = ("smooth_strongly_convex", "quadratic")
MEASURES = ("distance", "function_value")
METHODS = ("gd", "heavy_ball", "nesterov")
#: Clarabel's tolerances for a second attempt.  At its defaults (1e-8) Clarabel stops "almost solved"
#: (cvxpy's ``optimal_inaccurate``) on about one PEP in six here, a little short of 1e-8; then these apply.
CLARABEL_RETRY = {"tol_gap_abs": 1e-6, "tol_gap_rel": 1e-6, "tol_feas": 1e-7}
#: the settings Clarabel is tried with, in order, until it reports ``optimal``
CLARABEL_ATTEMPTS = ({}, CLARABEL_RETRY)
#: relative primal-dual gap above which an SDP solution is refused
GAP_RTOL = 1e-5
#: an SDP value this far (relatively) below the worst case over quadratics, a subclass, is refused
LOWER_RTOL = 1e-4


@dataclass(frozen=True)
class WorstCase:
    """A worst case of one method after ``n_steps`` steps over one function class.

    Attributes
    ----------
    value : float
        The worst case of the measure (for ``"smooth_strongly_convex"`` the certified upper bound, i.e. the
        SDP's dual value; for ``"quadratic"`` the attained maximum ``lower``).
    lower, upper : float
        A value attained by a function of the class (the SDP's primal value; :math:`p_n(\\lambda^*)^2`) and a
        proven upper bound (the dual value; the grid maximum inflated by Markov's inequality).
    status : str
        The solver's status (``"optimal"``), or ``"exact"`` for quadratics.
    method, function_class, measure : str
    n_steps : int
    mu, L, eta, beta : float
        The class and the method's parameters (``beta = 0`` for gradient descent).
    solver : str
        ``"CLARABEL (tol 1e-08)"`` (the tolerance that succeeded; other solvers by name), or
        ``"residual polynomial"``.
    solve_time : float
        Wall-clock seconds of the whole computation (building, compiling and solving the SDP).
    witness : float or None
        Quadratics only: the eigenvalue :math:`\\lambda^*` of the one-dimensional worst case.
    """

    value: float
    lower: float
    upper: float
    status: str
    method: str
    function_class: str
    measure: str
    n_steps: int
    mu: float
    L: float
    eta: float
    beta: float
    solver: str
    solve_time: float
    witness: float | None = None

    @property
    def gap(self) -> float:
        """``upper - lower``: the primal-dual gap of the certificate (>= 0 up to the solver's accuracy)."""
        return self.upper - self.lower


# ---------------------------------------------------------------- checks
def _check(mu, L, eta, beta, n_steps, function_class, measure, solver):
    mu = real_scalar("mu", mu, lo=0.0, lo_open=True)
    L = real_scalar("L", L, lo=0.0, lo_open=True)
    if L < mu:
        raise ValueError(f"L must be >= mu (0 < mu <= L), got L={L:g} < mu={mu:g}")
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    n_steps = int_scalar("n_steps", n_steps, lo=1)
    if function_class not in FUNCTION_CLASSES:
        raise ValueError(f"function_class must be one of {FUNCTION_CLASSES}, got {function_class!r}")
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, got {measure!r}")
    if not isinstance(solver, str) or not solver:
        raise TypeError(f"solver must be a non-empty string (a cvxpy solver name), got {solver!r}")
    return mu, L, eta, beta, n_steps, solver.upper()


# ---------------------------------------------------------------- the three methods, written once
def _iterate(method, x0, grad, eta, beta, n_steps):
    """``x_n`` of a method from ``x0``; works on PEPit points and on numpy arrays alike."""
    if method == "gd":
        x = x0
        for _ in range(n_steps):
            x = x - eta * grad(x)
        return x
    if method == "heavy_ball":  # Algorithm 2 of Wang et al. (2021), w_{-1} = w_0
        x, x_prev = x0, x0
        for _ in range(n_steps):
            x, x_prev = x - eta * grad(x) + beta * (x - x_prev), x
        return x
    x, y = x0, x0  # Nesterov, y_0 = x_0
    for _ in range(n_steps):
        x_new = y - eta * grad(y)
        y = x_new + beta * (x_new - x)
        x = x_new
    return x


def _residual(method, lam, eta, beta, n_steps):
    r""":math:`p_n(\lambda)` for an array of eigenvalues: the method run on :math:`\tfrac\lambda2 x^2` from
    :math:`x_0 = 1`, one eigenvalue per entry (the 2×2 recursion of each eigenvalue, vectorised)."""
    lam = np.asarray(lam, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return _iterate(method, np.ones_like(lam), lambda x: lam * x, eta, beta, n_steps)


# ---------------------------------------------------------------- quadratics: the residual polynomial
def _grid_size(n_steps):
    return int(min(max(4096, 64 * n_steps ** 2), 2 ** 18)) + 1


def _quadratic(method, mu, L, eta, beta, n_steps):
    r"""``(value, upper, witness)``: :math:`\max_{[\mu, L]} p_n^2`, a proven upper bound, the maximiser."""
    from scipy.optimize import minimize_scalar
    lam = np.linspace(mu, L, _grid_size(n_steps)) if L > mu else np.array([mu, mu])
    a = np.abs(_residual(method, lam, eta, beta, n_steps))
    top = float(np.max(a)) if np.all(np.isfinite(a)) else float("inf")
    if top > 1e150:
        raise OverflowError(f"the worst case over quadratics of {method} exceeds 1e300, near the float64 range "
                            f"(n_steps={n_steps}, eta={eta:g}, beta={beta:g}, L={L:g})")
    # Markov's inequality max|p'| <= 2 n^2 max|p| / (L - mu) on [mu, L]: every point is within half a grid
    # step h of the grid, so max|p| <= top + (h/2) 2 n^2 max|p| / (L - mu) = top + slack max|p|.
    slack = n_steps ** 2 / (lam.size - 1) if L > mu else 0.0
    upper = (top / (1.0 - slack)) ** 2 if slack < 1 else float("inf")
    is_peak = np.r_[True, a[1:-1] >= np.maximum(a[:-2], a[2:]), True] & (a >= (1.0 - min(slack, 1.0)) * top)
    best_i = int(np.argmax(a))
    value, witness = top ** 2, float(lam[best_i])
    for i in np.flatnonzero(is_peak) if L > mu else ():
        lo, hi = lam[max(i - 1, 0)], lam[min(i + 1, lam.size - 1)]
        res = minimize_scalar(lambda z: -_residual(method, z, eta, beta, n_steps) ** 2, bounds=(lo, hi),
                              method="bounded", options={"xatol": 1e-13 * L})
        if -res.fun > value:
            value, witness = float(-res.fun), float(res.x)
    return value, max(upper, value), witness


# ---------------------------------------------------------------- smooth strongly convex: the SDP
def _pepit():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import cvxpy
            from PEPit import PEP
            from PEPit.functions import SmoothStronglyConvexFunction
    except ImportError as exc:
        raise ImportError("accelbook.pep needs PEPit, cvxpy and clarabel for worst cases over smooth strongly "
                          "convex functions; install the book extra: pip install -e '.[book]' "
                          f"(missing: {exc.name or exc})") from exc
    return cvxpy, PEP, SmoothStronglyConvexFunction


def _sdp(method, mu, L, eta, beta, n_steps, measure, solver):
    r"""``(dual, primal, solver)`` of the PEP; ``RuntimeError`` unless the solver reports ``optimal``.

    The SDP is solved for :math:`f/\mu`, in the class (1, L/mu) with step ``eta * mu`` (same iterates, same
    ratios): absolute solver tolerances then mean the same thing at every scale."""
    cvxpy, PEP, SmoothStronglyConvexFunction = _pepit()
    problem = PEP()
    f = problem.declare_function(SmoothStronglyConvexFunction, mu=1.0, L=L / mu)
    xs = f.stationary_point()
    x0 = problem.set_initial_point()
    xn = _iterate(method, x0, f.gradient, eta * mu, beta, n_steps)
    if measure == "distance":
        problem.set_initial_condition((x0 - xs) ** 2 <= 1)
        problem.set_performance_metric((xn - xs) ** 2)
    else:
        fs = f(xs)
        problem.set_initial_condition(f(x0) - fs <= 1)
        problem.set_performance_metric(f(xn) - fs)
    what = f"{method} PEP (n_steps={n_steps}, mu={mu:g}, L={L:g}, eta={eta:g}, beta={beta:g}, {measure})"
    for options in CLARABEL_ATTEMPTS if solver == "CLARABEL" else ({},):
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            try:
                dual = problem.solve(wrapper="cvxpy", solver=solver, verbose=0, **options)
            except (cvxpy.error.SolverError, AssertionError, ValueError) as exc:
                raise RuntimeError(f"the SDP of the {what} failed in {solver}: {exc}") from exc
        prob = problem.wrapper.prob
        status = str(prob.status)
        if status == "optimal":
            break
    if status != "optimal" or dual is None or prob.value is None:
        raise RuntimeError(f"the SDP of the {what} was not solved: {solver} returned status {status!r}")
    dual, primal = float(dual), float(prob.value)
    if not (np.isfinite(dual) and np.isfinite(primal)) or abs(dual - primal) > GAP_RTOL * max(1.0, abs(dual)):
        raise RuntimeError(f"the SDP of the {what}: {solver} reported 'optimal' but the certificate's dual "
                           f"value {dual:.10g} and primal value {primal:.10g} differ by more than {GAP_RTOL:g}")
    tol = options.get("tol_gap_rel", 1e-8) if solver == "CLARABEL" else None
    return dual, primal, solver if tol is None else f"{solver} (tol {tol:g})"


def _worst_case(method, mu, L, eta, beta, n_steps, function_class, measure, solver):
    start = time.perf_counter()
    if function_class == "quadratic":
        value, upper, witness = _quadratic(method, mu, L, eta, beta, n_steps)
        lower, status, solver = value, "exact", "residual polynomial"
    else:
        value, lower, solver = _sdp(method, mu, L, eta, beta, n_steps, measure, solver)
        upper, witness, status = value, None, "optimal"
        quadratic = _quadratic(method, mu, L, eta, beta, n_steps)[0]
        if value < quadratic * (1.0 - LOWER_RTOL):  # Clarabel can say "optimal" on a badly scaled SDP
            raise RuntimeError(f"the SDP of the {method} PEP (n_steps={n_steps}, mu={mu:g}, L={L:g}, eta={eta:g}, "
                               f"beta={beta:g}, {measure}): {solver} reported 'optimal' with the value {value:.6g}, "
                               f"below the worst case {quadratic:.6g} over quadratics, which are in the class")
    return WorstCase(value=value, lower=lower, upper=upper, status=status, method=method,
                     function_class=function_class, measure=measure, n_steps=n_steps, mu=mu, L=L, eta=eta,
                     beta=beta, solver=solver, solve_time=time.perf_counter() - start, witness=witness)


_DOC_COMMON = """
    Parameters
    ----------
    mu, L : float
        The class: :math:`0 < \\mu \\le L`.
    eta : float
        Step size, ``eta > 0``.{beta}
    n_steps : int
        Number of steps, ``>= 1``.
    function_class : {{"smooth_strongly_convex", "quadratic"}}
        ``"smooth_strongly_convex"``: every :math:`L`-smooth :math:`\\mu`-strongly convex function, any dimension;
        the PEP is solved as an SDP by PEPit, exact up to the solver's accuracy: Clarabel at its default
        tolerances (1e-8), retried once at ``CLARABEL_RETRY`` (1e-6) if it stops short (``solver`` says which);
        the result's ``gap`` is the certificate's primal-dual gap, which may be slightly negative.  ``"quadratic"``: quadratics
        with spectrum in :math:`[\\mu, L]`, :math:`\\max_\\lambda p_n(\\lambda)^2` computed without an SDP: the
        recursion on a grid of ``max(4096, 64 n^2) + 1`` eigenvalues (at most 2^18 + 1) including both
        ends, each grid peak that can be the maximum refined by a bounded scalar optimiser.  ``value`` is
        attained (by :math:`\\tfrac{{\\lambda^*}}{{2}}x^2`, ``witness`` = :math:`\\lambda^*`); ``upper`` is the grid
        maximum inflated by Markov's inequality for polynomials (3.2% for ``n_steps <= 64``), a proven bound.
        So the true maximum lies in ``[value, upper]``, and ``value`` is it to rounding unless two critical
        points of :math:`p_n` lie within one grid step of each other.
    measure : {{"distance", "function_value"}}
        :math:`\\lVert x_n-x_*\\rVert^2/\\lVert x_0-x_*\\rVert^2` or :math:`(f(x_n)-f_*)/(f(x_0)-f_*)` (over
        quadratics both have the same worst case :math:`\\max p_n^2`).
    solver : str
        cvxpy solver for the SDP; default ``"CLARABEL"`` (SCS at its default tolerance can be far off).

    Returns
    -------
    WorstCase

    Raises
    ------
    RuntimeError
        If the SDP solver does not report ``optimal`` (its status is in the message), if its dual and primal
        values disagree by more than ``GAP_RTOL``, or if its value lies below the worst case over quadratics
        (a subclass) by more than ``LOWER_RTOL`` (seen with momentum at :math:`\\kappa = 10^4`).
    ImportError
        If PEPit/cvxpy are missing (``function_class="smooth_strongly_convex"`` only; the ``book`` extra has them).
    OverflowError
        If the worst case over quadratics exceeds 1e300 (near the float64 range).
"""
_BETA_DOC = """
    beta : float
        Momentum, ``0 <= beta < 1``."""


def gd_worst_case(mu, L, eta, n_steps, *, function_class="smooth_strongly_convex", measure="distance",
                  solver="CLARABEL"):
    mu, L, eta, _, n_steps, solver = _check(mu, L, eta, 0.0, n_steps, function_class, measure, solver)
    return _worst_case("gd", mu, L, eta, 0.0, n_steps, function_class, measure, solver)


def heavy_ball_worst_case(mu, L, eta, beta, n_steps, *, function_class="smooth_strongly_convex",
                          measure="distance", solver="CLARABEL"):
    mu, L, eta, beta, n_steps, solver = _check(mu, L, eta, beta, n_steps, function_class, measure, solver)
    return _worst_case("heavy_ball", mu, L, eta, beta, n_steps, function_class, measure, solver)


def nesterov_worst_case(mu, L, eta, beta, n_steps, *, function_class="smooth_strongly_convex",
                        measure="distance", solver="CLARABEL"):
    mu, L, eta, beta, n_steps, solver = _check(mu, L, eta, beta, n_steps, function_class, measure, solver)
    return _worst_case("nesterov", mu, L, eta, beta, n_steps, function_class, measure, solver)


gd_worst_case.__doc__ = r"""Worst case of gradient descent :math:`x_{k+1} = x_k - \eta\nabla f(x_k)` after ``n_steps``.

    The PEP of Drori & Teboulle (2014), exact by Taylor, Hendrickx & Glineur (2017), who also prove that for
    :math:`0<\eta\le 2/L` the worst distance ratio is :math:`\max\{(1-\eta\mu)^{2n}, (1-\eta L)^{2n}\}`,
    the quadratic one.
""" + _DOC_COMMON.format(beta="")

heavy_ball_worst_case.__doc__ = r"""Worst case of heavy ball, Algorithm 2 of Wang, Lin & Abernethy (2021):
    :math:`w_{t+1} = w_t - \eta\nabla f(w_t) + \beta(w_t - w_{t-1})`, started with :math:`w_{-1} = w_0`.

    Goujaud, Taylor & Dieuleveut (2023) prove that no tuning makes heavy ball accelerated on the whole smooth
    strongly convex class; these finite-``n`` worst cases show it for given parameters.
""" + _DOC_COMMON.format(beta=_BETA_DOC)

nesterov_worst_case.__doc__ = r"""Worst case of Nesterov's method with a constant momentum (the form of
    Liao & Kyrillidis): :math:`y_0 = x_0`, :math:`x_{k+1} = y_k - \eta\nabla f(y_k)`,
    :math:`y_{k+1} = x_{k+1} + \beta(x_{k+1} - x_k)`; the measure is taken at :math:`x_n`.
""" + _DOC_COMMON.format(beta=_BETA_DOC)


def worst_cases(method, mu, L, n_steps, *, eta, beta=0.0, function_class="smooth_strongly_convex",
                measure="distance", solver="CLARABEL"):
    """One :class:`WorstCase` per entry of ``n_steps`` (an iterable of ints), for ``method`` in
    ``("gd", "heavy_ball", "nesterov")``; ``beta`` must be 0 for ``"gd"``.  Other parameters as in
    :func:`heavy_ball_worst_case`."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if method == "gd" and beta != 0:
        raise ValueError(f"beta must be 0 for method 'gd', got {beta!r}")
    steps = list(n_steps) if not isinstance(n_steps, (str, bytes)) and np.iterable(n_steps) else None
    if not steps:
        raise ValueError(f"n_steps must be a non-empty iterable of integers >= 1, got {n_steps!r}")
    out = []
    for n in steps:
        args = _check(mu, L, eta, beta, n, function_class, measure, solver)
        out.append(_worst_case(method, *args[:5], function_class, measure, args[5]))
    return out


def values(results):
    """The ``value`` of each :class:`WorstCase` in ``results``, as a float64 array."""
    if isinstance(results, (str, bytes)) or not np.iterable(results):
        raise TypeError(f"results must be an iterable of WorstCase, got {type(results).__name__}")
    results = list(results)
    if not all(isinstance(r, WorstCase) for r in results):
        raise TypeError("results must be an iterable of WorstCase")
    return np.array([r.value for r in results], dtype=np.float64)
