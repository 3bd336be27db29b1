"""Instances shared by the partition tests (not a test module)."""

import numpy as np

from accelbook import partition as P


def random_model(seed, *, kappa=None, sigma=None, dim_x=None, dim_u=None, T=3, sigma_A1=None):
    """A random additive model with ``T`` trials: κ in [1, 10³] (1 when dim_x = 1, the only κ a 1 x 1 A1 has),
    σmax(A2) in [0.01, 10], σmax(A1) in [0.3, 3] (so L1 != 1), sizes 1-8 by default."""
    rng = np.random.default_rng(seed)
    dim_x = int(rng.integers(1 if kappa is None else 2, 9)) if dim_x is None else dim_x
    dim_u = int(rng.integers(1, 9)) if dim_u is None else dim_u
    kappa = (10 ** rng.uniform(0, 3) if dim_x > 1 else 1.0) if kappa is None else kappa
    sigma = 10 ** rng.uniform(-2, 1) if sigma is None else sigma
    sigma_A1 = 10 ** rng.uniform(-0.5, 0.5) if sigma_A1 is None else sigma_A1
    return P.make_additive(kappa, sigma, dim_x=dim_x, dim_u=dim_u, n_trials=T, seed=rng, sigma_A1=sigma_A1)


def small_net(seed, widths=(3, 6, 20), T=2):
    """A small ReLU network on 8 samples and its initial weights."""
    X, Y = P.make_regression_data(8, widths[0], seed=seed)
    return P.ReluNetwork(X, Y), P.init_network(widths, n_trials=T, seed=seed + 1)
