"""Helpers shared by the benchmark driver (bench/bench.py) and the chapter cases (bench/cases.py).

Kept apart so that the two import this module and not each other.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc

import numpy as np


def timeit(fn, repeats=5, warmup=1):
    """Median wall time of ``fn()`` in seconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def row(section, name, value, unit, budget=None, ok=None, note=""):
    """One result row; ``budget`` is ``("<=", limit)`` or ``(">=", limit)``."""
    if ok is None and budget is not None:
        op, limit = budget
        ok = value <= limit if op == "<=" else value >= limit
    return {"section": section, "name": name, "value": value, "unit": unit,
            "budget": None if budget is None else f"{budget[0]} {budget[1]}", "ok": ok, "note": note}


def peak_memory(fn):
    """Peak traced memory (bytes) while running ``fn()``."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def fitted_exponent(x, y):
    """Least-squares slope of log y against log x."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])
