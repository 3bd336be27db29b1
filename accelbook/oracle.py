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
* A lookup that misses costs O(1) (a few probed entries differ); a hit costs one comparison of the iterate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from ._validation import callable_arg, int_scalar

__all__ = ["CachedOracle"]


def _leaves(w):
    return list(w) if isinstance(w, (list, tuple)) else [w]


def _same(a, b):
    if type(a) is np.ndarray and type(b) is np.ndarray:  # one array: what np.array_equal does, without its overhead
        return a.shape == b.shape and bool((a == b).all())
    la, lb = _leaves(a), _leaves(b)
    return len(la) == len(lb) and all(np.shape(x) == np.shape(y) and np.array_equal(x, y) for x, y in zip(la, lb))


#: Iterates with fewer entries than this (in the probed leaves) are compared in full right away.
PROBE_FROM = 2048


def _probe(w):
    """A few entries of a large iterate (first, middle and last of its first, middle and last leaves),
    compared before the full comparison: iterates whose probes differ are different, so a miss costs O(1)
    instead of a pass over the whole iterate; equal probes still go through the full comparison.
    None for small iterates (their full comparison is as cheap) and for leaves that are not arrays."""
    leaves = _leaves(w)
    picked = leaves if len(leaves) <= 3 else [leaves[0], leaves[len(leaves) // 2], leaves[-1]]
    if not all(type(leaf) is np.ndarray for leaf in picked) or sum(leaf.size for leaf in picked) < PROBE_FROM:
        return None
    return (len(leaves),) + tuple(float(leaf.flat[i]) for leaf in picked
                                  for i in ((0, leaf.size // 2, leaf.size - 1) if leaf.size else ()))


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
        self._cache: list[tuple[object, object, Mapping]] = []
        self.evaluations = 0

    def __call__(self, w) -> Mapping:
        """All outputs of ``evaluate`` at ``w`` (from the cache when ``w`` equals a remembered iterate)."""
        probe = _probe(w)
        for i, (key, key_probe, out) in enumerate(self._cache):
            if (probe is None or key_probe is None or probe == key_probe) and _same(key, w):
                if i:  # most recently used first
                    self._cache.insert(0, self._cache.pop(i))
                return out
        out = self._evaluate(w)
        if not isinstance(out, Mapping):
            raise TypeError(f"evaluate(w) must return a dict of named arrays, got {type(out).__name__}")
        self.evaluations += 1
        key = _frozen_copy(w)
        self._cache.insert(0, (key, _probe(key), out))
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
