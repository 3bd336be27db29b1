"""Chapter 3, accelbook.relu.data: the inputs, labels and initialisation of Appendix H and the section 2.2
network, and the shared argument checks."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from accelbook import relu

seeds = st.integers(0, 2**32 - 1)


@given(seed=seeds, n=st.integers(1, 8), d=st.integers(2, 8), angle=st.floats(1e-3, np.pi / 2))
def test_clustered_inputs_lie_at_the_given_angle_from_a_common_direction(seed, n, d, angle):
    X = relu.clustered_inputs(n, d, angle, seed=seed)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-12)
    # the common direction e is the generator's first draw, normalised: <x_i, e> = cos(angle) for every i
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(d)
    e /= np.linalg.norm(e)
    np.testing.assert_allclose(X @ e, np.cos(angle), atol=1e-12)


@given(seed=seeds, n=st.integers(1, 8), d=st.integers(1, 8))
def test_unit_inputs_labels_and_initialisation(seed, n, d):
    X = relu.unit_inputs(n, d, seed=seed)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=1e-12)
    assert set(np.unique(relu.random_labels(n, seed=seed))) <= {-1.0, 1.0}
    W0, a = relu.init_weights(7, d, seed=seed, trials=3)
    assert W0.shape == (3, 7, d) and a.shape == (3, 7) and set(np.unique(a)) <= {-1.0, 1.0}
    W1, _ = relu.init_weights(7, d, seed=seed, trials=3)
    np.testing.assert_array_equal(W0, W1)                       # reproducible from the seed


@pytest.mark.parametrize("call, exc, match", [
    (lambda: relu.clustered_inputs(3, 4, 2.0, seed=0), ValueError, "angle must be <="),
    (lambda: relu.clustered_inputs(3, 1, 0.5, seed=0), ValueError, "d must be >= 2"),
    (lambda: relu.init_weights(0, 3, seed=0), ValueError, "m must be >= 1"),
    (lambda: relu.unit_inputs(3, 2, seed=None), TypeError, "seed"),
])
def test_bad_data_arguments_give_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
