"""Small problems shared by the Chapter 3 tests (a distinct module name: the tests tree has no packages)."""

import numpy as np

from accelbook import relu


def small_problem(seed, n=4, d=3, m=30, trials=None):
    """Inputs of norms in [0.3, 1], random labels, a fresh initialisation of width ``m``."""
    rng = np.random.default_rng(seed)
    X = relu.unit_inputs(n, d, seed=rng) * rng.uniform(0.3, 1.0, (n, 1))
    return relu.make_problem(X, relu.random_labels(n, seed=rng), m, seed=rng, trials=trials)
