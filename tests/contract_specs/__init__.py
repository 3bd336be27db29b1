"""Tables for tests/test_contracts.py: one module per accelbook module (``spec_<module>.py``), each with

``SPECS`` : dict qualified name -> :class:`Spec` (how to make one valid call, and the bad values per parameter),
``EXEMPT`` : dict qualified name -> why that public callable takes no checkable input (result records built by
the package itself, front ends that need a live kernel, ...).

Qualified names: ``"accelbook.theory.theorem5_constant"``, ``"accelbook.quadratic.Quadratic.grad"`` (a method),
``"accelbook.relu.model.gram"`` (a sub-package module; re-exports under ``accelbook.relu`` are the same object
and need no second entry).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

NAN, INF = math.nan, math.inf

# Bad values by documented kind. A parameter's ``bad`` entry is a kind name, a list of values, or both
# (a tuple: (kind, [extra values])).
KINDS = {
    "real": [NAN, INF, "abc", True, None],
    "pos_real": [0.0, -1.0, NAN, INF, "abc", True, None],
    "nonneg_real": [-1.0, NAN, INF, "abc", True, None],
    "unit_open": [-0.1, 1.0, NAN, "abc", True, None],           # [0, 1)
    "int": [1.5, "3", True, None, NAN],
    "pos_int": [0, -1, 1.5, "3", True, None],
    "nonneg_int": [-1, 1.5, "3", True, None],
    "seed": [-1, 1.5, "x", None, True],
    "bool": ["yes", None, 2],
    "callable": [3, "f", None],
    "array": ["abc", [NAN], [INF], [], None],
    "matrix": ["abc", [[NAN]], np.ones(3), np.ones((2, 3)), None],
    "str": [3, None, "no-such-option"],
}


@dataclass
class Spec:
    """How to call one public callable well, and how to call it badly.

    valid : () -> dict of keyword arguments (every parameter that the bad values replace must be in it)
    bad : parameter -> kind name (see KINDS), list of bad values, or (kind, [extra values])
    free : parameter -> why it has no bad value (e.g. "any object: stored as given")
    target : () -> the callable (for methods: a bound method of a valid instance); default: the qualified name
    """

    valid: Callable[[], dict]
    bad: dict
    free: dict = field(default_factory=dict)
    target: Callable | None = None


def bad_values(entry):
    if isinstance(entry, str):
        return list(KINDS[entry])
    if isinstance(entry, tuple):
        kind, extra = entry
        return list(KINDS[kind]) + list(extra)
    return list(entry)
