"""Result records that still read as the array they hold.

Several runners used to return a bare array of iterates (``torch_bridge.sgd_iterates``,
``convex.lrp_heavy_ball``, ``quadratic.eigen_errors``).  They now return a record that also says whether
the run diverged, where it stopped and why; :class:`ArrayRecord` lets such a record stand in for its
array, so ``np.asarray(run)``, ``run[-3:]``, ``len(run)``, iteration and arithmetic with arrays keep working
for code written against the old return value.  New code should read the named attribute.
"""

from __future__ import annotations

import operator

import numpy as np


def _binary(op, reflected=False):
    def method(self, other):
        a = self._array()
        return op(other, a) if reflected else op(a, other)
    return method


class ArrayRecord:
    """Mixin for a record whose main array is the attribute named by ``_array_field``."""

    _array_field = "values"

    def _array(self):
        return np.asarray(getattr(self, self._array_field))

    def __array__(self, dtype=None, copy=None):
        arr = self._array()
        return arr if dtype is None else arr.astype(dtype)

    def __len__(self):
        return len(getattr(self, self._array_field))

    def __getitem__(self, index):
        return getattr(self, self._array_field)[index]

    def __iter__(self):
        return iter(getattr(self, self._array_field))

    @property
    def shape(self):
        return np.shape(self._array())

    @property
    def ndim(self):
        return np.ndim(self._array())

    __add__, __radd__ = _binary(operator.add), _binary(operator.add, True)
    __sub__, __rsub__ = _binary(operator.sub), _binary(operator.sub, True)
    __mul__, __rmul__ = _binary(operator.mul), _binary(operator.mul, True)
    __truediv__, __rtruediv__ = _binary(operator.truediv), _binary(operator.truediv, True)
    __pow__ = _binary(operator.pow)

    def __neg__(self):
        return -self._array()

    def __abs__(self):
        return np.abs(self._array())
