"""accelbook.partition.lemmas: difference quotients never exceed the constants of Theorem 13; Lemma 8 and
Lemma 9 (gradient dominance) on random points; bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbook import partition as P
from partition_cases import random_model, small_net

seeds = st.integers(0, 2**32 - 1)


@settings(max_examples=40)
@given(seed=seeds, scale=st.floats(0.01, 100.0))
def test_lipschitz_estimates_never_exceed_the_constants(seed, scale):
    model, _ = random_model(seed)
    r = P.lipschitz_ratios(model, 25, seed=seed, scale=scale)
    slack = 1 + 1e-10
    assert np.all(r["G1"] <= model.G1 * slack)  # A4
    assert np.all(r["G2"] <= model.G2 * slack)  # A5
    assert np.all(r["L1"] <= model.L1 * slack)  # A2
    assert np.all(r["mu"] >= model.mu / slack)  # A1
    assert np.all(r["x_star"] <= model.G2 / model.mu * slack)  # Lemma 8
    assert np.all(r["x_star"] <= model.x_star_lipschitz() * slack)  # the sharper additive constant
    assert np.all(r["dominance"] <= model.G1 ** 2 * model.L2 / model.mu * slack)  # gradient dominance


@settings(max_examples=40)
@given(seed=seeds, sigma=st.floats(0.0, 10.0), scale=st.floats(0.01, 100.0))
def test_lemma8_and_dominance_on_random_points(seed, sigma, scale):
    """A6 holds at every u for the additive model, so both lemmas are claimed everywhere."""
    model, _ = random_model(seed, sigma=sigma)
    rng = np.random.default_rng(seed)
    T, dx, du = model.n_trials, model.dim_x, model.dim_u
    u1, u2 = scale * rng.standard_normal((2, T, du))
    assert np.all(P.lemma8_ratio(model, u1, u2) <= model.G2 / model.mu * (1 + 1e-10))
    x = scale * rng.standard_normal((T, dx))
    assert np.all(P.gradient_dominance_ratio(model, [x, u1]) <= model.G1 ** 2 * model.L2 / model.mu * (1 + 1e-10))


def test_block_grad_norms_for_both_problems():
    model, w = P.make_additive(10.0, 1.0, dim_x=3, dim_u=4, n_trials=2, seed=0)
    gx, gu = model.grad(w)
    nx, nu = P.block_grad_norms(model, w)
    np.testing.assert_allclose(nx, np.linalg.norm(gx, axis=1))
    np.testing.assert_allclose(nu, np.linalg.norm(gu, axis=1))
    X, Y = P.make_regression_data(6, 3, seed=0)
    net, W = P.ReluNetwork(X, Y), P.init_network([3, 4, 8], n_trials=2, seed=1)
    g = net.grad(W)
    nx, nu = P.block_grad_norms(net, W)
    np.testing.assert_allclose(nx, np.linalg.norm(g[-1].reshape(2, -1), axis=1))
    np.testing.assert_allclose(nu, np.sqrt(sum(np.sum(a.reshape(2, -1) ** 2, axis=1) for a in g[:-1])))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: P.block_grad_norms("model", [1, 2]), TypeError, "problem must be"),
    (lambda: P.block_grad_norms(P.make_additive(n_trials=1)[0], [np.ones((1, 3)), np.ones((1, 20))]), ValueError,
     r"w\[0\] must have shape"),
    (lambda: P.lemma8_ratio(P.make_additive(n_trials=1)[0], np.ones((1, 20)), np.ones((1, 20))), ValueError,
     "u2 must differ from u1"),
    (lambda: P.lipschitz_ratios(P.make_additive(n_trials=1)[0], 0, seed=0), ValueError, "n_pairs must be >= 1"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@settings(max_examples=25)
@given(seed=seeds, m=st.integers(2, 7), sigma_A1=st.floats(0.3, 3.0), sigma=st.floats(0.01, 5.0))
def test_true_G2_by_activation_patterns(seed, m, sigma_A1, sigma):
    """The true A5 constant, max_D ||A1^T D A2|| over the patterns (all occur: A2 is square), is attained by a
    pair of points in the best pattern's region, is never exceeded on random pairs, and is at most Theorem 13's
    G2 = B sigma_max(A1) sigma_max(A2)."""
    model, (x, u) = random_model(seed, dim_x=m, dim_u=m, T=1, sigma=sigma, sigma_A1=sigma_A1)
    out = P.pattern_G2(model)
    G2 = out["G2"][0]
    assert out["exhaustive"] and G2 <= model.G2[0] * (1 + 1e-12)
    rng = np.random.default_rng(seed)
    gx = lambda uu: model.grad([x, uu])[0]  # noqa: E731
    for _ in range(50):  # random pairs never beat it
        u1, u2 = rng.standard_normal((2, 1, m)) * 3
        assert np.linalg.norm(gx(u1) - gx(u2)) / np.linalg.norm(u1 - u2) <= G2 * (1 + 1e-9)
    D = out["pattern"][0].astype(float)  # a point inside the best pattern's region ...
    z = np.where(D > 0, 1.0, -1.0) * (1 + rng.uniform(size=m))
    u0 = np.linalg.solve(model.A2[0], z)[None]
    v = np.linalg.svd(model.A1[0].T @ (D[:, None] * model.A2[0]))[2][0]  # ... and its worst direction
    eps = 1e-3 * np.min(np.abs(z)) / np.linalg.norm(model.A2[0], 2)
    assert np.all((model.A2[0] @ (u0[0] + eps * v) > 0) == (D > 0))
    assert np.linalg.norm(gx(u0 + eps * v) - gx(u0)) / eps == pytest.approx(G2, rel=1e-6)


def test_pattern_search_finds_the_exhaustive_maximum():
    for seed in range(4):
        model, _ = random_model(seed, dim_x=9, dim_u=9, T=2, sigma=0.5)
        exact = P.pattern_G2(model, exhaustive=True)["G2"]
        found = P.pattern_G2(model, exhaustive=False, n_starts=6, seed=seed)["G2"]
        assert np.all(found <= exact * (1 + 1e-12)) and np.all(found >= 0.99 * exact)


@settings(max_examples=20)
@given(seed=seeds, s=st.floats(0.3, 3.0), scale=st.floats(0.01, 100.0), n_pairs=st.integers(1, 4))
def test_lipschitz_ratios_are_exact_for_an_orthogonal_A1(seed, s, scale, n_pairs):
    """With kappa = 1, A1 = s Q (Q orthogonal): grad_x f(x1,u) - grad_x f(x2,u) = s^2 (x1 - x2), so the L1 and mu
    quotients both equal s^2; ||A1^T v|| = s ||v|| and ||A1^{-1} v|| = ||v||/s, so on every pair the G2 quotient is
    s times the G1 quotient and Lemma 8's quotient is the G1 quotient over s (Theorem 13: G2 = sigma_max(A1) G1).
    Catches a quotient multiplied instead of divided, a norm over all trials, a sum for a difference."""
    rng = np.random.default_rng(seed)
    dim = int(rng.integers(1, 6))
    model, _ = random_model(seed, kappa=1.0, dim_x=dim, sigma_A1=s)
    r = P.lipschitz_ratios(model, n_pairs, seed=seed, scale=scale)
    assert set(r) == {"G1", "G2", "L1", "mu", "x_star", "dominance"}
    assert all(v.shape == (n_pairs, model.n_trials) for v in r.values())
    np.testing.assert_allclose(r["L1"], s ** 2, rtol=1e-9)
    np.testing.assert_allclose(r["mu"], s ** 2, rtol=1e-9)
    np.testing.assert_allclose(r["G2"], s * r["G1"], rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(r["x_star"], r["G1"] / s, rtol=1e-8, atol=1e-14)
    assert np.all(r["dominance"] >= 0)


@settings(max_examples=20)
@given(seed=seeds)
def test_gradient_dominance_ratio_is_the_squared_norm_quotient(seed):
    """||grad_u f||^2 / ||grad_x f||^2 per trial, grad from torch's autograd, for both problems."""
    model, (x, u) = random_model(seed)
    gx, gu = model.grad([x, u])
    expected = np.sum(gu ** 2, axis=1) / np.sum(gx ** 2, axis=1)
    np.testing.assert_allclose(P.gradient_dominance_ratio(model, [x, u]), expected, rtol=1e-10)
    nx, nu = P.block_grad_norms(model, [x, u])
    np.testing.assert_allclose(nu ** 2 / nx ** 2, expected, rtol=1e-10)
    net, W = small_net(seed % 1000)
    g = net.grad(W)
    ex = np.sum(g[-1].reshape(2, -1) ** 2, axis=1)
    eu = sum(np.sum(a.reshape(2, -1) ** 2, axis=1) for a in g[:-1])
    np.testing.assert_allclose(P.gradient_dominance_ratio(net, W), eu / ex, rtol=1e-10)


def test_gradient_dominance_ratio_at_exact_zeros():
    """Exact arithmetic (integers): 0 at an exact minimiser (both gradients 0); inf where grad_x f = 0 but
    grad_u f != 0 (a tall A1, so A6 fails); 0 where only grad_u f = 0 (every ReLU off)."""
    A1 = np.array([[[1.0], [0.0]]])  # 2 x 1: r = (0, 1) is orthogonal to its column
    A2 = np.array([[[0.0], [1.0]]])
    x, u = np.array([[1.0]]), np.array([[2.0]])  # h = (1, 2)
    at_min = P.AdditiveModel(A1, A2, np.array([[1.0, 2.0]]))
    assert P.gradient_dominance_ratio(at_min, [x, u]).tolist() == [0.0]
    stuck = P.AdditiveModel(A1, A2, np.array([[1.0, 1.0]]))  # r = (0, 1)
    assert P.block_grad_norms(stuck, [x, u])[0].tolist() == [0.0]
    assert P.gradient_dominance_ratio(stuck, [x, u]).tolist() == [np.inf]
    off = P.AdditiveModel(A1, A2, np.array([[0.0, 5.0]]))
    assert P.gradient_dominance_ratio(off, [x, -u]).tolist() == [0.0]  # D = 0, grad_x f = 1


def test_errors_name_the_argument_w_for_the_network_too():
    net, W = small_net(0)
    bad = W[:-1] + [np.ones((2, 20, 2))]
    for fn in (P.block_grad_norms, P.gradient_dominance_ratio):
        with pytest.raises(ValueError, match=r"^w\[2\] must have shape"):
            fn(net, bad)


def _pattern_value(model, pattern):
    D = pattern.astype(float)
    return model.B * np.linalg.norm(np.swapaxes(model.A1, 1, 2) * D[:, None, :] @ model.A2, 2, axis=(1, 2))


@pytest.mark.parametrize("exhaustive, m", [(False, 9), (True, 5), (True, 13)])
def test_the_reported_pattern_attains_G2(exhaustive, m):
    """The returned pattern is a (T, m) boolean array whose ||A1^T D A2|| is the reported G2, for the local
    search and for the exhaustive search (13 rows: 8192 patterns, more than one chunk of 4096)."""
    model, _ = P.make_additive(10.0, 0.5, dim_x=2, dim_u=3, dim_out=m, n_trials=3, seed=m)
    model = P.AdditiveModel(model.A1, model.A2, model.b, B=1.5)
    out = P.pattern_G2(model, exhaustive=exhaustive, n_starts=1 if not exhaustive else 8, seed=1)
    assert out["pattern"].dtype == bool and out["pattern"].shape == (3, m) and out["exhaustive"] is exhaustive
    np.testing.assert_allclose(_pattern_value(model, out["pattern"]), out["G2"], rtol=1e-12)
    if exhaustive:  # brute force over every pattern, one at a time
        bits = ((np.arange(2 ** m)[:, None] >> np.arange(m)) & 1).astype(bool)
        best = np.max([_pattern_value(model, np.broadcast_to(b, (3, m))) for b in bits[:: max(1, 2 ** m // 512)]],
                      axis=0)
        assert np.all(out["G2"] >= best * (1 - 1e-12))


def test_pattern_G2_exhaustive_default_and_limit():
    """Exhaustive by default up to 12 rows; more than 20 rows cannot be searched exhaustively."""
    for m, expect in ((12, True), (13, False)):
        model, _ = P.make_additive(1.0, 0.5, dim_x=1, dim_u=1, dim_out=m, n_trials=1, seed=0)
        assert P.pattern_G2(model, n_starts=1)["exhaustive"] is expect
    model, _ = P.make_additive(1.0, 0.5, dim_x=1, dim_u=1, dim_out=21, n_trials=1, seed=0)
    with pytest.raises(ValueError, match=r"exhaustive must be False for more than 20 rows \(2\^m patterns\), got m = 21"):
        P.pattern_G2(model, exhaustive=True)


def test_pattern_search_stops_with_a_dead_relu():
    """A zero row of A2 is a ReLU that is never active: its bit of D changes nothing, so a flip of it never
    improves the norm and the local search must stop there (not wander between equal patterns); it still finds
    the exhaustive maximum on this small instance."""
    model, _ = P.make_additive(10.0, 0.5, dim_x=3, dim_u=4, dim_out=6, n_trials=2, seed=7)
    A2 = model.A2.copy()
    A2[:, 2] = 0.0
    dead = P.AdditiveModel(model.A1, A2, model.b)
    exact = P.pattern_G2(dead, exhaustive=True)["G2"]
    found = P.pattern_G2(dead, exhaustive=False, n_starts=4, seed=0)
    np.testing.assert_allclose(found["G2"], exact, rtol=1e-12)
    np.testing.assert_allclose(_pattern_value(dead, found["pattern"]), found["G2"], rtol=1e-12)


def test_lipschitz_ratios_default_scale_is_one():
    """The points are standard Gaussian by default (scale = 1)."""
    model, _ = random_model(3)
    default, one = P.lipschitz_ratios(model, 3, seed=5), P.lipschitz_ratios(model, 3, seed=5, scale=1.0)
    two = P.lipschitz_ratios(model, 3, seed=5, scale=2.0)
    for key in default:
        np.testing.assert_array_equal(default[key], one[key])
    assert not np.allclose(two["dominance"], one["dominance"])
