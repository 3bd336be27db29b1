"""First-order methods: gradient descent, heavy ball (Polyak's momentum) and Nesterov's momentum.

All three take a gradient oracle ``grad(w)`` and a starting point ``w0`` that is either one
float array (a vector, or a batch of vectors whose oracle works row by row) or a list of arrays
(a network's layers).  They return a :class:`RunResult`.

Equations follow Wang, Lin & Abernethy (2021), Algorithms 1 and 2, and Liao & Kyrillidis (2024)
for Nesterov's form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ._validation import flag, int_scalar, real_scalar

__all__ = ["RunResult", "gradient_descent", "heavy_ball", "nesterov"]


# ---------------------------------------------------------------- parameter "trees"
def _is_list(w):
    return isinstance(w, (list, tuple))


def _map(f, *trees):
    """Apply ``f`` leaf-wise to one array or to parallel lists of arrays."""
    if _is_list(trees[0]):
        return [f(*leaves) for leaves in zip(*trees)]
    return f(*trees)


def _as_params(name, w):
    if _is_list(w):
        if len(w) == 0:
            raise ValueError(f"{name} must not be an empty list")
        return [_as_array(f"{name}[{i}]", leaf) for i, leaf in enumerate(w)]
    return _as_array(name, w)


def _as_array(name, leaf):
    try:
        arr = np.array(leaf, dtype=np.float64)  # a copy: the caller's array is never modified
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a float array or a list of float arrays") from None
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    return arr


def _sqnorm(w):
    leaves = w if _is_list(w) else [w]
    return float(sum(np.vdot(leaf, leaf) for leaf in leaves))


def _copy(w):
    return _map(np.copy, w)


def _check_grad(g, w):
    ok = (len(g) == len(w) and all(np.shape(a) == np.shape(b) for a, b in zip(g, w))) if _is_list(w) \
        else np.shape(g) == np.shape(w)
    if not ok:
        raise ValueError("grad(w) must return an array (or list of arrays) with the shape of w")


# ---------------------------------------------------------------- result object
@dataclass
class RunResult:
    """Outcome of a run (in the spirit of ``scipy.optimize.OptimizeResult``).

    Attributes
    ----------
    method : str
        ``"gd"``, ``"heavy_ball"`` or ``"nesterov"``.
    x : array or list of arrays
        The last iterate (for Nesterov the sequence ``x_k``, not the extrapolated ``y_k``).
    iterates : list
        The stored iterates, in order; ``stored_at`` gives their iteration indices.
    stored_at : ndarray of int
    losses : ndarray or None
        ``loss(w_t)`` for t = 0, ..., nit (one row per iteration when the loss returns an array).
    step_norms : ndarray
        ``||w_{t+1} - w_t||`` (Euclidean norm over all entries), length ``nit``.
    nit : int
        Number of iterations performed.
    diverged, converged : bool
        Whether the run stopped on overflow, or because every loss reached ``tol``.
    message : str
    eta, beta : float
    y_iterates : list or None
        Nesterov only, when ``store_y=True``: the points ``y_k`` where gradients are taken.
    records : dict of str to ndarray
        The runner's ``monitors`` by name: ``records[name][i]`` is ``monitors[name](w_t)`` at
        ``t = recorded_at[i]`` (every ``record_every``-th iteration and the last accepted one).
    recorded_at : ndarray of int
    step_records : dict of str to ndarray
        The runner's ``step_monitors`` by name: ``step_records[name][t]`` is ``step_monitors[name](w_t, w_{t+1})``
        for every accepted step t = 0, ..., nit - 1 (quantities of a step, such as a Taylor remainder).

    A diverged run (``diverged=True``) holds only what was recorded up to its last accepted iterate, all
    finite; ``nit`` counts accepted steps, so ``len(losses) == nit + 1``.
    """

    method: str
    x: object
    iterates: list
    stored_at: np.ndarray
    losses: np.ndarray | None
    step_norms: np.ndarray
    nit: int
    diverged: bool
    converged: bool
    message: str
    eta: float
    beta: float
    y_iterates: list | None = field(default=None, repr=False)
    records: dict = field(default_factory=dict, repr=False)
    recorded_at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int), repr=False)
    step_records: dict = field(default_factory=dict, repr=False)

    @property
    def trajectory(self) -> np.ndarray:
        """The stored iterates stacked into one array (flat-array runs only)."""
        if self.iterates and _is_list(self.iterates[0]):
            raise TypeError("trajectory is only defined for runs on a single array; use .iterates")
        return np.stack(self.iterates)

    def __repr__(self):
        status = "diverged" if self.diverged else ("converged" if self.converged else "finished")
        return (f"RunResult(method={self.method!r}, eta={self.eta:g}, beta={self.beta:g}, "
                f"nit={self.nit}, {status}: {self.message!r})")


# ---------------------------------------------------------------- the shared driver
def _store_rule(store, n_iter):
    if isinstance(store, str):
        if store == "all":
            return lambda t: True
        if store == "last":
            return lambda t: t == n_iter
        if store == "none":
            return lambda t: False
        raise ValueError(f"store must be 'all', 'last', 'none', a positive int or a list of ints, got {store!r}")
    if isinstance(store, (int, np.integer)) and not isinstance(store, bool):
        every = int_scalar("store", store, lo=1)
        return lambda t: t % every == 0 or t == n_iter
    if isinstance(store, (Sequence, np.ndarray)):
        wanted = {int_scalar("store[i]", s, lo=0) for s in store}
        return lambda t: t in wanted
    raise TypeError(f"store must be 'all', 'last', 'none', a positive int or a list of ints, got {store!r}")


def _finite(value):
    return bool(np.all(np.isfinite(value)))


def _run(method, step, w0, n_iter, eta, beta, loss, store, tol, max_norm, y_of=None, monitors=None,
         record_every=1, step_monitors=None):
    """Drive ``step(t) -> w_{t+1}`` (a closure holding the method's state).

    A step is *accepted* when the new iterate is finite with norm <= ``max_norm``, the step raised no
    FloatingPointError, and its loss, monitor and step-monitor values are finite; the first step that is
    not ends the run as diverged and nothing of it is recorded.  ``nit`` counts accepted steps.
    """
    keep = _store_rule(store, n_iter)
    monitors = dict(monitors or {})
    step_monitors = dict(step_monitors or {})
    step_records = {name: [] for name in step_monitors}
    iterates, stored_at, losses, steps = [], [], [], []
    records = {name: [] for name in monitors}
    recorded_at = []
    ys = [] if y_of is not None else None
    w = w0
    diverged = converged = False
    message = f"completed {n_iter} iterations"

    def measure(t, w, last):
        """The loss and monitor values at w (monitors only on the record_every grid and at the end)."""
        lv = np.asarray(loss(w), dtype=np.float64) if loss is not None else None
        mv = {}
        if monitors and (t % record_every == 0 or last):
            mv = {name: np.asarray(f(w), dtype=np.float64) for name, f in monitors.items()}
        return lv, mv

    def accept(t, w, lv, mv):
        if keep(t):
            iterates.append(_copy(w))
            stored_at.append(t)
            if ys is not None:
                ys.append(_copy(y_of()))
        if lv is not None:
            losses.append(lv)
        if mv:
            recorded_at.append(t)
            for name, value in mv.items():
                records[name].append(value)

    def reached(lv):
        return tol is not None and lv is not None and bool(np.all(lv <= tol))

    t = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        lv, mv = measure(0, w, n_iter == 0)
        if not (_finite(lv) if lv is not None else True) or not all(_finite(v) for v in mv.values()):
            raise ValueError("loss(w0) and every monitor at w0 must be finite")
        accept(0, w, lv, mv)
        if reached(lv):
            converged, message, n_iter = True, f"loss <= tol={tol:g} at iteration 0", 0
        while t < n_iter:
            reason, sv = None, {}
            try:
                w_new = step(t)
                sq = _sqnorm(w_new)
                if not np.isfinite(sq):
                    reason = "the iterate is not finite"
                elif sq > max_norm ** 2:
                    reason = f"the iterate's norm exceeded max_norm={max_norm:g}"
                else:
                    lv, mv = measure(t + 1, w_new, t + 1 == n_iter)
                    sv = {name: np.asarray(f(w, w_new), dtype=np.float64) for name, f in step_monitors.items()}
                    if (lv is not None and not _finite(lv)) or not all(_finite(v) for v in mv.values()) \
                            or not all(_finite(v) for v in sv.values()):
                        reason = "the loss or a monitor is not finite"
            except FloatingPointError as exc:
                reason = f"overflow ({exc})"
            if reason is not None:
                diverged = True
                message = (f"diverged at iteration {t + 1}: {reason} (eta={eta:g}, beta={beta:g} are outside "
                           f"the stable range for this problem); {t} accepted iterations are returned")
                break
            steps.append(np.sqrt(_sqnorm(_map(np.subtract, w_new, w))))
            for name, value in sv.items():
                step_records[name].append(value)
            w = w_new
            t += 1
            if monitors and not mv and (t == n_iter or reached(lv)):  # the last iterate is always recorded
                _, mv = measure(t, w, True)
            accept(t, w, lv, mv)
            if reached(lv):
                converged, message = True, f"loss <= tol={tol:g} at iteration {t}"
                break
    if monitors and (not recorded_at or recorded_at[-1] != t):  # stopped early: record the last accepted iterate
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            _, mv = measure(t, w, True)
        if all(_finite(v) for v in mv.values()):
            recorded_at.append(t)
            for name, value in mv.items():
                records[name].append(value)
    if isinstance(store, str) and store == "last" and stored_at[-1:] != [t]:  # stopped early
        iterates.append(_copy(w))
        stored_at.append(t)
    return RunResult(method=method, x=w, iterates=iterates, stored_at=np.asarray(stored_at, dtype=int),
                     losses=np.asarray(losses) if loss is not None else None,
                     step_norms=np.asarray(steps), nit=t, diverged=diverged, converged=converged,
                     message=message, eta=eta, beta=beta, y_iterates=ys,
                     records={name: np.asarray(v) for name, v in records.items()},
                     recorded_at=np.asarray(recorded_at, dtype=int),
                     step_records={name: np.asarray(v) for name, v in step_records.items()})


def _named_functions(param, functions, what):
    if functions is not None:
        if not isinstance(functions, Mapping):
            raise TypeError(f"{param} must be a dict of name -> {what}, got {type(functions).__name__}")
        for name, f in functions.items():
            if not isinstance(name, str) or not name:
                raise TypeError(f"{param} must have non-empty string names, got {name!r}")
            if not callable(f):
                raise TypeError(f"{param}[{name!r}] must be callable, got {type(f).__name__}")


def _monitor_checks(loss, monitors, record_every, step_monitors=None):
    if loss is not None and not callable(loss):
        raise TypeError(f"loss must be callable or None, got {type(loss).__name__}")
    _named_functions("monitors", monitors, "function of the iterate")
    _named_functions("step_monitors", step_monitors, "function of (w_t, w_t+1)")
    return int_scalar("record_every", record_every, lo=1)


def _common_checks(grad, w0, eta, n_iter, tol, max_norm, name="w0"):
    if not callable(grad):
        raise TypeError("grad must be callable: grad(w) -> gradient with the shape of w")
    w0 = _as_params(name, w0)
    eta = real_scalar("eta", eta, lo=0.0, lo_open=True)
    n_iter = int_scalar("n_iter", n_iter, lo=0)
    if tol is not None:
        tol = real_scalar("tol", tol, lo=0.0)
    max_norm = real_scalar("max_norm", max_norm, lo=0.0, lo_open=True)
    return w0, eta, n_iter, tol, max_norm


def _beta(beta):
    return real_scalar("beta", beta, lo=0.0, hi=1.0, hi_open=True)


def _grad_checked(grad, w):
    g = grad(w)
    g = _map(lambda a: np.asarray(a, dtype=np.float64), g) if _is_list(w) else np.asarray(g, dtype=np.float64)
    _check_grad(g, w)
    return g


# ---------------------------------------------------------------- the methods
def gradient_descent(grad: Callable, w0, eta: float, n_iter: int, *, loss: Callable | None = None,
                     store="all", tol: float | None = None, max_norm: float = 1e100,
                     monitors: Mapping[str, Callable] | None = None, record_every: int = 1,
                     step_monitors: Mapping[str, Callable] | None = None) -> RunResult:
    r"""Gradient descent :math:`w_{t+1} = w_t - \eta \nabla \ell(w_t)`.

    Parameters
    ----------
    grad : callable
        Gradient oracle ``grad(w)``; returns an array (or list of arrays) shaped like ``w``.
    w0 : array or list of arrays
        Starting point (copied; never modified).
    eta : float
        Step size, ``eta > 0``.
    n_iter : int
        Maximum number of iterations.
    loss : callable, optional
        ``loss(w)``, recorded at every iterate (a scalar, or an array for batched trials).
    store : {"all", "last", "none"} or int or list of int
        Which iterates to keep: all, the last, none, every k-th (and the last), or those listed.
    tol : float, optional
        Stop once every entry of ``loss(w_t)`` is ``<= tol``.
    max_norm : float
        The run stops as diverged when ``||w_t||`` exceeds this (or is not finite).
    monitors : dict of str to callable, optional
        Named functions of the iterate, returned by name in ``RunResult.records`` (arrays over t).
        To share work (a forward pass) between ``grad`` and the monitors use
        :class:`accelbook.oracle.CachedOracle`.
    record_every : int
        Evaluate the monitors every ``record_every``-th iteration (and at the last one).
    step_monitors : dict of str to callable, optional
        Named functions ``f(w_t, w_{t+1})`` of each accepted step, returned by name in
        ``RunResult.step_records`` (one entry per step; evaluated at every step).
    """
    w0, eta, n_iter, tol, max_norm = _common_checks(grad, w0, eta, n_iter, tol, max_norm)
    record_every = _monitor_checks(loss, monitors, record_every, step_monitors)
    state = {"w": w0}

    def step(t):
        g = _grad_checked(grad, state["w"])
        state["w"] = _map(lambda w, g: w - eta * g, state["w"], g)
        return state["w"]

    return _run("gd", step, w0, n_iter, eta, 0.0, loss, store, tol, max_norm, monitors=monitors,
                record_every=record_every, step_monitors=step_monitors)


def heavy_ball(grad: Callable, w0, eta: float, beta: float, n_iter: int, *, form: str = "buffer",
               w_prev=None, loss: Callable | None = None, store="all", tol: float | None = None,
               max_norm: float = 1e100, monitors: Mapping[str, Callable] | None = None,
               record_every: int = 1, step_monitors: Mapping[str, Callable] | None = None) -> RunResult:
    r"""Gradient descent with Polyak's momentum (heavy ball).

    ``form="buffer"`` is Algorithm 1 of Wang et al. (2021), the form PyTorch implements:

    .. math:: M_t = \beta M_{t-1} + \nabla\ell(w_t), \qquad w_{t+1} = w_t - \eta M_t ,

    ``form="difference"`` is their Algorithm 2:

    .. math:: w_{t+1} = w_t - \eta\nabla\ell(w_t) + \beta (w_t - w_{t-1}).

    The two coincide when ``M_{-1} = (w_{-1} - w_0)/eta``; by default ``w_{-1} = w_0``
    (so ``M_{-1} = 0``).  Parameters are those of :func:`gradient_descent`, plus

    Parameters
    ----------
    beta : float
        Momentum parameter, ``0 <= beta < 1``.
    form : {"buffer", "difference"}
    w_prev : array or list of arrays, optional
        The point ``w_{-1}``; defaults to ``w0``.
    """
    w0, eta, n_iter, tol, max_norm = _common_checks(grad, w0, eta, n_iter, tol, max_norm)
    record_every = _monitor_checks(loss, monitors, record_every, step_monitors)
    beta = _beta(beta)
    if form not in ("buffer", "difference"):
        raise ValueError(f"form must be 'buffer' (Algorithm 1) or 'difference' (Algorithm 2), got {form!r}")
    w_prev = _copy(w0) if w_prev is None else _as_params("w_prev", w_prev)
    if _is_list(w0) != _is_list(w_prev) or (_is_list(w0) and len(w0) != len(w_prev)) \
            or _map(np.shape, w0) != _map(np.shape, w_prev):
        raise ValueError("w_prev must have the same structure and shapes as w0")

    if form == "buffer":
        state = {"w": w0, "M": _map(lambda a, b: (a - b) / eta, w_prev, w0)}

        def step(t):
            g = _grad_checked(grad, state["w"])
            state["M"] = _map(lambda m, g: beta * m + g, state["M"], g)
            state["w"] = _map(lambda w, m: w - eta * m, state["w"], state["M"])
            return state["w"]
    else:
        state = {"w": w0, "w_prev": w_prev}

        def step(t):
            g = _grad_checked(grad, state["w"])
            new = _map(lambda w, g, wp: w - eta * g + beta * (w - wp), state["w"], g, state["w_prev"])
            state["w_prev"], state["w"] = state["w"], new
            return new

    return _run("heavy_ball", step, w0, n_iter, eta, beta, loss, store, tol, max_norm, monitors=monitors,
                record_every=record_every, step_monitors=step_monitors)


def nesterov(grad: Callable, x0, eta: float, beta: float, n_iter: int, *, loss: Callable | None = None,
             store="all", store_y: bool = False, tol: float | None = None, max_norm: float = 1e100,
             monitors: Mapping[str, Callable] | None = None, record_every: int = 1,
             step_monitors: Mapping[str, Callable] | None = None) -> RunResult:
    r"""Nesterov's momentum with a constant β (the form of Liao & Kyrillidis 2024):

    .. math:: x_{k+1} = y_k - \eta\nabla f(y_k), \qquad y_{k+1} = x_{k+1} + \beta (x_{k+1} - x_k),
              \qquad y_0 = x_0 .

    The recorded iterates and losses are those of ``x_k``; with ``store_y=True`` the points
    ``y_k`` (where the gradient is taken, and which ``torch.optim.SGD(nesterov=True)`` holds as
    its parameters) are kept in ``y_iterates``.  Monitors are evaluated at ``x_k`` and step monitors at
    ``(x_k, x_{k+1})``.  Other parameters as in
    :func:`heavy_ball`.
    """
    x0, eta, n_iter, tol, max_norm = _common_checks(grad, x0, eta, n_iter, tol, max_norm, name="x0")
    record_every = _monitor_checks(loss, monitors, record_every, step_monitors)
    beta = _beta(beta)
    store_y = flag("store_y", store_y)
    state = {"x": x0, "y": _copy(x0)}

    def step(k):
        g = _grad_checked(grad, state["y"])
        x_new = _map(lambda y, g: y - eta * g, state["y"], g)
        state["y"] = _map(lambda xn, x: xn + beta * (xn - x), x_new, state["x"])
        state["x"] = x_new
        return x_new

    return _run("nesterov", step, x0, n_iter, eta, beta, loss, store, tol, max_norm,
                y_of=(lambda: state["y"]) if store_y else None, monitors=monitors, record_every=record_every,
                step_monitors=step_monitors)
