r"""The experiments of Chapter 5, returning data: the κ sweep, the three regimes of the explainer's Fig. 3, where
the bounds of Theorems 6 and 7 stop holding, the deep ReLU network at several penultimate widths, and the rate
table.  Every run goes through :func:`.training.train`; a diverging run is flagged (``run.result.diverged``) and
contributes its finite prefix, and a count it does not reach is ``-1``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .._validation import choice, flag, instance_of, int_scalar, real_array, real_scalar, rng_from
from .defaults import DEFAULTS, METHODS
from .model import AdditiveModel, make_additive
from .lemmas import gradient_dominance_ratio
from .network import INIT_SCHEMES, ReluNetwork, init_network, make_regression_data
from .theory import C_MAX_RATE, _c, method_parameters, theorem_conditions, safe_c, theorem6_bound, theorem6_rate, theorem7_bound, theorem7_rate
from .training import PartitionRun, iterations_to_tol, measured_rate, train

__all__ = ["kappa_sweep", "regime_runs", "bound_ratio", "theorem_check_sweep", "network_runs", "width_study",
           "rate_table", "format_rate_table", "conditions_map"]


def _methods(methods_):
    if isinstance(methods_, str) or not isinstance(methods_, (list, tuple)) or not methods_:
        raise TypeError(f"methods_ must be a non-empty tuple of method names {METHODS}, got {methods_!r}")
    return tuple(choice("methods_", m, METHODS) for m in methods_)


def _opt(check, name, value, default, **kw):
    return check(name, default if value is None else value, **kw)


def _vector(name, values, default, **kw):
    v = real_array(name, default if values is None else values, nonempty=True, **kw)
    if v.ndim != 1:
        raise ValueError(f"{name} must be a 1-d sequence, got shape {v.shape}")
    return v


def kappa_sweep(kappas=None, sigma_A2=None, *, tol=None, c=None, n_trials=None, seed=None,
                methods_=("gd", "nesterov"), max_iter=200_000):
    r"""Iterations to reach :math:`f_k/f_0 \le` ``tol`` on additive models, for each κ and method.

    Returns a dict: ``"kappa"`` (m,), and for each method an int array ``(m, T)`` of iteration counts
    (:func:`iterations_to_tol`; -1 where not reached, e.g. a diverged run).  Each (κ, method) is one batched
    run over the ``n_trials`` instances; κ number i uses the seed ``seed + i``.
    """
    d = DEFAULTS
    kappas = _vector("kappas", kappas, d.sweep_kappas, lo=1.0)
    sigma_A2 = _opt(real_scalar, "sigma_A2", sigma_A2, d.sigma_regimes[0], lo=0.0)
    tol = _opt(real_scalar, "tol", tol, d.tol_explorer, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    c = _c(d.c if c is None else c)
    n_trials = _opt(int_scalar, "n_trials", n_trials, d.n_trials, lo=1)
    seed = _opt(int_scalar, "seed", seed, d.seed, lo=0)
    methods_ = _methods(methods_)
    max_iter = int_scalar("max_iter", max_iter, lo=1)
    out = {"kappa": kappas}
    for m in methods_:
        rows = []
        for i, kappa in enumerate(kappas):
            model, w0 = make_additive(kappa, sigma_A2, n_trials=n_trials, seed=seed + i)
            eta, beta = method_parameters(m, kappa, float(model.L1.max()), c)
            run = train(model, w0, m, max_iter, eta=eta, beta=beta, tol=tol, block_steps=False)
            rows.append(iterations_to_tol(run.relative_losses, tol))
        out[m] = np.asarray(rows)
    return out


def regime_runs(sigma_A2, *, kappa=None, c=None, n_iter=None, n_trials=None, seed=None, methods_=METHODS):
    """The three-regimes experiment for one value of :math:`\\sigma_{\\max}(A_2)`: each method, one batched run
    over ``n_trials`` additive instances (the same instances for every method), with
    :math:`\\eta = c/L_1` and ``c = safe_c(model)`` unless given. Returns ``(runs, model, c)``."""
    d = DEFAULTS
    sigma_A2 = real_scalar("sigma_A2", sigma_A2, lo=0.0)
    kappa = _opt(real_scalar, "kappa", kappa, d.kappa, lo=1.0)
    c = None if c is None else _c(c)
    n_iter = _opt(int_scalar, "n_iter", n_iter, d.regime_iters, lo=1)
    n_trials = _opt(int_scalar, "n_trials", n_trials, d.n_trials, lo=1)
    rng = rng_from(d.seed if seed is None else seed)
    methods_ = _methods(methods_)
    model, w0 = make_additive(kappa, sigma_A2, n_trials=n_trials, seed=rng)
    c = safe_c(model) if c is None else c
    out = {}
    for m in methods_:
        eta, beta = method_parameters(m, kappa, float(model.L1.max()), c)
        out[m] = train(model, w0, m, n_iter, eta=eta, beta=beta)
    return out, model, c


def bound_ratio(run, kappa, c):
    r"""Per trial, :math:`\max_{k\ge1} (f_k/f_0)/\text{bound}_k` with Theorem 6's bound for gradient descent
    and Theorem 7's for Nesterov (values above 1 violate the theorem)."""
    run = instance_of("run", run, PartitionRun)
    if run.method not in ("gd", "nesterov"):
        raise ValueError(f"run.method must be 'gd' or 'nesterov' (Theorems 6 and 7), got {run.method!r}")
    kappa = real_scalar("kappa", kappa, lo=1.0)
    c = _c(c, C_MAX_RATE)
    k = np.arange(run.losses.shape[0])
    if k.size < 2:
        raise ValueError("run must have at least one accepted iteration")
    bound = theorem6_bound(kappa, k, c) if run.method == "gd" else theorem7_bound(kappa, k, c)
    return np.max(run.relative_losses[1:] / bound[1:, None], axis=0)


def theorem_check_sweep(sigmas=None, *, kappa=None, c=1.0, n_iter=None, n_trials=None, seed=None):
    r"""Where the bounds of Theorems 6 and 7 stop holding: for each :math:`\sigma_{\max}(A_2)`, gradient descent
    and Nesterov with :math:`\eta = c/L_1`, and the worst :func:`bound_ratio` over trials.

    ``c`` is a number, or ``"stable"``: for each :math:`\sigma_{\max}(A_2)` the largest c that keeps the step
    below the curvature bound of the ReLU pieces, :func:`safe_c` of that value's instances (both theorems
    only say that *some* c > 0 works).  Returns a dict of arrays indexed like ``sigmas``: ``"c"``; ``"gd"``,
    ``"nesterov"`` (worst ratios, over the finite prefix of a diverged run; ``inf`` if it diverged at its first
    step); ``"diverged_gd"``, ``"diverged_nesterov"``; ``"nit_gd"``, ``"nit_nesterov"`` (the iteration at which a
    diverging run stopped); ``"final_gd"``, ``"final_nesterov"`` (median over trials of :math:`f_K/f_0` at the
    last accepted iteration K)."""
    d = DEFAULTS
    sigmas = _vector("sigmas", sigmas, d.check_sigmas, lo=0.0)
    kappa = _opt(real_scalar, "kappa", kappa, d.kappa, lo=1.0)
    stable = isinstance(c, str) and c == "stable"
    c = None if stable else _c(c, C_MAX_RATE)
    n_iter = _opt(int_scalar, "n_iter", n_iter, d.check_iters, lo=1)
    n_trials = _opt(int_scalar, "n_trials", n_trials, d.n_trials, lo=1)
    if seed is not None:
        rng_from(seed)
    out = {"sigma": sigmas, "c": np.zeros(sigmas.size)}
    for m in ("gd", "nesterov"):
        worst, div, nit, final = [], [], [], []
        for i, s in enumerate(sigmas):
            model, w0 = make_additive(kappa, s, n_trials=n_trials, seed=seed)
            out["c"][i] = cs = safe_c(model) if stable else c
            eta, beta = method_parameters(m, kappa, float(model.L1.max()), cs)
            run = train(model, w0, m, n_iter, eta=eta, beta=beta, block_steps=False)
            worst.append(float(np.max(bound_ratio(run, kappa, cs))) if run.result.nit else np.inf)
            div.append(run.result.diverged)
            nit.append(run.result.nit)
            final.append(float(np.median(run.relative_losses[-1])))
        out[m], out[f"diverged_{m}"], out[f"nit_{m}"] = np.asarray(worst), np.asarray(div), np.asarray(nit)
        out[f"final_{m}"] = np.asarray(final)
    return out


def network_runs(penultimate_width=None, *, n_iter=None, n_trials=None, c=None, seed=None, methods_=METHODS,
                 track_every=20, init=None, null_space=False):
    r"""GD, heavy ball and Nesterov on the deep ReLU network (one batched run per method).

    η and β come from the x-block constants at initialisation: :math:`L_1` the largest over trials,
    κ the largest :math:`L_1/\mu` over trials (one η and β must serve every trial of a batch).  ``init`` is
    the initialisation scheme (:data:`INIT_SCHEMES`; default ``DEFAULTS.network_init``, the paper's);
    ``null_space`` records the null-space quantities along Nesterov's run (``run.null_space``).
    Returns ``(runs, info)`` with ``info`` holding the network, ``mu``, ``L1``, ``kappa`` (per trial), the
    κ used, and the gradient ratio :math:`\|\nabla_u f\|^2/\|\nabla_x f\|^2` and local coupling constants at
    initialisation (``"grad_ratio"``, ``"G1_local"``, ``"G2_local"``, per trial).
    """
    d = DEFAULTS
    width = _opt(int_scalar, "penultimate_width", penultimate_width, d.penultimate_width, lo=1)
    n_iter = _opt(int_scalar, "n_iter", n_iter, d.network_iters, lo=1)
    T = _opt(int_scalar, "n_trials", n_trials, d.network_trials, lo=1)
    c = _c(d.c if c is None else c)
    rng = rng_from(d.seed if seed is None else seed)
    methods_ = _methods(methods_)
    track_every = int_scalar("track_every", track_every, lo=1)
    init = choice("init", d.network_init if init is None else init, tuple(INIT_SCHEMES))
    null_space = flag("null_space", null_space)
    net = ReluNetwork(*make_regression_data(seed=rng))
    widths = [d.input_dim] + [d.hidden_width] * (d.depth - 2) + [width]
    W0 = init_network(widths, n_trials=T, seed=rng, scheme=init)
    mu, L1, kappa = net.partition_constants(W0)
    kap = float(np.max(kappa))
    if not np.isfinite(kap):
        raise ValueError(f"penultimate_width={width}: the features do not have rank n at initialisation (mu = 0)")
    runs = {}
    for m in methods_:
        eta, beta = method_parameters(m, kap, float(L1.max()), c)
        runs[m] = train(net, W0, m, n_iter, eta=eta, beta=beta, track_every=track_every,
                        null_space=null_space and m == "nesterov")
    G1, G2 = net.local_coupling(W0)
    return runs, {"net": net, "W0": W0, "mu": mu, "L1": L1, "kappa": kappa, "kappa_used": kap, "widths": widths,
                  "init": init, "grad_ratio": gradient_dominance_ratio(net, W0), "G1_local": G1, "G2_local": G2}


#: The null-space summaries of :func:`width_study`: name -> per-trial value from ``run.null_space``.
_NULL = {"step_share": lambda ns: np.median(ns["step_share"][1:], axis=0) if len(ns["step_share"]) > 1
         else np.zeros(ns["step_share"].shape[1]),
         "iterate_share_end": lambda ns: ns["iterate_share"][-1],
         "acquired_share_end": lambda ns: ns["acquired_share"][-1],
         "row_space_drift_end": lambda ns: ns["row_space_drift"][-1],
         "fixed_mu_min": lambda ns: ns["fixed_mu_ratio"].min(axis=0)}


def width_study(widths=None, *, n_iter=None, n_trials=None, tol=1e-3, c=None, seed=None, init=None):
    r"""The network at several penultimate widths: for each width, :func:`network_runs` and summaries —
    iterations to ``tol`` per method ``(T,)`` (-1 if not reached), the median over trials of
    :math:`\|\Delta u_k\|/\|\Delta x_k\|` over the first 50 iterations (of the accepted ones, for a diverged
    run), κ at initialisation, the largest relative change of :math:`\sigma_{\min}(F_{\Lambda-1})` along
    Nesterov's run, and ``"diverged"`` (per method, one flag per width).  ``"null"`` holds, per width, the
    medians over trials of the null-space quantities of Nesterov's run (:func:`train` with ``null_space``):
    ``"step_share"`` (median over the run), ``"iterate_share_end"``, ``"acquired_share_end"``,
    ``"row_space_drift_end"`` and ``"fixed_mu_min"`` (the smallest over the run); ``"grad_ratio"``,
    ``"G1_local"``, ``"G2_local"`` are the coupling at initialisation ``(widths, T)``."""
    d = DEFAULTS
    if widths is None:
        widths = d.width_study
    if isinstance(widths, (str, bytes)) or not isinstance(widths, (list, tuple, np.ndarray)) or len(widths) == 0:
        raise TypeError(f"widths must be a non-empty sequence of penultimate widths, got {widths!r}")
    widths = tuple(int_scalar(f"widths[{i}]", w, lo=1) for i, w in enumerate(widths))
    n_iter = _opt(int_scalar, "n_iter", n_iter, d.network_iters, lo=1)
    n_trials = _opt(int_scalar, "n_trials", n_trials, d.network_trials, lo=1)
    tol = real_scalar("tol", tol, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    c = None if c is None else _c(c)
    if seed is not None:
        rng_from(seed)
    init = choice("init", DEFAULTS.network_init if init is None else init, tuple(INIT_SCHEMES))
    out = {"widths": np.asarray(widths), "init": init, "runs": {}, "info": {}, "hits": {m: [] for m in METHODS},
           "du_over_dx": {m: [] for m in METHODS}, "diverged": {m: [] for m in METHODS}, "kappa": [],
           "sigma_change": [], "grad_ratio": [], "G1_local": [], "G2_local": [], "null": {k: [] for k in _NULL}}
    for wdt in widths:
        runs, info = network_runs(wdt, n_iter=n_iter, n_trials=n_trials, c=c, seed=seed, init=init, null_space=True)
        out["runs"][wdt], out["info"][wdt] = runs, info
        for key in ("kappa", "grad_ratio", "G1_local", "G2_local"):
            out[key].append(info[key])
        ns = runs["nesterov"].null_space
        for key, value in _NULL.items():
            out["null"][key].append(float(np.median(value(ns))))
        for m, run in runs.items():
            out["hits"][m].append(iterations_to_tol(run.relative_losses, tol))
            ratio = run.du[:50] / run.dx[:50]  # a run rejected at its first step has no step: reported as 0
            out["du_over_dx"][m].append(np.median(ratio, axis=0) if ratio.shape[0] else np.zeros(ratio.shape[1]))
            out["diverged"][m].append(run.result.diverged)
        s = runs["nesterov"].sigma_min
        out["sigma_change"].append(np.max(np.abs(s / s[0] - 1), axis=0))
    for key in ("kappa", "sigma_change", "grad_ratio", "G1_local", "G2_local"):
        out[key] = np.asarray(out[key])
    for key in ("hits", "du_over_dx", "diverged", "null"):
        out[key] = {m: np.asarray(v) for m, v in out[key].items()}
    return out


def _regimes(regimes):
    if not isinstance(regimes, Mapping) or not regimes:
        raise TypeError(f"regimes must be a non-empty dict sigma -> (runs, model, c) (regime_runs output), "
                        f"got {type(regimes).__name__}")
    for sigma, entry in regimes.items():
        if not (isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[0], Mapping)
                and all(isinstance(r, PartitionRun) for r in entry[0].values()) and isinstance(entry[1], AdditiveModel)):
            raise TypeError(f"regimes[{sigma!r}] must be a tuple (runs, model, c) as returned by regime_runs")
    return regimes


def rate_table(regimes, kappa=None):
    r"""Measured average rates (median, 10% and 90% quantiles over trials, :func:`measured_rate`) against
    Theorems 6 and 7, for ``regimes = {sigma: (runs, model, c)}`` as returned by :func:`regime_runs`.

    Returns a list of dicts (one per regime and method); ``"spread"`` is
    :math:`\log q_{10}/\log q_{90}`, how many times more iterations the 90%-quantile (slow) instance needs
    than the 10%-quantile (fast) one to reach the same small tolerance."""
    regimes = _regimes(regimes)
    kappa = _opt(real_scalar, "kappa", kappa, DEFAULTS.kappa, lo=1.0)
    rows = []
    for sigma, (runs, model, c) in regimes.items():
        for m, run in runs.items():
            rate = measured_rate(run.relative_losses)
            proven = {"gd": theorem6_rate(kappa, c), "nesterov": theorem7_rate(kappa, c)}.get(m, np.nan)
            q10, q90 = np.quantile(rate, [0.1, 0.9])
            rows.append({"sigma": float(sigma), "method": m, "c": c, "median": float(np.median(rate)),
                         "q10": float(q10), "q90": float(q90), "proven": float(proven),
                         "spread": float(np.log(q10) / np.log(q90)), "diverged": run.result.diverged})
    return rows


_ROW_KEYS = ("sigma", "method", "c", "median", "q10", "q90", "spread", "proven")


def format_rate_table(rows):
    """A fixed-width text rendering of :func:`rate_table`."""
    if not isinstance(rows, (list, tuple)) or not all(isinstance(r, Mapping) and set(_ROW_KEYS) <= set(r) for r in rows):
        raise TypeError(f"rows must be a list of dicts with keys {_ROW_KEYS} (rate_table output), got {rows!r:.60}")
    lines = [f"{'sigma_max(A2)':>13} {'method':>10} {'c':>7} {'median rate':>11} {'10% rate':>9} {'90% rate':>9} "
             f"{'spread':>6} {'proven':>8}"]
    for r in rows:
        proven = "-" if np.isnan(r["proven"]) else f"{r['proven']:.5f}"
        lines.append(f"{r['sigma']:>13g} {r['method']:>10} {r['c']:>7.4f} {r['median']:>11.5f} {r['q10']:>9.5f} "
                     f"{r['q90']:>9.5f} {r['spread']:>6.2f} {proven:>8}")
    return "\n".join(lines)


#: The smallness conditions :func:`conditions_map` reports (keys of :data:`CONDITIONS`).
SMALLNESS = ("thm6_G1", "thm7_G1", "thm7_G1G2", "thm7_G1_explainer", "thm7_G1G2_explainer")


def conditions_map(sigmas=None, kappas=None, studies=(), *, kappa=None, sigma_A2=None, c=1.0, constant=1.0):
    r"""Where the chapter's instances sit relative to the smallness conditions of Theorems 6 and 7
    (:func:`theorem_conditions`, every hidden absolute constant = ``constant``, an assumption).

    Additive models with :math:`\sigma_{\max}(A_1) = 1` (the chapter's): :math:`L_1 = L_2 = 1`,
    :math:`\mu = 1/\kappa`, :math:`G_1 = G_2 = \sigma_{\max}(A_2)`, exactly; the assumptions hold everywhere
    (:math:`R = \infty`), so the radius conditions hold.  ``"sigma"``: the ratios against ``sigmas`` at
    ``kappa``; ``"kappa"``: against ``kappas`` at ``sigma_A2``.  Networks (``studies``: :func:`width_study`
    outputs): μ and :math:`L_1` at initialisation and the *local* coupling constants
    (``ReluNetwork.local_coupling``), lower bounds on :math:`G_1, G_2` over any ball, so the ratios are lower
    bounds (median over trials); keyed ``"network_<init>"``.  Each entry maps a key of ``SMALLNESS`` to an array.
    """
    d = DEFAULTS
    sigmas = _vector("sigmas", sigmas, d.check_sigmas, lo=0.0)
    kappas = _vector("kappas", kappas, d.sweep_kappas, lo=1.0)
    kappa = _opt(real_scalar, "kappa", kappa, d.kappa, lo=1.0)
    sigma_A2 = _opt(real_scalar, "sigma_A2", sigma_A2, d.sigma_regimes[0], lo=0.0)
    c = _c(c, C_MAX_RATE)
    constant = real_scalar("constant", constant, lo=0.0, lo_open=True)
    if isinstance(studies, Mapping) or not isinstance(studies, (list, tuple)) or \
            not all(isinstance(st, Mapping) and {"widths", "info", "G1_local"} <= set(st) for st in studies):
        raise TypeError("studies must be a list of width_study outputs")
    pick = lambda r: {k: np.asarray(r["ratios"][k], dtype=float) for k in SMALLNESS}  # noqa: E731
    out = {"sigma_values": sigmas, "kappa_values": kappas, "kappa": kappa, "sigma_A2": sigma_A2,
           "sigma": pick(theorem_conditions(1.0 / kappa, 1.0, 1.0, sigmas, sigmas, 1.0, c=c, constant=constant)),
           "kappa_sweep": pick(theorem_conditions(1.0 / kappas, 1.0, 1.0, sigma_A2, sigma_A2, 1.0, c=c,
                                                  constant=constant))}
    for st in studies:
        rows = []
        for w in st["widths"]:
            info = st["info"][int(w)]
            r = theorem_conditions(info["mu"], info["L1"], 1.0, info["G1_local"], info["G2_local"], 1.0, c=c,
                                   constant=constant)
            rows.append({k: float(np.median(v)) for k, v in pick(r).items()})
        out[f"network_{st['init']}"] = {k: np.asarray([row[k] for row in rows]) for k in SMALLNESS}
        out[f"network_{st['init']}_widths"] = np.asarray(st["widths"])
    return out
