r"""The quantities of Lemma 8 and Lemma 9 (gradient dominance) of Liao & Kyrillidis (2024), and difference
quotients that check the constants of Theorem 13, measured on a problem.

* Lemma 8 (the sliding minimiser): :math:`\|x^\star(u_1)-x^\star(u_2)\| \le (G_2/\mu)\|u_1-u_2\|`;
* Lemma 9 (gradient dominance): :math:`\|\nabla_u f\|^2 \le (G_1^2L_2/\mu)\|\nabla_x f\|^2`.
"""

from __future__ import annotations

import numpy as np

from .._validation import flag, instance_of, int_scalar, real_scalar, rng_from
from .model import AdditiveModel, _trial_norm
from .network import ReluNetwork

__all__ = ["block_grad_norms", "gradient_dominance_ratio", "lemma8_ratio", "lipschitz_ratios", "pattern_G2"]

PROBLEMS = (AdditiveModel, ReluNetwork)


def _problem(problem):
    return instance_of("problem", problem, PROBLEMS)


def _split(problem, w):
    """``(x_leaves, u_leaves)`` of an already checked parameter list."""
    return ([w[0]], [w[1]]) if isinstance(problem, AdditiveModel) else ([w[-1]], list(w[:-1]))


def _block_grad_norms(problem, w):
    gx, gu = _split(problem, problem._grad(w))
    return _trial_norm(gx), _trial_norm(gu)


def block_grad_norms(problem, w):
    r"""Per-trial :math:`(\|\nabla_x f\|, \|\nabla_u f\|)` at ``w``.

    Parameters
    ----------
    problem : AdditiveModel or ReluNetwork
    w : list of arrays
        A parameter list of ``problem`` (``[x, u]``, or the network's layers).
    """
    problem = _problem(problem)
    return _block_grad_norms(problem, problem.check_params(w, "w"))


def _dominance(nx, nu):
    both_zero = (nx == 0) & (nu == 0)  # at an exact minimiser: report 0
    with np.errstate(divide="ignore"):  # grad_x f = 0 with grad_u f != 0 (possible without A6): inf
        return np.divide(nu ** 2, np.where(both_zero, 1.0, nx ** 2))


def gradient_dominance_ratio(problem, w):
    r""":math:`\|\nabla_u f\|^2/\|\nabla_x f\|^2` per trial; Lemma 9 (gradient dominance) bounds it by
    :math:`G_1^2L_2/\mu` (for the additive model: everywhere, since A6 holds everywhere).  0 at an exact
    minimiser, ``inf`` where :math:`\nabla_x f = 0 \ne \nabla_u f` (possible only without A6)."""
    problem = _problem(problem)
    return _dominance(*_block_grad_norms(problem, problem.check_params(w, "w")))


def lemma8_ratio(model, u1, u2):
    r""":math:`\|x^\star(u_1) - x^\star(u_2)\|/\|u_1 - u_2\|` per trial (additive model); Lemma 8 bounds it
    by :math:`G_2/\mu`."""
    model = instance_of("model", model, AdditiveModel)
    u1, u2 = model._u("u1", u1), model._u("u2", u2)
    den = np.linalg.norm(u1 - u2, axis=1)
    if np.any(den == 0):
        raise ValueError("u2 must differ from u1 in every trial")
    return np.linalg.norm(model.x_star(u1) - model.x_star(u2), axis=1) / den


def lipschitz_ratios(model, n_pairs, *, seed, scale=1.0):
    r"""Difference quotients on random pairs, each to be compared with a constant of Theorem 13.

    For ``n_pairs`` random points and perturbations (standard Gaussian times ``scale``), returns a dict of
    arrays of shape ``(n_pairs, T)``:

    * ``"G1"``: :math:`\|h(x,u_1)-h(x,u_2)\|/\|u_1-u_2\|` (A4);
    * ``"G2"``: :math:`\|\nabla_xf(x,u_1)-\nabla_xf(x,u_2)\|/\|u_1-u_2\|` (A5);
    * ``"L1"``: :math:`\|\nabla_xf(x_1,u)-\nabla_xf(x_2,u)\|/\|x_1-x_2\|` (A2);
    * ``"mu"``: :math:`\langle\nabla_xf(x_1,u)-\nabla_xf(x_2,u), x_1-x_2\rangle/\|x_1-x_2\|^2` (A1, a lower bound);
    * ``"x_star"``: Lemma 8's quotient :math:`\|x^\star(u_1)-x^\star(u_2)\|/\|u_1-u_2\|`;
    * ``"dominance"``: :math:`\|\nabla_uf\|^2/\|\nabla_xf\|^2` at the random points (Lemma 9).
    """
    model = instance_of("model", model, AdditiveModel)
    n_pairs = int_scalar("n_pairs", n_pairs, lo=1)
    scale = real_scalar("scale", scale, lo=0.0, lo_open=True)
    rng = rng_from(seed)
    T, dx, du = model.n_trials, model.dim_x, model.dim_u
    out = {k: [] for k in ("G1", "G2", "L1", "mu", "x_star", "dominance")}
    for _ in range(n_pairs):
        x1, x2 = scale * rng.standard_normal((2, T, dx))
        u1, u2 = scale * rng.standard_normal((2, T, du))
        nu_, nx_ = np.linalg.norm(u1 - u2, axis=1), np.linalg.norm(x1 - x2, axis=1)
        out["G1"].append(np.linalg.norm(model.output([x1, u1]) - model.output([x1, u2]), axis=1) / nu_)
        gx_u1, gx_u2 = model.grad([x1, u1])[0], model.grad([x1, u2])[0]
        out["G2"].append(np.linalg.norm(gx_u1 - gx_u2, axis=1) / nu_)
        dg = gx_u1 - model.grad([x2, u1])[0]
        out["L1"].append(np.linalg.norm(dg, axis=1) / nx_)
        out["mu"].append(np.sum(dg * (x1 - x2), axis=1) / nx_ ** 2)
        out["x_star"].append(lemma8_ratio(model, u1, u2))
        out["dominance"].append(gradient_dominance_ratio(model, [x1, u1]))
    return {k: np.asarray(v) for k, v in out.items()}


def _norms(M):
    """Spectral norms of a batch of matrices ``(..., m, n)``."""
    return np.linalg.norm(M, ord=2, axis=(-2, -1))


def pattern_G2(model, *, n_starts=8, seed=0, exhaustive=None):
    r"""The true A5 constant of an additive model: :math:`\max_D \|A_1^\top D A_2\|` over activation patterns.

    :math:`\nabla_x f = A_1^\top(A_1x - b) + A_1^\top\sigma(A_2u)` is piecewise linear in u with Jacobian
    :math:`A_1^\top D A_2` on the region of pattern :math:`D = \mathrm{diag}(\mathbb{1}[A_2u > 0])`, so its
    Lipschitz constant is the largest such norm over the patterns that occur; Theorem 13's
    :math:`G_2 = B\sigma_{\max}(A_1)\sigma_{\max}(A_2)` bounds it.  Every pattern occurs when :math:`A_2` has full
    row rank (``dim_out <= dim_u``, the generic case); otherwise the search may include patterns that do not occur
    and the result is an upper bound on the true constant (still at most Theorem 13's).

    Parameters
    ----------
    model : AdditiveModel
    n_starts : int
        Random starting patterns of the local search (bit flips that increase the norm, until none does).
    seed : int or Generator
    exhaustive : bool, optional
        Try all :math:`2^m` patterns (``m`` = rows of ``A1``); default: when ``m <= 12``.

    Returns
    -------
    dict with ``"G2"`` (per trial, times B), ``"pattern"`` (the best pattern, ``(T, m)`` bools) and
    ``"exhaustive"`` (whether every pattern was tried; otherwise ``"G2"`` is a lower bound on the maximum).
    """
    model = instance_of("model", model, AdditiveModel)
    n_starts = int_scalar("n_starts", n_starts, lo=1)
    rng = rng_from(seed)
    m = model.dim_out
    exhaustive = (m <= 12) if exhaustive is None else flag("exhaustive", exhaustive)
    if exhaustive and m > 20:
        raise ValueError(f"exhaustive must be False for more than 20 rows (2^m patterns), got m = {m}")
    A1t = np.swapaxes(model.A1, 1, 2)  # (T, d, m)
    best, pattern = np.zeros(model.n_trials), np.zeros((model.n_trials, m), dtype=bool)
    for t in range(model.n_trials):
        value = lambda D: _norms((A1t[t] * D[..., None, :]) @ model.A2[t])  # noqa: E731
        if exhaustive:
            D = ((np.arange(2 ** m)[:, None] >> np.arange(m)) & 1).astype(float)
            vals = np.concatenate([value(D[i:i + 4096]) for i in range(0, len(D), 4096)])
            best[t], pattern[t] = vals.max(), D[vals.argmax()] > 0
            continue
        for _ in range(n_starts):
            D = (rng.random(m) < 0.5).astype(float)
            current = float(value(D[None])[0])
            while True:
                flips = np.abs(D[None] - np.eye(m))  # every single-bit flip of D
                vals = value(flips)
                if vals.max() <= current * (1 + 1e-12):
                    break
                D, current = flips[vals.argmax()], float(vals.max())
            if current > best[t]:
                best[t], pattern[t] = current, D > 0
    return {"G2": model.B * best, "pattern": pattern, "exhaustive": bool(exhaustive)}
