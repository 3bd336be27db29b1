r"""The experiments of Chapter 4 (Wang, Lin & Abernethy 2021, Section 4.4 and Appendix H.2), returning data:
iterations against the condition number, rates against the depth, layer movement and perturbation
against the width.  Every run uses Theorem 10's parameters (its step times ``eta_scale``); a run that
diverges is flagged and contributes its finite prefix.
"""

from __future__ import annotations

import numpy as np

from .. import metrics
from .._validation import int_scalar, int_sequence, real_scalar, real_sequence, rng_from
from .data import make_problem
from .data import DeepLinearProblem
from .theory import r_l_linear, theorem10_bound, theorem10_corrected_width, theorem10_printed_width, theorem10_rate
from .training import _problem, iterations_to_accuracy, measured_rate, run_with_decomposition, train

__all__ = ["kappa_sweep", "depth_sweep", "width_sweep", "theorem10_scaling_counterexample"]


def _slope(x, counts):
    ok = counts > 0
    return metrics.loglog_slope(x[ok], counts[ok]) if ok.sum() >= 2 else None


def kappa_sweep(kappas, *, d=4, n=4, d_y=2, m=16, depth=4, tol=1e-4, eta_scale=1.0, seed=0):
    r"""Iterations to :math:`\lVert U_t-Y\rVert_F\le\mathrm{tol}\,\lVert U_0-Y\rVert_F` (:func:`iterations_to_accuracy`)
    for gradient descent and heavy ball (both with Theorem 10's :math:`\eta`, heavy ball with its :math:`\beta`)
    on data with prescribed :math:`\kappa = \sigma_{\max}^2/\sigma_{\min}^2`; one data set and initialisation per
    :math:`\kappa` (seeded).

    Returns a dict: ``kappa``, the counts ``gd`` and ``heavy_ball`` (-1 where not reached or diverged) and the
    log-log slopes ``slope_gd``, ``slope_heavy_ball`` fitted to the reached counts (None if fewer than two).
    """
    kappas = np.asarray(real_sequence("kappas", kappas, lo=1.0))
    for name, value in (("d", d), ("n", n), ("d_y", d_y), ("m", m), ("depth", depth)):
        int_scalar(name, value, lo=1)
    tol = real_scalar("tol", tol, lo=0.0, lo_open=True, hi=1.0, hi_open=True)
    eta_scale = real_scalar("eta_scale", eta_scale, lo=0.0, lo_open=True)
    if n > d:
        raise ValueError(f"n must be <= d (assumption (A1)), got n={n}, d={d}")
    if m < max(d, d_y):
        raise ValueError(f"m must be >= max(d, d_y) = {max(d, d_y)} (the orthogonal initialisation), got {m}")
    if n == 1 and np.any(kappas != 1.0):
        raise ValueError("n must be >= 2 when a kappa exceeds 1")
    rng = rng_from(seed)
    out = {"kappa": kappas, "gd": [], "heavy_ball": []}
    for kappa in kappas:
        prob = make_problem(d, n, d_y, kappa=float(kappa), seed=rng)
        w0 = prob.init(m, depth, seed=rng)
        eta, beta = prob.parameters(depth)
        out["gd"].append(iterations_to_accuracy(prob, w0, eta_scale * eta, 0.0, tol))
        out["heavy_ball"].append(iterations_to_accuracy(prob, w0, eta_scale * eta, beta, tol))
    for key in ("gd", "heavy_ball"):
        out[key] = np.asarray(out[key])
        out[f"slope_{key}"] = _slope(kappas, out[key])
    return out


def depth_sweep(problem, depths, *, m, n_iter, eta_scale=1.0, seed=0):
    r"""Relative residuals :math:`\lVert U_t-Y\rVert_F/\lVert U_0-Y\rVert_F` of gradient descent and heavy
    ball with Theorem 10's parameters for each depth (fixed data, width ``m``, a fresh orthogonal
    initialisation per depth), and the rates fitted to them (:func:`measured_rate`).

    Returns a dict: ``depth``; ``gd`` and ``heavy_ball``, one curve per depth (arrays of length
    ``n_iter + 1``, shorter for a diverged run); ``rate_gd``, ``rate_heavy_ball``; ``diverged_gd``,
    ``diverged_heavy_ball`` (bool arrays).
    """
    problem = _problem(problem)
    depths = int_sequence("depths", depths, lo=1)
    m = int_scalar("m", m, lo=1)
    n_iter = int_scalar("n_iter", n_iter, lo=1)
    eta_scale = real_scalar("eta_scale", eta_scale, lo=0.0, lo_open=True)
    if m < max(problem.d, problem.d_y):
        raise ValueError(f"m must be >= max(d, d_y) = {max(problem.d, problem.d_y)}, got {m}")
    rng = rng_from(seed)
    out = {"depth": np.asarray(depths)}
    for key in ("gd", "heavy_ball", "rate_gd", "rate_heavy_ball", "diverged_gd", "diverged_heavy_ball"):
        out[key] = []
    for L in depths:
        w0 = problem.init(m, L, seed=rng)
        eta, beta = problem.parameters(L)
        for key, b in (("gd", 0.0), ("heavy_ball", beta)):
            run = train(problem, w0, eta_scale * eta, b, n_iter, monitors=("residual",))
            r = run.records["residual"] / run.records["residual"][0]
            out[key].append(r)
            out[f"rate_{key}"].append(measured_rate(r))
            out[f"diverged_{key}"].append(run.diverged)
    for key in ("rate_gd", "rate_heavy_ball", "diverged_gd", "diverged_heavy_ball"):
        out[key] = np.asarray(out[key])
    for key in ("gd", "heavy_ball"):
        if not (out["diverged_gd"].any() or out["diverged_heavy_ball"].any()):
            out[key] = np.asarray(out[key])
    return out


def width_sweep(problem, widths, *, depth, n_iter, trials=1, eta_scale=1.0, seed=0):
    r"""For each width and trial (a fresh orthogonal initialisation): heavy ball with Theorem 10's
    parameters. Returns arrays of shape ``(len(widths), trials)``: the largest layer movement
    :math:`\max_{t,l}\lVert W^{(l)}_t-W^{(l)}_0\rVert_F` (``distance``), the same divided by
    :math:`\sqrt m`, the spectral norm of every initial layer (``relative_distance``),
    :math:`\max_t\lVert\phi_t\rVert/\lVert\xi_0\rVert` (``phi_relative``), the measured
    :math:`\nu C_0 = \max_t \lVert[\xi_t;\xi_{t-1}]\rVert/(\theta^t\lVert[\xi_0;\xi_{-1}]\rVert)`,
    :math:`R_{L\text{-linear}}` with that :math:`\nu C_0` and :math:`B_0 = \lVert U_0-Y\rVert_F`, and
    ``diverged`` (each from the finite prefix of a diverged run); and ``width``."""
    problem = _problem(problem)
    widths = int_sequence("widths", widths, lo=max(problem.d, problem.d_y))
    depth = int_scalar("depth", depth, lo=1)
    n_iter = int_scalar("n_iter", n_iter, lo=1)
    trials = int_scalar("trials", trials, lo=1)
    eta_scale = real_scalar("eta_scale", eta_scale, lo=0.0, lo_open=True)
    rng = rng_from(seed)
    eta, beta = problem.parameters(depth)
    theta = theorem10_rate(problem.kappa)
    keys = ("distance", "relative_distance", "phi_relative", "r_l_linear", "nu_c0")
    out = {k: np.empty((len(widths), trials)) for k in keys}
    out["diverged"] = np.zeros((len(widths), trials), dtype=bool)
    for i, m in enumerate(widths):
        for j in range(trials):
            run, terms = run_with_decomposition(problem, problem.init(m, depth, seed=rng), eta_scale * eta, beta,
                                                n_iter)
            stacked = metrics.stacked_norms(terms["xi"])
            nu_c0 = float(np.max(stacked / (theta ** np.arange(stacked.size) * stacked[0])))
            xi0 = np.linalg.norm(terms["xi"][0])
            out["distance"][i, j] = terms["distance"].max()
            out["relative_distance"][i, j] = terms["distance"].max() / np.sqrt(m)
            out["phi_relative"][i, j] = np.linalg.norm(terms["phi"], axis=1).max(initial=0.0) / xi0
            out["nu_c0"][i, j] = nu_c0
            out["r_l_linear"][i, j] = r_l_linear(problem.X, problem.d_y, depth, nu_c0=nu_c0, b0=xi0)
            out["diverged"][i, j] = run.diverged
    out["width"] = np.asarray(widths)
    return out


def _worst_ratio(problem, weights0, depth, n_iter):
    """max_t ||[xi_t; xi_t-1]|| / (bound (22) * ||[xi_0; xi_-1]||) along heavy ball with Theorem 10's parameters."""
    eta, beta = problem.parameters(depth)
    run = train(problem, weights0, eta, beta, n_iter, monitors=("xi",), record_loss=False)
    s = metrics.stacked_norms(run.records["xi"])
    return float(np.max(s / s[0] / theorem10_bound(problem.kappa, np.arange(s.size)))), run


def theorem10_scaling_counterexample(*, d=4, n=4, d_y=4, kappa=100.0, depth=30, n_iter=300, inits=20, C=1e6,
                                     delta=0.1, seed=0):
    r"""An explicit counterexample to Theorem 10's width condition as printed (Section 4.4 of Wang et al.).

    Data with condition number ``kappa`` (``make_problem(d, n, d_y, kappa=kappa, seed=seed)``) are rescaled
    to :math:`(cX, cY)` with :math:`c` (the first power of 10 large enough) such that the printed condition holds
    with the constant ``C`` at the smallest admissible width :math:`m=\max\{d,d_y\}`, for the least-norm :math:`W_*` (unchanged by the scaling)
    and ``delta``.  Heavy ball with Theorem 10's parameters then runs from ``inits`` orthogonal initialisations
    (seeds ``seed + 1``, ...) for ``n_iter`` iterations; the iterates do not depend on :math:`c`, so for every
    ``C`` a large enough :math:`c` gives the same violations of (22).

    Returns a dict: ``scale`` (:math:`c`), ``m``, ``printed_width`` at :math:`X` and at :math:`cX`,
    ``corrected_width`` (the scale-free condition of :func:`theorem10_corrected_width`, the same at both),
    ``ratio`` (per initialisation, :math:`\max_t` of the stacked residual over the bound (22)), ``violated``,
    ``fraction`` (of initialisations violating (22)), ``iterate_gap`` (the largest entry of
    :math:`|W_T(X)-W_T(cX)|` for the first initialisation) and ``diverged`` (any run flagged).
    """
    for name, value in (("d", d), ("n", n), ("d_y", d_y), ("depth", depth), ("n_iter", n_iter), ("inits", inits)):
        int_scalar(name, value, lo=1)
    if n > d:
        raise ValueError(f"n must be <= d (assumption (A1)), got n={n}, d={d}")
    kappa = real_scalar("kappa", kappa, lo=1.0)
    C = real_scalar("C", C, lo=0.0, lo_open=True)
    delta = real_scalar("delta", delta, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    seed = int_scalar("seed", seed, lo=0)
    base = make_problem(d, n, d_y, kappa=kappa, seed=seed)
    m = max(d, d_y)
    w_norm = float(np.linalg.norm(base.w_star, 2))
    printed = theorem10_printed_width(base.X, d_y, w_star_norm=w_norm, delta=delta, C=C)
    scale = float(10.0 ** np.ceil(np.log10(np.sqrt(max(printed / m, 1.0)))))  # a power of 10 past the threshold
    scaled = DeepLinearProblem(X=scale * base.X, Y=scale * base.Y)
    out = {"scale": scale, "m": m, "printed_width": (printed, theorem10_printed_width(
        scaled.X, d_y, w_star_norm=w_norm, delta=delta, C=C)),
        "corrected_width": (theorem10_corrected_width(base.X, d_y, w_star_norm=w_norm, delta=delta, C=C),
                            theorem10_corrected_width(scaled.X, d_y, w_star_norm=w_norm, delta=delta, C=C))}
    ratios, diverged = [], False
    for k in range(inits):
        w0 = scaled.init(m, depth, seed=seed + 1 + k)
        ratio, run = _worst_ratio(scaled, w0, depth, n_iter)
        ratios.append(ratio)
        diverged |= run.diverged
        if k == 0:
            _, unscaled = _worst_ratio(base, w0, depth, n_iter)
            out["iterate_gap"] = max(float(np.abs(a - b).max()) for a, b in zip(run.x, unscaled.x))
    out["ratio"] = np.asarray(ratios)
    out["violated"] = out["ratio"] > 1.0
    out["fraction"] = float(out["violated"].mean())
    out["diverged"] = bool(diverged)
    return out
