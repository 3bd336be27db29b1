r"""The source's experiment and the book's studies of the ReLU network (Chapter 3), returning data.

Appendix H of Wang, Lin & Abernethy (2021) (:func:`appendix_h_experiment`, repeated over seeds by
:func:`appendix_h_seeds`), Lemma 5 measured (:func:`gram_concentration`), and the book's sweeps over the
width (:func:`width_sweep`) and the conditioning of the data (:func:`conditioning_sweep`). Counts follow
:mod:`accelbook.metrics`: iterations to a tolerance are the first t from which the loss *stays* below it,
-1 (:data:`accelbook.metrics.NOT_REACHED`) when it does not.
"""

from __future__ import annotations

import numpy as np

from .. import metrics
from .._validation import choice, int_scalar, int_sequence, real_scalar, real_sequence, rng_from
from .data import METHODS, _inputs, clustered_inputs, random_labels, unit_inputs
from .model import condition_number, gram, gram_fluctuation, make_problem, ntk_gram
from .theory import theorem3_rate
from .training import empirical_rate, linearised_residuals, train

__all__ = ["gram_concentration", "width_sweep", "conditioning_sweep", "iterations_to", "appendix_h_experiment",
           "appendix_h_seeds"]

#: Iterations until the loss stays at or below ``tol`` times its start (-1: not reached); the one
#: implementation, :func:`accelbook.metrics.iterations_to_tolerance`, under Chapter 3's name.
iterations_to = metrics.iterations_to_tolerance


def gram_concentration(X, widths, *, trials=20, seed=0, max_batch_elements=2_000_000):
    r"""Lemma 5 measured: for each width, ``trials`` independent initialisations and
    :math:`\|H_0-\bar H\|_F`, :math:`\lambda_{\min}(H_0)`, :math:`\lambda_{\max}(H_0)`.

    Returns a dict of arrays of shape ``(len(widths), trials)`` (``frob``, ``lam_min``, ``lam_max``),
    the widths, and :math:`\sqrt{v/m}` (``expected_rms``: the exact root-mean-square of the Frobenius
    error, :func:`gram_fluctuation`).
    """
    X = _inputs(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be one data set of shape (n, d), got shape {X.shape}")
    widths = np.asarray(int_sequence("widths", widths, lo=1))
    trials = int_scalar("trials", trials, lo=1)
    rng = rng_from(seed)
    max_batch_elements = int_scalar("max_batch_elements", max_batch_elements, lo=1)
    H_bar = ntk_gram(X)
    frob, lo, hi = (np.empty((widths.size, trials)) for _ in range(3))
    for k, m in enumerate(widths):
        chunk = max(1, min(trials, max_batch_elements // (m * X.shape[1])))
        for s in range(0, trials, chunk):
            b = min(chunk, trials - s)
            H0 = gram(rng.standard_normal((b, m, X.shape[1])), X)
            e = np.linalg.eigvalsh(H0)
            frob[k, s:s + b] = np.linalg.norm(H0 - H_bar, axis=(-2, -1))
            lo[k, s:s + b], hi[k, s:s + b] = e[:, 0], e[:, -1]
    return {"widths": widths, "frob": frob, "lam_min": lo, "lam_max": hi, "H_bar": H_bar,
            "expected_rms": np.sqrt(gram_fluctuation(X) / widths)}


def width_sweep(X, y, widths, eta, beta, n_iter, *, trials=3, seed=0, method="heavy_ball"):
    r"""Train at several widths (``trials`` initialisations each, one batch per width; ``trials`` may
    be one int or one int per width) with fixed
    ``eta`` and ``beta`` (e.g. from :math:`\bar H`), next to the linearised model of each trial
    (:func:`linearised_residuals` with that trial's :math:`H_0`).

    Returns a dict of arrays of shape ``(len(widths), max trials)`` (``nan`` where a width has fewer
    trials): ``rate`` (measured, :func:`empirical_rate`),
    ``linear_rate`` (same measurement on the linearised model), ``deviation``
    (:math:`\max_t\|\xi_t-\xi^{\rm lin}_t\|/\|\xi_0\|`), ``pattern_change`` (at the end), ``max_distance``
    (:math:`\max_{t,r}\|w^{(r)}_t-w^{(r)}_0\|`), ``kappa_hat``; ``widths``; and ``diverged`` (one flag
    per width: that batch stopped early, and its numbers are measured on the finite prefix).
    """
    X = _inputs(X)
    widths = int_sequence("widths", widths, lo=1)
    per_width = [trials] * len(widths) if np.ndim(trials) == 0 else int_sequence("trials", trials, lo=1)
    if len(per_width) != len(widths):
        raise ValueError(f"trials must be an int or have one entry per width ({len(widths)}), got {len(per_width)}")
    per_width = [int_scalar("trials", t, lo=1) for t in per_width]
    rng = rng_from(seed)
    keys = ("rate", "linear_rate", "deviation", "pattern_change", "max_distance", "kappa_hat")
    out = {k: np.full((len(widths), max(per_width)), np.nan) for k in keys}
    out["diverged"] = np.zeros(len(widths), dtype=bool)
    for k, (m, b) in enumerate(zip(widths, per_width)):
        prob = make_problem(X, y, m, seed=rng, trials=b)
        run = train(prob, method, eta, beta, n_iter)
        lin = linearised_residuals(prob.H0, run.xi[0], eta, beta, run.nit, method=method)
        T = lin.nit + 1                                   # both runs' finite prefix
        xi = run.xi[:T]
        out["rate"][k, :b] = empirical_rate(xi)
        out["linear_rate"][k, :b] = empirical_rate(lin.xi)
        out["deviation"][k, :b] = np.max(np.linalg.norm(xi - lin.xi, axis=-1), axis=0) / np.linalg.norm(xi[0], axis=-1)
        out["pattern_change"][k, :b] = run.pattern_change[T - 1]
        out["max_distance"][k, :b] = np.max(run.max_distance[:T], axis=0)
        out["kappa_hat"][k, :b] = prob.kappa_hat
        out["diverged"][k] = run.diverged or lin.diverged
    out["widths"] = np.asarray(widths)
    return out


def appendix_h_experiment(seed, *, n=5, d=10, m=1000, n_iter=200, which=METHODS):
    r"""The experiment of Appendix H: ``n`` Gaussian inputs scaled to unit norm, labels uniform in
    {-1, 1}, width ``m``, :math:`\eta = 1/\lambda_{\max}(H_0)`, :math:`\beta = (1-\frac{1}{2\sqrt{\hat\kappa}})^2`;
    gradient descent with the same η (and Nesterov with the same η, β); ``which`` selects the methods.
    Returns ``(problem, runs)`` with ``runs`` a dict method -> :class:`ReluRun`."""
    if isinstance(which, str) or not np.iterable(which) or len(which) == 0:
        raise TypeError(f"which must be a non-empty sequence of method names from {METHODS}, got {which!r}")
    which = [choice("which", meth, METHODS) for meth in which]
    n_iter = int_scalar("n_iter", n_iter, lo=0)
    rng = rng_from(seed)
    X = unit_inputs(n, d, seed=rng)
    prob = make_problem(X, random_labels(n, seed=rng), m, seed=rng)
    eta, beta = prob.momentum_parameters()
    runs = {meth: train(prob, meth, eta, 0.0 if meth == "gd" else beta, n_iter) for meth in which}
    return prob, runs

def appendix_h_seeds(seeds, *, m=1000, n_iter=150, tol=1e-12):
    r"""Appendix H's experiment repeated over ``seeds``: per seed :math:`\hat\kappa`, the iterations gradient
    descent and heavy ball need to reach :math:`\ell_t\le` ``tol`` :math:`\ell_0`, and their final
    pattern-change fractions. Returns a dict of arrays (an iteration count is -1 where the tolerance is not
    reached within ``n_iter``, :data:`accelbook.metrics.NOT_REACHED`)."""
    seeds = int_sequence("seeds", seeds, lo=0)
    m = int_scalar("m", m, lo=1)
    n_iter = int_scalar("n_iter", n_iter, lo=0)
    tol = real_scalar("tol", tol, lo=0.0, lo_open=True)
    keys = ("kappa_hat", "iters_gd", "iters_hb", "pattern_gd", "pattern_hb")
    out = {k: np.empty(len(seeds)) for k in keys}
    for k, s in enumerate(seeds):
        prob, runs = appendix_h_experiment(s, m=m, n_iter=n_iter, which=("gd", "heavy_ball"))
        out["kappa_hat"][k] = prob.kappa_hat
        out["iters_gd"][k] = iterations_to(runs["gd"].loss, tol)
        out["iters_hb"][k] = iterations_to(runs["heavy_ball"].loss, tol)
        out["pattern_gd"][k] = runs["gd"].pattern_change[-1]
        out["pattern_hb"][k] = runs["heavy_ball"].pattern_change[-1]
    return out


def conditioning_sweep(angles, *, n=5, d=10, m=2000, n_iter=1500, seed=0):
    r"""Data of increasing condition number: for each angle, :func:`clustered_inputs`, one initialisation,
    Appendix H's :math:`\eta = 1/\lambda_{\max}(H_0)` and :math:`\beta = (1-\frac{1}{2\sqrt{\hat\kappa}})^2`,
    gradient descent and heavy ball. Returns a dict of arrays over the angles: ``kappa_hat``,
    ``kappa`` (of :math:`\bar H`), measured ``rate_gd`` and ``rate_hb``, and the rates of Theorem 3
    (``theorem3``, at the same η) and Theorem 9 (``theorem9`` :math:`= 1-1/(4\sqrt{\hat\kappa})`),
    ``pattern_gd``, ``pattern_hb`` (final pattern-change fractions)."""
    angles = real_sequence("angles", angles, lo=0.0, hi=np.pi / 2, lo_open=True)
    n_iter = int_scalar("n_iter", n_iter, lo=0)
    keys = ("kappa_hat", "kappa", "rate_gd", "rate_hb", "theorem3", "theorem9", "pattern_gd", "pattern_hb")
    out = {k: np.empty(len(angles)) for k in keys}
    rng = rng_from(seed)
    for k, angle in enumerate(angles):
        X = clustered_inputs(n, d, angle, seed=rng)
        prob = make_problem(X, random_labels(n, seed=rng), m, seed=rng)
        eta, beta = prob.momentum_parameters()
        gd = train(prob, "gd", eta, 0.0, n_iter)
        hb = train(prob, "heavy_ball", eta, beta, n_iter)
        out["kappa_hat"][k], out["kappa"][k] = prob.kappa_hat, condition_number(prob.H_bar)
        out["rate_gd"][k], out["rate_hb"][k] = empirical_rate(gd.xi), empirical_rate(hb.xi)
        out["theorem3"][k] = theorem3_rate(eta, prob.H_bar)
        out["theorem9"][k] = 1 - 0.25 / np.sqrt(prob.kappa_hat)
        out["pattern_gd"][k], out["pattern_hb"][k] = gd.pattern_change[-1], hb.pattern_change[-1]
    return out

