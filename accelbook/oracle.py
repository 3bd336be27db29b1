r"""A cached first-order oracle: one forward pass shared by the gradient and the monitors of a run.

A model whose gradient and whose diagnostics (a residual, an activation pattern, a Gram matrix) come from
the same forward pass gives :class:`CachedOracle` one function, ``evaluate(w) -> dict``, that returns all of
them.  The runner in :mod:`accelbook.methods` then asks ``oracle.grad`` for the gradient and
``oracle.monitor(name)`` for each record; both look the iterate up in a small cache.

Contract (tested in ``tests/test_oracle.py``)
--------------------------------------------
* The cache is keyed on the iterate's **values** (shapes and float64 entries compared exactly), never on
  object identity or on the order of calls: asking for the gradient and the monitors at equal iterates, in
  any order, evaluates once; an iterate with any entry changed is evaluated anew.
* The cached iterate is a private copy: modifying the caller's array afterwards cannot return stale values.
* ``maxsize`` iterates are kept (2 by default: Nesterov asks for the gradient at :math:`y_k` and the monitors
  at :math:`x_k`).
* ``evaluations`` counts calls of ``evaluate``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from ._validation import callable_arg, int_scalar

__all__ = ["CachedOracle"]


def _leaves(w):
    return list(w) if isinstance(w, (list, tuple)) else [w]


def _same(key, w):
    """Whether ``w`` has exactly the values of the cached ``key`` (float64 leaves); NaN never matches.

    Five entries spread over each leaf are compared first: consecutive iterates almost always differ in one
    of them, so a miss rarely costs a full comparison; a hit costs one elementwise comparison per leaf."""
    la, lb = _leaves(key), _leaves(w)
    if len(la) != len(lb):
        return False
    for x, y in zip(la, lb):
        y = np.asarray(y)
        if x.shape != y.shape:
            return False
        last = x.size - 1
        if last >= 0 and any(x.item(i) != y.item(i) for i in (0, last // 4, last // 2, 3 * last // 4, last)):
            return False
        if not (x == y).all():
            return False
    return True


def _frozen_copy(w):
    leaves = [np.array(leaf, dtype=np.float64) for leaf in _leaves(w)]
    return leaves if isinstance(w, (list, tuple)) else leaves[0]


class CachedOracle:
    """Evaluate ``evaluate(w)`` once per distinct iterate and serve its named outputs.

    Parameters
    ----------
    evaluate : callable
        ``evaluate(w) -> Mapping[str, array]``; must contain the key ``"grad"`` (shaped like ``w``).
    maxsize : int
        How many distinct iterates to remember, ``maxsize >= 1``.
    """

    def __init__(self, evaluate: Callable[[object], Mapping], *, maxsize: int = 2):
        self._evaluate = callable_arg("evaluate", evaluate, "evaluate(w) -> dict of named arrays")
        self._maxsize = int_scalar("maxsize", maxsize, lo=1)
        self._cache: list[tuple[object, Mapping]] = []
        self.evaluations = 0

    def __call__(self, w) -> Mapping:
        """All outputs of ``evaluate`` at ``w`` (from the cache when ``w`` equals a remembered iterate)."""
        for i, (key, out) in enumerate(self._cache):
            if _same(key, w):
                if i:  # most recently used first
                    self._cache.insert(0, self._cache.pop(i))
                return out
        out = self._evaluate(w)
        if not isinstance(out, Mapping):
            raise TypeError(f"evaluate(w) must return a dict of named arrays, got {type(out).__name__}")
        self.evaluations += 1
        self._cache.insert(0, (_frozen_copy(w), out))
        del self._cache[self._maxsize:]
        return out

    def grad(self, w):
        """The gradient at ``w``: ``evaluate(w)["grad"]``."""
        out = self(w)
        if "grad" not in out:
            raise KeyError("evaluate(w) must return the gradient under the key 'grad'")
        return out["grad"]

    def monitor(self, name: str) -> Callable:
        """A function ``w -> evaluate(w)[name]``, for the ``monitors`` of a runner."""
        if not isinstance(name, str):
            raise TypeError(f"name must be a string, got {type(name).__name__}")

        def value(w):
            out = self(w)
            if name not in out:
                raise KeyError(f"evaluate(w) has no output named {name!r} (it has {sorted(out)})")
            return out[name]

        value.__name__ = f"monitor_{name}"
        return value

    def monitors(self, *names: str) -> dict:
        """``{name: self.monitor(name)}`` for the given names."""
        return {name: self.monitor(name) for name in names}
