import matplotlib
import numpy as np
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# Deterministic property tests: the same examples on every machine and every run.
settings.register_profile("book", derandomize=True, deadline=None, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("book")


def random_psd(rng, n, *, kappa=None, singular=False):
    """A random symmetric positive (semi)definite n x n matrix with lambda_max = 1."""
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    if kappa is None:
        kappa = 10 ** rng.uniform(0, 3)
    eig = np.sort(1.0 / kappa ** rng.uniform(0, 1, n))
    eig[-1], eig[0] = 1.0, 1.0 / kappa
    if singular:
        eig[0] = 0.0
    H = (Q * eig) @ Q.T
    return 0.5 * (H + H.T)


@pytest.fixture
def rng():
    return np.random.default_rng(20211)
