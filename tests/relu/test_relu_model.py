"""Chapter 3, accelbook.relu.model: the closed-form NTK Gram matrix against Monte Carlo, the subgradient
against finite differences, batches against trial-by-trial calls, the network by hand (Wang, Lin &
Abernethy 2021, Section 2.2 and (3))."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from relu_helpers import small_problem

from accelbook import relu

seeds = st.integers(0, 2**32 - 1)


# ---------------------------------------------------------------- the closed-form NTK Gram matrix
@settings(max_examples=15)
@given(seed=seeds, n=st.integers(2, 6), d=st.integers(2, 8))
def test_ntk_gram_matches_monte_carlo_with_error_shrinking_like_one_over_sqrt_m(seed, n, d):
    rng = np.random.default_rng(seed)
    X = relu.unit_inputs(n, d, seed=rng) * rng.uniform(0.2, 1.0, (n, 1))
    H_bar = relu.ntk_gram(X)
    rms_one = np.sqrt(relu.gram_fluctuation(X))            # E||H0 - H_bar||_F^2 = v / m
    for m in (10**3, 10**4, 10**5):
        W0, _ = relu.init_weights(m, d, seed=rng)
        err = np.linalg.norm(relu.gram(W0, X) - H_bar)
        assert err <= 6 * rms_one / np.sqrt(m)               # tolerance shrinking like 1/sqrt(m)
        assert np.max(np.abs(relu.gram(W0, X) - H_bar)) <= 3.0 / np.sqrt(m)


def test_expected_frobenius_error_is_exactly_v_over_m():
    rng = np.random.default_rng(0)
    X = relu.clustered_inputs(5, 6, 0.7, seed=rng) * 0.9
    m, trials = 200, 600
    W0 = rng.standard_normal((trials, m, 6))
    sq = np.linalg.norm(relu.gram(W0, X) - relu.ntk_gram(X), axis=(-2, -1)) ** 2
    v = relu.gram_fluctuation(X)
    # the mean of 600 draws; its relative standard error is below 6 %
    assert m * sq.mean() == pytest.approx(v, rel=0.2)


@given(seed=seeds, n=st.integers(1, 6), d=st.integers(2, 6))
def test_ntk_gram_properties(seed, n, d):
    rng = np.random.default_rng(seed)
    X = relu.unit_inputs(n, d, seed=rng) * rng.uniform(0.1, 1.0, (n, 1))
    H = relu.ntk_gram(X)
    np.testing.assert_allclose(H, H.T, atol=1e-15)
    assert np.linalg.eigvalsh(H)[0] >= -1e-12                       # PSD
    np.testing.assert_allclose(np.diag(H), 0.5 * np.sum(X ** 2, axis=1), rtol=1e-12)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    np.testing.assert_allclose(relu.ntk_gram(X @ Q), H, atol=1e-12)   # rotation invariant
    np.testing.assert_allclose(relu.ntk_gram(0.5 * X), 0.25 * H, atol=1e-15)   # homogeneous of degree 2


def test_ntk_gram_special_angles_and_zero_input():
    e1, e2 = np.eye(3)[0], np.eye(3)[1]
    X = np.stack([e1, e2, -e1, 0.5 * e1, np.zeros(3), np.array([np.cos(1.0), np.sin(1.0), 0.0])])
    H = relu.ntk_gram(X)
    assert H[0, 1] == 0.0                                   # orthogonal
    assert H[0, 2] == pytest.approx(0.0, abs=1e-16)         # antiparallel: never active together
    assert H[0, 3] == pytest.approx(0.25)                   # parallel: |x||x'|/2
    assert np.all(H[4] == 0) and np.all(H[:, 4] == 0)       # a zero input
    assert H[0, 5] == pytest.approx(np.cos(1.0) * (np.pi - 1.0) / (2 * np.pi), rel=1e-14)
    # nearly parallel inputs: the angle is still resolved accurately
    tiny = 1e-9
    Xp = np.array([[1.0, 0.0], [np.cos(tiny), np.sin(tiny)]])
    assert relu.activation_probability(Xp)[0, 1] == pytest.approx((np.pi - tiny) / (2 * np.pi), rel=1e-15)


# ---------------------------------------------------------------- network, subgradient, batches
@given(seed=seeds, n=st.integers(1, 5), d=st.integers(1, 5), m=st.integers(1, 12))
def test_subgradient_matches_finite_differences_where_patterns_are_stable(seed, n, d, m):
    rng = np.random.default_rng(seed)
    X = relu.unit_inputs(n, d, seed=rng)
    y = rng.standard_normal(n)
    W, a = relu.init_weights(m, d, seed=rng)
    margin = np.min(np.abs(X @ W.T))
    assume(margin > 1e-6)
    h = 0.1 * margin                                             # |<h V_r, x_i>| <= h < margin: no pattern flips
    G = relu.subgradient(W, a, X, y)
    for _ in range(3):
        V = rng.standard_normal(W.shape)
        V /= np.linalg.norm(V, axis=1, keepdims=True)
        fd = (relu.loss(W + h * V, a, X, y) - relu.loss(W - h * V, a, X, y)) / (2 * h)
        # the loss is quadratic in W while no pattern flips: central differences are exact up to rounding
        assert fd == pytest.approx(np.sum(G * V), rel=1e-6, abs=1e-9)


def test_subgradient_uses_the_indicator_at_zero():
    X, y = np.array([[1.0, 0.0]]), np.array([0.0])
    W, a = np.array([[0.0, 1.0]]), np.array([1.0])          # <w, x> = 0 exactly: the neuron counts as active
    out = relu.network_output(W + np.array([[0.3, 0.0]]), a, X)
    G = relu.subgradient(W + np.array([[0.3, 0.0]]), a, X, y)
    np.testing.assert_allclose(G, out[0] * X, atol=1e-15)
    G0 = relu.subgradient(W, a, X, np.array([-1.0]))
    np.testing.assert_allclose(G0, [[1.0, 0.0]])             # 1/sqrt(1) * (0 - (-1)) * 1 * 1[0 >= 0] * x


@given(seed=seeds)
def test_batched_functions_equal_trial_by_trial(seed):
    prob = small_problem(seed, trials=3)
    W = prob.W0 + 0.3 * np.random.default_rng(seed).standard_normal(prob.W0.shape)
    for k in range(3):
        args = (W[k], prob.a[k], prob.X, prob.y)
        np.testing.assert_allclose(relu.subgradient(W, prob.a, prob.X, prob.y)[k], relu.subgradient(*args), atol=1e-14)
        np.testing.assert_allclose(relu.network_output(W, prob.a, prob.X)[k], relu.network_output(*args[:3]), atol=1e-14)
        np.testing.assert_allclose(relu.gram(W, prob.X)[k], relu.gram(W[k], prob.X), atol=1e-15)


def test_network_output_by_hand():
    X = np.array([[0.6, 0.8], [1.0, 0.0]])
    W, a = np.array([[1.0, 1.0], [-1.0, 0.5], [2.0, -3.0]]), np.array([1.0, -1.0, 1.0])
    expected = [(1.4 - 0.0 + 0.0) / np.sqrt(3), (1.0 - 0.0 + 2.0) / np.sqrt(3)]
    np.testing.assert_allclose(relu.network_output(W, a, X), expected)
    assert relu.loss(W, a, X, [0.0, 0.0]) == pytest.approx(0.5 * sum(e ** 2 for e in expected))
    np.testing.assert_array_equal(relu.activation_patterns(W, X), [[True, False, False], [True, False, True]])



@pytest.mark.parametrize("call, exc, match", [
    (lambda: relu.ntk_gram(np.array([[1.0, 1.0]])), ValueError, "norm <= 1"),
    (lambda: relu.ntk_gram(np.ones(3) * 0.1), ValueError, r"X must have shape \(\.\.\., n, d\)"),
    (lambda: relu.gram(np.ones((3, 2)), np.eye(3)), ValueError, "d = 3 columns"),
    (lambda: relu.network_output(np.ones((3, 2)), np.array([1, 0.5, 1]), np.eye(2)), ValueError, "signs"),
    (lambda: relu.network_output(np.ones((3, 2)), np.ones(4), np.eye(2)), ValueError, "m = 3"),
    (lambda: relu.loss(np.ones((3, 2)), np.ones(3), np.eye(2), np.ones(3)), ValueError, "n = 2"),
    (lambda: relu.gram(np.full((3, 2), np.nan), np.eye(2)), ValueError, "finite"),
    (lambda: relu.pattern_change_fraction(np.ones((3, 2)), np.ones((4, 2)), np.eye(2)), ValueError, "W must have"),
    (lambda: relu.neuron_distances(np.ones((3, 2)), np.ones((4, 2))), ValueError, "W must have"),
])
def test_bad_model_inputs_give_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_momentum_parameters_need_a_single_problem():
    with pytest.raises(ValueError, match="single problem"):
        small_problem(0, trials=2).momentum_parameters()


@pytest.mark.parametrize("seed", range(5))
def test_gram_is_the_autograd_jacobian_gram_and_the_subgradient_its_transpose_times_xi(seed):
    """H(W) of (3) is J J^T for the Jacobian J = du/dW of the outputs (torch.func.jacrev of the network
    written in torch), and the subgradient is J^T xi: an independent derivative, not the package's formula.
    (Gaussian weights: no pre-activation is exactly 0, where torch's ReLU derivative is 0, the source's 1.)"""
    torch = pytest.importorskip("torch")
    prob = small_problem(seed, n=4, d=3, m=7)
    W = prob.W0 + 0.3 * np.random.default_rng(seed).standard_normal(prob.W0.shape)
    Xt, at, yt = (torch.as_tensor(v) for v in (prob.X, prob.a, prob.y))

    def outputs(Wt):
        return torch.relu(Xt @ Wt.T) @ at / np.sqrt(prob.m)

    J = torch.func.jacrev(outputs)(torch.as_tensor(W)).reshape(prob.n, -1).numpy()   # (n, m d)
    np.testing.assert_allclose(relu.gram(W, prob.X), J @ J.T, rtol=1e-12, atol=1e-15)
    xi = prob.residual(W)
    np.testing.assert_allclose(relu.subgradient(W, prob.a, prob.X, prob.y), (J.T @ xi).reshape(W.shape),
                               rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(relu.network_output(W, prob.a, prob.X), outputs(torch.as_tensor(W)).numpy(),
                               rtol=1e-13, atol=1e-15)


# ---------------------------------------------------------------- batches of inputs, the indicator at zero, checks
def _batched_data(rng, trials, n, d):
    """A batch of input sets X (trials, n, d) with norms in [0.3, 1] and labels y (trials, n)."""
    X = np.stack([relu.unit_inputs(n, d, seed=rng) * rng.uniform(0.3, 1.0, (n, 1)) for _ in range(trials)])
    return X, rng.choice([-1.0, 1.0], (trials, n))


@settings(max_examples=10)
@given(seed=seeds, shape=st.sampled_from([(2, 3, 5, 4), (3, 4, 2, 6), (2, 5, 3, 7), (3, 2, 6, 3)]))
def test_batched_inputs_equal_trial_by_trial(seed, shape):
    """Every array function takes leading batch dimensions on X (..., n, d) and y as well as on W (Section 2.2 as
    documented in the module): a batch of input sets is trial by trial, for n, d and m all different (so that
    an axis counted from the front, X.shape[1] for X.shape[-1] or swapaxes(X, 1, -2), cannot pass for the
    right one), whether W carries the same batch dimension or none."""
    trials, n, d, m = shape
    rng = np.random.default_rng(seed)
    X, y = _batched_data(rng, trials, n, d)
    W0, a = relu.init_weights(m, d, seed=rng, trials=trials)
    W = W0 + 0.5 * rng.standard_normal(W0.shape)
    W1, a1 = W[0], a[0]                                  # one network applied to every input set
    per = (lambda f, *args: np.stack([f(*(v[k] for v in args)) for k in range(trials)]))
    close = (lambda u, v: np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-14))
    # (the arguments of the batched call, the per-trial arguments)
    for (Wc, ac), (Wt, at) in (((W, a), (W, a)), ((W1, a1), (np.broadcast_to(W1, W.shape), np.broadcast_to(a1, a.shape)))):
        close(relu.network_output(Wc, ac, X), per(relu.network_output, Wt, at, X))
        close(relu.loss(Wc, ac, X, y), per(relu.loss, Wt, at, X, y))
        close(relu.subgradient(Wc, ac, X, y), per(relu.subgradient, Wt, at, X, y))
        close(relu.gram(Wc, X), per(relu.gram, Wt, X))
        np.testing.assert_array_equal(relu.activation_patterns(Wc, X), per(relu.activation_patterns, Wt, X))
        close(relu.pattern_change_fraction(Wc, W0, X), per(relu.pattern_change_fraction, Wt, W0, X))
    close(relu.pattern_change_fraction(W, W0[0], X),
          per(relu.pattern_change_fraction, W, np.broadcast_to(W0[0], W.shape), X))
    for f in (relu.ntk_gram, relu.activation_probability, relu.gram_fluctuation):
        close(f(X), per(f, X))
    # W0 with a batch dimension, W with or without one
    close(relu.neuron_distances(W, W0), per(relu.neuron_distances, W, W0))
    close(relu.neuron_distances(W1, W0), per(relu.neuron_distances, np.broadcast_to(W1, W.shape), W0))
    close(relu.neuron_distances(W, W0), np.linalg.norm(W - W0, axis=-1))


@given(seed=seeds, n=st.integers(1, 5), d=st.integers(2, 5), m=st.integers(2, 8))
def test_zero_pre_activation_counts_as_active_in_every_function(seed, n, d, m):
    r"""The source's indicator is 1{z >= 0}: a neuron whose pre-activation on x_i is exactly 0 (a zero row of W, or
    a row orthogonal to x_i) is active on x_i, in activation_patterns, in H(W) of (3), in the subgradient and in
    pattern_change_fraction alike. At W = 0 every neuron is active on every input: H(0) = X X^T and the subgradient
    row r is (a_r/sqrt m) sum_i (0 - y_i) x_i; a W0 active nowhere has every pattern changed at W = 0."""
    rng = np.random.default_rng(seed)
    X = relu.unit_inputs(n, d, seed=rng) * rng.uniform(0.3, 1.0, (n, 1))
    y = rng.standard_normal(n)
    a = rng.choice([-1.0, 1.0], m)
    Z0 = np.zeros((m, d))
    assert np.all(relu.activation_patterns(Z0, X))
    np.testing.assert_allclose(relu.gram(Z0, X), X @ X.T, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(relu.subgradient(Z0, a, X, y), np.outer(a, -y @ X) / np.sqrt(m), rtol=1e-13, atol=1e-15)
    # W_off = -x_0 in every row is inactive on x_0 (<w, x_0> = -|x_0|^2 < 0): W = 0 changes those patterns
    W_off = -np.tile(X[0], (m, 1))
    assert not np.any(relu.activation_patterns(W_off, X)[0])
    frac = relu.pattern_change_fraction(Z0, W_off, X)
    assert frac >= 1 / n
    np.testing.assert_allclose(frac, np.mean(~relu.activation_patterns(W_off, X)), rtol=1e-15)
    assert relu.pattern_change_fraction(W_off, Z0, X) == pytest.approx(frac, rel=1e-15)
    # rows orthogonal to an input: exactly zero pre-activation on it, active there
    W = rng.standard_normal((m, d))
    k = rng.integers(0, m, size=max(1, m // 2))
    W[k] -= np.outer(W[k] @ X[0], X[0]) / (X[0] @ X[0])     # <w, x_0> is 0 or rounding-level
    W[k[0]] = 0.0                                          # and one zero neuron: exactly 0 on every input
    Z = W @ X.T
    zero = Z.T == 0                                        # (n, m): exact zeros
    assert zero[0, k[0]]
    S = relu.activation_patterns(W, X)
    assert np.all(S[zero])
    np.testing.assert_array_equal(S, Z.T >= 0)
    # H(W) and the subgradient count the neurons that activation_patterns counts (a loop over neurons)
    H = sum(np.outer(S[:, r], S[:, r]) for r in range(m)) * (X @ X.T) / m
    np.testing.assert_allclose(relu.gram(W, X), H, rtol=1e-13, atol=1e-15)
    xi = relu.network_output(W, a, X) - y
    G = np.stack([a[r] / np.sqrt(m) * (S[:, r] * xi) @ X for r in range(m)])
    np.testing.assert_allclose(relu.subgradient(W, a, X, y), G, rtol=1e-12, atol=1e-15)
    # and pattern_change_fraction compares exactly those patterns, at W and at W0
    W0 = np.where(zero.any(axis=0)[:, None], 0.0, rng.standard_normal((m, d)))
    for A, B in ((W, W0), (W0, W), (W, Z0), (Z0, W)):
        assert relu.pattern_change_fraction(A, B, X) == pytest.approx(
            np.mean(relu.activation_patterns(A, X) != relu.activation_patterns(B, X)), abs=1e-15)


@given(seed=seeds, n=st.integers(1, 5), d=st.integers(1, 5), m=st.integers(1, 10), log_c=st.floats(-3.0, 3.0))
def test_activation_patterns_are_invariant_under_positive_scaling_and_flip_under_negation(seed, n, d, m, log_c):
    """1{<w, x> >= 0} depends on the direction of w only: activation_patterns(c W) = activation_patterns(W) for every
    c > 0 (a threshold other than 0 would not be), and negating W flips every pattern with a nonzero pre-activation;
    the neurons active on x_i are exactly those with sigma(<w, x_i>) = <w, x_i>."""
    rng = np.random.default_rng(seed)
    X = relu.unit_inputs(n, d, seed=rng) * rng.uniform(0.3, 1.0, (n, 1))
    W = rng.standard_normal((m, d)) * 10 ** rng.uniform(-2, 2, (m, 1))
    S = relu.activation_patterns(W, X)
    np.testing.assert_array_equal(relu.activation_patterns(10 ** log_c * W, X), S)
    np.testing.assert_array_equal(relu.activation_patterns(-W, X), ~S)         # Gaussian W: no zero pre-activation
    single = [relu.network_output(W[r:r + 1], np.ones(1), X) for r in range(m)]   # sigma(<w_r, x_i>)
    np.testing.assert_array_equal(S.T, np.array(single) > 0)


def test_weight_checks_name_the_array_and_what_it_must_match():
    """A W or W0 with the wrong number of columns is refused by name, with the array it must match, before any
    product (a 1-column array would broadcast silently in neuron_distances); a batch shape that does not broadcast
    is refused with the shape it must have, (..., m, d) of W0 (m != d here)."""
    X = np.array([[0.6, 0.0, 0.0], [0.0, 0.5, 0.5]])
    W0 = np.random.default_rng(0).standard_normal((4, 3))
    for bad in (np.ones((4, 1)), np.ones((4, 2))):
        with pytest.raises(ValueError, match=r"W0 must have d = 3 columns to match X"):
            relu.pattern_change_fraction(W0, bad, X)
        with pytest.raises(ValueError, match=r"^W must have d = 3 columns to match X"):
            relu.pattern_change_fraction(bad, W0, X)
        with pytest.raises(ValueError, match=r"^W must have d = 3 columns to match W0, got shape \(4, %d\)" % bad.shape[1]):
            relu.neuron_distances(bad, W0)
    Xb = np.stack([X, X[::-1]])                                 # a batch of 2 input sets (n = 2, d = 3)
    with pytest.raises(ValueError, match=r"W0 must have d = 3 columns"):
        relu.pattern_change_fraction(W0, np.ones((4, 2)), Xb)
    with pytest.raises(ValueError, match=r"^W must have d = 3 columns"):
        relu.pattern_change_fraction(np.ones((4, 2)), W0, Xb)
    for f, args in ((relu.activation_patterns, (np.ones((4, 2)), Xb)), (relu.gram, (np.ones((4, 2)), Xb)),
                    (relu.subgradient, (np.ones((4, 2)), np.ones(4), Xb, np.ones((2, 2))))):
        with pytest.raises(ValueError, match=r"^W must have d = 3 columns to match X"):
            f(*args)
    W0b = np.random.default_rng(1).standard_normal((2, 5, 3))   # a batch of 2 initialisations, m = 5, d = 3
    with pytest.raises(ValueError, match=r"W must have shape \(\.\.\., 5, 3\) broadcasting against W0 of shape \(2, 5, 3\)"):
        relu.neuron_distances(np.ones((4, 3)), W0b)
    with pytest.raises(ValueError, match=r"W must have shape \(\.\.\., 5, 3\)"):
        relu.pattern_change_fraction(np.ones((3, 5, 3)), W0b, X)


@settings(max_examples=10)
@given(seed=seeds, n=st.integers(2, 4), d=st.integers(2, 4))
def test_activation_probability_is_the_coactivation_frequency_even_for_zero_inputs(seed, n, d):
    r"""p_ij is the probability, over w ~ N(0, I_d), that w is active on both x_i and x_j with the indicator
    1{<w, x> >= 0}: against the co-activation frequency of activation_patterns over 200000 Gaussian neurons. A zero
    input is active for every w, so p_ij is 1/2 (x_i's own probability) against a nonzero x_i and 1 against another
    zero input; p_ii = 1/2 for x_i != 0."""
    rng = np.random.default_rng(seed)
    X = relu.unit_inputs(n, d, seed=rng) * rng.uniform(0.3, 1.0, (n, 1))
    X = np.vstack([X, np.zeros((2, d))])                     # two zero inputs
    W0 = rng.standard_normal((200_000, d))
    S = relu.activation_patterns(W0, X).astype(float)       # (n + 2, m)
    freq = S @ S.T / W0.shape[0]
    p = relu.activation_probability(X)
    np.testing.assert_allclose(p, freq, atol=5 * 0.5 / np.sqrt(W0.shape[0]))
    assert np.all(p[:n, n:] == 0.5) and np.all(p[n:, :n] == 0.5) and np.all(p[n:, n:] == 1.0)
    np.testing.assert_allclose(np.diag(p)[:n], 0.5, rtol=1e-15)


def test_condition_number_against_numpy_and_its_input_checks():
    """lambda_max/lambda_min of a symmetric positive definite matrix (numpy's 2-norm condition number, an SVD), 1 for
    a 1 x 1 matrix, inf for a singular one, trial by trial for a batch; invariant under H -> c H for every c > 0,
    including the symmetry check: an asymmetry far above rounding (1e-6 relative) is refused at every scale, and a
    batch with one asymmetric matrix is refused. Non-square and empty matrices are refused by name."""
    rng = np.random.default_rng(0)
    Hs = []
    for n in (2, 3, 5):
        A = rng.standard_normal((n, n))
        Hs.append(A @ A.T + 0.1 * np.eye(n))
    for H in Hs:
        assert relu.condition_number(H) == pytest.approx(np.linalg.cond(H, 2), rel=1e-10)
        for c in (1e-12, 1e-6, 1.0, 1e8):
            assert relu.condition_number(c * H) == pytest.approx(np.linalg.cond(H, 2), rel=1e-10)
            B = c * H.copy()
            B[0, 1] *= 1 + 1e-6
            with pytest.raises(ValueError, match=r"^H must be symmetric \(a Gram matrix\)$"):
                relu.condition_number(B)
            B = c * H.copy()
            B[0, 1] *= 1 + 1e-15                           # rounding level: accepted
            assert relu.condition_number(B) == pytest.approx(np.linalg.cond(H, 2), rel=1e-8)
    batch = np.stack([Hs[1], 2 * Hs[1], np.diag([0.0, 1.0, 2.0])])
    np.testing.assert_allclose(relu.condition_number(batch), [np.linalg.cond(Hs[1], 2)] * 2 + [np.inf], rtol=1e-10)
    asym = batch.copy()
    asym[1, 0, 2] += 0.5
    with pytest.raises(ValueError, match=r"^H must be symmetric"):
        relu.condition_number(asym)
    assert relu.condition_number(np.array([[2.5]])) == 1.0
    np.testing.assert_array_equal(relu.condition_number(np.array([[[2.5]], [[0.0]]])), [1.0, np.inf])
    for bad in (np.ones((2, 3)), np.ones((2, 2, 3)), np.zeros((0, 0)), np.zeros((2, 0, 0)), np.zeros((1, 2, 0, 0))):
        with pytest.raises(ValueError, match=r"^H must be a square matrix \(or a batch of them\), got shape"):
            relu.condition_number(bad)


def test_momentum_parameters_of_one_problem_and_their_refusals():
    """Appendix H's eta = 1/lambda_max(H0), beta = (1 - 1/(2 sqrt(kappa_hat)))^2 for one problem (also for a single
    input, n = 1, where kappa_hat = 1 and beta = 1/4); a singular H0 (a zero input: lambda_min(H0) = 0 exactly) and a
    batch are refused with what is wrong."""
    prob = small_problem(3, n=4, m=40)
    eta, beta = prob.momentum_parameters()
    eig = np.linalg.eigvalsh(prob.H0)
    assert eta == pytest.approx(1 / eig[-1], rel=1e-13)
    assert beta == pytest.approx((1 - 0.5 / np.sqrt(relu.condition_number(prob.H0))) ** 2, rel=1e-13)
    one = relu.ReluProblem(X=[[0.6, 0.0]], y=[1.0], a=[1.0, -1.0, 1.0], W0=[[1.0, 0.0], [0.5, 2.0], [-1.0, 1.0]])
    eta1, beta1 = one.momentum_parameters()
    assert eta1 == pytest.approx(1 / one.H0[0, 0], rel=1e-14) and beta1 == pytest.approx(0.25, rel=1e-14)
    singular = relu.ReluProblem(X=[[0.0, 0.0], [0.6, 0.0]], y=[1.0, 0.0], a=[1.0, -1.0], W0=[[1.0, 0.0], [0.5, 2.0]])
    assert np.linalg.eigvalsh(singular.H0)[0] == 0.0
    with pytest.raises(ValueError, match=r"^H0 is singular \(lambda_min\(H0\) = 0\): the width is too small or two "
                                         r"inputs are parallel$"):
        singular.momentum_parameters()
    with pytest.raises(ValueError, match=r"^momentum_parameters needs a single problem \(no batch\): each trial has "
                                         r"its own H0$"):
        small_problem(0, trials=2).momentum_parameters()


@settings(max_examples=5)
@given(seed=seeds)
def test_a_problem_on_a_batch_of_input_sets_is_trial_by_trial(seed):
    """make_problem and ReluProblem take a batch of input sets X (trials, n, d) (n != d): the batched problem's H0,
    H_bar, outputs and gradients are those of the per-trial problems."""
    trials, n, d, m = 3, 4, 2, 6
    rng = np.random.default_rng(seed)
    X, y = _batched_data(rng, trials, n, d)
    prob = relu.make_problem(X, y, m, seed=seed, trials=trials)
    assert prob.batch_shape == (trials,) and (prob.n, prob.d, prob.m) == (n, d, m)
    for k in range(trials):
        one = relu.ReluProblem(X=X[k], y=y[k], a=prob.a[k], W0=prob.W0[k])
        np.testing.assert_allclose(prob.H0[k], one.H0, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(prob.H_bar[k], one.H_bar, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(prob.grad(prob.W0)[k], one.grad(one.W0), rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(prob.residual(prob.W0)[k], one.residual(one.W0), rtol=1e-13, atol=1e-15)
