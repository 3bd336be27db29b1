r"""Training deep linear networks with gradient descent and heavy ball (Algorithm 1 of Wang, Lin &
Abernethy 2021, layer by layer) through :mod:`accelbook.methods`, with named records.

One forward pass per iterate serves the gradient and every record: :func:`oracle` wraps it in an
:class:`accelbook.oracle.CachedOracle` (keyed by the iterate's values, never by call order or identity).  The
runners iterate on one flat vector holding all the layers (views give the layers back; one array instead of L
keeps the per-iterate overhead independent of the depth) and return their iterates as lists of layers.
:func:`run_with_decomposition` records Lemma 4 of the source: the terms of each step
:math:`W_t\to W_{t+1}` (:math:`\xi_{t+1}`, :math:`\varphi_t`, :math:`\psi_{t+1}`, :math:`\iota_t`) as a
``step_monitor`` of the pair, the layer movement and Lemma 16's factors as ``monitors`` of the iterate."""

from __future__ import annotations

import numpy as np

from .. import methods, metrics
from .._validation import flag, instance_of, int_scalar, real_scalar
from ..oracle import CachedOracle
from .data import DeepLinearProblem
from .model import _layers, _Products

__all__ = ["oracle", "train", "run_with_decomposition", "iterations_to_accuracy", "measured_rate"]

#: A residual entry beyond this is a divergence (the runners stop there): its square would overflow float64.
RESIDUAL_LIMIT = 1e150

#: The window of :func:`measured_rate` starts where the sequence has fallen to this fraction of its first value.
RATE_START = 0.03


def _problem(problem):
    return instance_of("problem", problem, DeepLinearProblem)


def _weights0(weights0, problem):
    ws = _layers(weights0, name="weights0")
    if ws[0].shape[1] != problem.d or ws[-1].shape[0] != problem.d_y:
        raise ValueError(f"weights0 must map R^{problem.d} to R^{problem.d_y} (the problem's d and d_y), got "
                         f"W1 of shape {ws[0].shape} and WL of shape {ws[-1].shape}")
    return ws


class _Layout:
    """The layers of a network as views of one flat parameter vector (what the runners iterate on: one
    array instead of L keeps the runner's and the oracle's per-iterate work independent of the depth)."""

    def __init__(self, weights):
        self.shapes = [w.shape for w in weights]
        self.stops = np.cumsum([w.size for w in weights])
        self.starts = np.concatenate([[0], self.stops[:-1]]).astype(int)

    def flatten(self, layers):
        return np.concatenate([np.ravel(w) for w in layers])

    def layers(self, v):
        return [v[a:b].reshape(shape) for a, b, shape in zip(self.starts, self.stops, self.shapes)]

    def largest_layer_norm(self, v):
        r""":math:`\max_l \lVert V^{(l)}\rVert_F` over the layers of the flat vector ``v``."""
        return float(np.sqrt(np.max(np.add.reduceat(v * v, self.starts))))

    def result(self, run):
        """``run`` with its iterates (and ``x``) back as lists of layers."""
        run.x = self.layers(run.x)
        run.iterates = [self.layers(v) for v in run.iterates]
        return run


def oracle(problem, weights0, *, eta=1.0, terms=False, spread=False):
    r"""A :class:`~accelbook.oracle.CachedOracle` for ``problem`` on the flat parameter vector of networks
    shaped like ``weights0``: one forward pass per iterate gives

    ``grad`` (the gradients of (5), flattened), ``loss`` (5), ``xi`` (:math:`\mathrm{vec}(U_t-Y)`), ``residual``
    (:math:`\lVert U_t-Y\rVert_F`), ``products`` (the scaled prefix/suffix products, for step quantities),
    with ``terms=True`` ``iota`` (:math:`\eta(H_0-H_t)\xi_t`, (86) in Lemma 4) and ``distance``
    (:math:`\max_l\lVert W^{(l)}_t-W^{(l)}_0\rVert_F`), and with ``spread=True`` ``spread`` (Lemma 16's factors).
    Returns ``(oracle, layout)``; ``layout.flatten(weights0)`` is the start of a run on it.
    """
    problem = _problem(problem)
    w0 = [w.copy() for w in _weights0(weights0, problem)]
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    terms = flag("terms", terms)
    spread = flag("spread", spread)
    X, Y = problem.X, problem.Y
    layout = _Layout(w0)
    p0 = _Products(w0, X) if terms else None
    v0 = layout.flatten(w0)

    def evaluate(v):
        p = _Products(layout.layers(v), X, checked=True)
        R = p.U - Y
        if np.max(np.abs(R)) > RESIDUAL_LIMIT:  # its square would overflow in the loss and the stacked norms
            raise FloatingPointError(f"the residual exceeds {RESIDUAL_LIMIT:g} (the run diverges)")
        out = {"products": p, "grad": layout.flatten(p.adjoint(R)), "loss": 0.5 * float(np.sum(R ** 2)),
               "xi": R.reshape(-1, order="F"), "residual": float(np.linalg.norm(R))}
        if terms:
            out["iota"] = eta * (p0.gram_apply(R) - p.gram_apply(R)).reshape(-1, order="F")
            out["distance"] = layout.largest_layer_norm(v - v0)
        if spread:
            out["spread"] = p.spread()
        return out

    return CachedOracle(evaluate), layout


def train(problem, weights0, eta, beta, n_iter, *, monitors=(), record_loss=True, store="none", tol=None):
    r"""Gradient descent (``beta = 0``) or heavy ball (Algorithm 1) on ``problem`` from ``weights0``, with
    the named outputs of :func:`oracle` listed in ``monitors`` as records (``run.records[name]``) and, with
    ``record_loss``, the loss (5) as ``run.losses``; ``tol`` stops the run once the loss is at most ``tol``.
    Returns the :class:`~accelbook.methods.RunResult` (its iterates lists of layers); a diverging run (an
    output that overflows, or a residual entry beyond :data:`RESIDUAL_LIMIT`) is flagged (``run.diverged``) and
    returns its finite prefix."""
    problem = _problem(problem)
    weights0 = _weights0(weights0, problem)
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    n_iter = int_scalar("n_iter", n_iter, lo=0)
    known = ("loss", "xi", "residual")
    if isinstance(monitors, str) or not np.iterable(monitors) or any(k not in known for k in monitors):
        raise ValueError(f"monitors must be a sequence of names among {known}, got {monitors!r}")
    record_loss = flag("record_loss", record_loss)
    if tol is not None and not record_loss:
        raise ValueError("tol needs record_loss=True (the run stops on the loss)")
    orc, layout = oracle(problem, weights0)
    run = _run(orc, layout.flatten(weights0), eta, beta, n_iter, loss=orc.monitor("loss") if record_loss else None,
               monitors=orc.monitors(*monitors), store=store, tol=tol)
    return layout.result(run)


def _run(orc, v0, eta, beta, n_iter, **kw):
    if beta == 0:
        return methods.gradient_descent(orc.grad, v0, eta, n_iter, **kw)
    return methods.heavy_ball(orc.grad, v0, eta, beta, n_iter, **kw)


def _step_terms(orc, beta):
    r"""Lemma 4 along the step :math:`W_t\to W_{t+1}`, stacked: :math:`\xi_{t+1}`, the Taylor remainders
    :math:`\varphi_t` (around :math:`W_t`, forward) and :math:`\psi_{t+1}` (around :math:`W_{t+1}`, backward),
    and :math:`\iota_t` (at :math:`W_t`)."""
    def step_terms(v, v_next):
        at, nxt = orc(v), orc(v_next)
        p, q = at["products"], nxt["products"]
        step = [b - a for a, b in zip(p.ws, q.ws)]
        varphi = q.U - p.U - p.derivative(step)
        psi_next = beta * (p.U - q.U + q.derivative(step))  # DU_{t+1} is linear: DU[W_t - W_{t+1}] = -DU[step]
        return np.stack([nxt["xi"], varphi.reshape(-1, order="F"), psi_next.reshape(-1, order="F"), at["iota"]])
    return step_terms


def run_with_decomposition(problem, weights0, eta, beta, n_iter, *, store="none", record_spread=False):
    r"""Heavy ball (Algorithm 1; ``beta = 0`` is gradient descent) on the deep linear network through
    :func:`accelbook.methods.heavy_ball`, recording the terms of Lemma 4 of Wang et al. along the run:

    * :math:`\varphi_t = \mathrm{vec}\big(U_{t+1} - U_t - DU_t[W_{t+1}-W_t]\big)` — the higher-order terms
      :math:`\frac{1}{\sqrt{m^{L-1}d_y}}\mathrm{vec}(\Phi_tX)` of the product (84);
    * :math:`\psi_t = \beta\,\mathrm{vec}\big(U_{t-1} - U_t - DU_t[W_{t-1}-W_t]\big)`, which is (85);
    * :math:`\iota_t = \eta(H_0 - H_t)\xi_t` (86);

    so that :math:`\xi_{t+1} = ((1+\beta)I-\eta H_0)\xi_t - \beta\xi_{t-1} + \phi_t` with
    :math:`\phi_t = \varphi_t+\psi_t+\iota_t` (:math:`W_{-1} = W_0`).  The terms of each step are the runner's
    ``step_monitors``, the layer movement its ``monitors``, all from one forward pass per iterate.

    Returns ``(run, terms)``: the :class:`~accelbook.methods.RunResult` (its ``losses`` are the loss (5)) and
    a dict of arrays: ``xi`` (T+1, d_y n); ``varphi``, ``psi``, ``iota``, ``phi`` (T, d_y n); ``distance``
    (:math:`\max_l\lVert W^{(l)}_t-W^{(l)}_0\rVert_F`, T+1) and, with ``record_spread``, ``spread`` (the
    largest of :math:`\lVert S_l\rVert_2` and :math:`\lVert P_l\rVert_2/\lVert X\rVert_2`, Lemma 16's factors).
    T is ``run.nit``: a diverged run (``run.diverged``) returns the terms of its accepted steps.
    """
    problem = _problem(problem)
    weights0 = _weights0(weights0, problem)
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    beta = real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)
    n_iter = int_scalar("n_iter", n_iter, lo=0)
    record_spread = flag("record_spread", record_spread)
    orc, layout = oracle(problem, weights0, eta=eta, terms=True, spread=record_spread)
    v0 = layout.flatten(weights0)
    xi0 = orc(v0)["xi"]
    names = ("distance",) + (("spread",) if record_spread else ())
    run = _run(orc, v0, eta, beta, n_iter, loss=orc.monitor("loss"), monitors=orc.monitors(*names), store=store,
               step_monitors={"lemma4": _step_terms(orc, beta)})
    T, size = run.nit, problem.d_y * problem.n
    step = run.step_records["lemma4"].reshape(T, 4, size)
    terms = {"xi": np.concatenate([xi0[None], step[:, 0]]), "varphi": step[:, 1],
             "psi": np.concatenate([np.zeros((min(T, 1), size)), step[:-1, 2]]),
             "iota": step[:, 3], "distance": run.records["distance"]}
    if record_spread:
        terms["spread"] = run.records["spread"]
    terms["phi"] = terms["varphi"] + terms["psi"] + terms["iota"]
    return layout.result(run), terms


def iterations_to_accuracy(problem, weights0, eta, beta, tol, *, max_iter=100_000):
    r"""Iterations until :math:`\lVert U_t-Y\rVert_F \le \mathrm{tol}\,\lVert U_0-Y\rVert_F` for heavy ball
    (``beta = 0``: gradient descent), in the convention of :func:`accelbook.metrics.iterations_to_tolerance`.

    The run stops once the residual is a further factor 10 below the tolerance, ``tol/10`` times its start
    (or after ``max_iter`` iterations); the count is the first t from which the residual stays at or below
    ``tol`` times its start up to there, so a transient dip below the tolerance does not count.
    Returns :data:`accelbook.metrics.NOT_REACHED` (-1) if that never happens or the run diverged.
    """
    problem = _problem(problem)
    tol = real_scalar("tol", tol, lo=0.0, lo_open=True, hi=1.0, hi_open=True)
    max_iter = int_scalar("max_iter", max_iter, lo=0)
    loss0 = problem.loss(_weights0(weights0, problem))
    if loss0 == 0.0:
        return 0
    run = train(problem, weights0, eta, beta, max_iter, monitors=("residual",), tol=loss0 * (tol / 10) ** 2)
    if run.diverged:
        return metrics.NOT_REACHED
    return metrics.iterations_to_tolerance(run.records["residual"], tol)


def measured_rate(values):
    r"""The rate a decaying sequence shows, :func:`accelbook.metrics.measured_rate` with the window that
    Chapter 4 uses: from the first value at most :data:`RATE_START` (= 0.03) times the first one, to the
    first at most ``1e-12`` times it (the end if never)."""
    return metrics.measured_rate(values, start=RATE_START)
