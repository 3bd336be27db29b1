"""accelbook.deep_linear.theory: Lemma 13 made exact (the Gram matrix at the orthogonal initialisation and the
singular values of the products), Theorem 10's parameters as Corollary 1's for H0, and the bounds' values."""

import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from deep_linear_helpers import instances

from accelbook import deep_linear as dl
from accelbook import theory


# ---------------------------------------------------------------- Lemma 13, exact
@settings(max_examples=40)
@given(inst=instances())
def test_lemma13_gram_identity_at_orthogonal_init(inst):
    prob, w0 = inst
    depth = len(w0)
    H0 = dl.gram(w0, prob.X)
    closed = dl.lemma13_gram(prob.X, prob.d_y, depth)
    np.testing.assert_allclose(H0, closed, rtol=0, atol=1e-10 * np.abs(closed).max())
    np.testing.assert_allclose(dl.gram_at_init(w0, prob.X), closed)
    eig = np.linalg.eigvalsh(H0)
    sv = np.linalg.svd(prob.X, compute_uv=False)
    assert eig[0] == pytest.approx(depth * sv[-1] ** 2 / prob.d_y, rel=1e-9)
    assert eig[-1] == pytest.approx(depth * sv[0] ** 2 / prob.d_y, rel=1e-9)
    assert eig[-1] / eig[0] == pytest.approx(prob.kappa, rel=1e-8)


def test_lemma13_gram_fails_away_from_orthogonal_init():
    prob = dl.make_problem(4, 3, 2, seed=0)
    ws = [np.random.default_rng(1).standard_normal(s) for s in dl.layer_shapes(4, 2, 6, 3)]
    assert not np.allclose(dl.gram(ws, prob.X), dl.lemma13_gram(prob.X, 2, 3), rtol=1e-3)


def nested_init(d, d_y, m, depth, rng):
    """An orthogonal initialisation (Section 2.3's conditions hold) whose full product is nested by construction:
    the row space of W^(L) contains, or lies in, the range of W^(L-1:1), for any m >= max(d, d_y)."""
    Q = dl.model._haar(rng, m)
    middle = [np.sqrt(m) * dl.model._haar(rng, m) for _ in range(depth - 2)]
    P = np.eye(m)
    for w in middle:
        P = (w / np.sqrt(m)) @ P
    return [np.sqrt(m) * Q[:, :d]] + middle + [np.sqrt(m) * (P @ Q[:, :d_y]).T]


@settings(max_examples=60)
@given(d=st.integers(1, 5), d_y=st.integers(1, 5), extra=st.integers(0, 6), depth=st.integers(2, 6),
       nested=st.booleans(), seed=st.integers(0, 2 ** 32 - 1))
def test_lemma13_full_product_is_an_isometry_exactly_when_nested(d, d_y, extra, depth, nested, seed):
    """Partial products other than the full one are scaled isometries; the full product's singular values equal
    m^{L/2} exactly when the two subspaces are nested, which for the random initialisation happens iff m = max(d, d_y);
    otherwise max(0, d + d_y - m) of them equal it and the rest are smaller (both ways, on random instances)."""
    rng = np.random.default_rng(seed)
    m = max(d, d_y) + extra
    ws = nested_init(d, d_y, m, depth, rng) if nested else dl.orthogonal_init(d, d_y, m, depth, seed=rng)
    dl.check_orthogonal_init(ws)
    for i in range(1, depth + 1):
        for j in range(i, depth + 1):
            if (i, j) != (1, depth):
                np.testing.assert_allclose(dl.product_singular_values(ws, i, j), 1.0, atol=1e-10)
    full = dl.product_singular_values(ws, 1, depth)
    assert full.size == min(d, d_y) and full.max() <= 1 + 1e-10
    unit = int(np.sum(full > 1 - 1e-9))
    is_nested = dl.full_product_nested(ws)
    assert (unit == min(d, d_y)) == is_nested          # the exact condition, whatever the construction
    if nested:
        assert is_nested and unit == min(d, d_y)
    else:                                             # the random initialisation: generic position
        assert unit == dl.full_product_unit_count(d, d_y, m)
        assert is_nested == (m == max(d, d_y))
        assert np.all((full > 1 - 1e-9) | (full < 1 - 1e-6))   # the other cosines are clearly below 1


def test_the_intermediate_widths_refute_the_old_claim():
    """max(d, d_y) < m < d + d_y: neither all equal to 1 (what the old test asserted) nor all below 1."""
    ws = dl.orthogonal_init(3, 2, 4, 5, seed=3)
    full = dl.product_singular_values(ws, 1, 5)
    assert np.sum(full > 1 - 1e-9) == 1 == dl.full_product_unit_count(3, 2, 4) and full.min() < 0.99


# ---------------------------------------------------------------- Theorem 10's parameters and bounds
def test_theorem10_parameters_are_corollary1_for_H0():
    prob = dl.make_problem(6, 4, 3, kappa=50.0, seed=0)
    eta, beta = prob.parameters(17)
    H0 = dl.lemma13_gram(prob.X, 3, 17)
    eig = np.linalg.eigvalsh(H0)
    assert eta * eig[-1] == pytest.approx(1.0) and eta * prob.lam(17) == pytest.approx(1 / 50.0)
    assert (eta, beta) == pytest.approx(theory.corollary1_parameters(eig[0], eig[-1]))
    theory.check_theorem5_condition(H0, eta, beta)
    assert theory.theorem5_constant(H0, eta, beta) <= 4 * np.sqrt(50.0)
    assert dl.theorem4_step(prob.X, 3, 17) == pytest.approx(eta / 2)
    assert dl.data_condition_number(prob.X) == pytest.approx(50.0, rel=1e-10)


def test_theorem10_bound_values():
    assert dl.theorem10_rate(16.0) == pytest.approx(1 - 1 / 16)
    np.testing.assert_allclose(dl.theorem10_bound(16.0, [0, 2]), [32.0, 32.0 * (15 / 16) ** 2])
    assert dl.theorem10_bound(16.0, 0) == pytest.approx(32.0)
    X = np.diag([2.0, 1.0])
    # R = 64 ||X|| sqrt(d_y) nu C0 B0 / (L sigma_min^2)
    assert dl.r_l_linear(X, 4, 8, nu_c0=3.0, b0=0.5) == pytest.approx(64 * 2 * 2 * 3 * 0.5 / 8)


def test_bad_inputs_give_clear_errors():
    prob = dl.make_problem(4, 3, 2, seed=0)
    ws = prob.init(6, 3, seed=0)
    bad = [w.copy() for w in ws]
    bad[1][0, 0] += 0.1
    with pytest.raises(ValueError, match="weights0\\[1\\] is not a scaled orthogonal layer.*required here"):
        dl.gram_at_init(bad, prob.X)
    with pytest.raises(ValueError, match="j must be <= depth L = 3"):
        dl.product_singular_values(ws, 1, 4)
    with pytest.raises(ValueError, match="nu_c0 must be >= 0"):
        dl.r_l_linear(prob.X, 2, 3, nu_c0=-1.0, b0=1.0)
    with pytest.raises(ValueError, match="X must have full column rank"):
        dl.data_condition_number(np.ones((3, 2)))
    with pytest.raises(TypeError, match="kappa must be a real number"):
        dl.theorem10_rate("abc")
    with pytest.raises(ValueError, match="t must be >= 0"):
        dl.theorem10_bound(4.0, -1)


def test_the_printed_width_condition_is_not_scale_invariant_and_the_corrected_one_is():
    prob = dl.make_problem(4, 3, 2, kappa=10.0, seed=0)
    kw = dict(w_star_norm=float(np.linalg.norm(prob.w_star, 2)), delta=0.1, C=2.0)
    for c in (1e-3, 7.0, 1e5):
        assert dl.theorem10_printed_width(c * prob.X, 2, **kw) == pytest.approx(
            dl.theorem10_printed_width(prob.X, 2, **kw) / c ** 2, rel=1e-9)
        assert dl.theorem10_corrected_width(c * prob.X, 2, **kw) == pytest.approx(
            dl.theorem10_corrected_width(prob.X, 2, **kw), rel=1e-9)
    # sigma_max(X) = 1 here, so the two differ by the factor ||X||_F^2
    assert dl.theorem10_corrected_width(prob.X, 2, **kw) == pytest.approx(
        dl.theorem10_printed_width(prob.X, 2, **kw) * np.sum(prob.X ** 2), rel=1e-12)
    np.testing.assert_allclose(prob.w_star @ prob.X, prob.Y, atol=1e-12)


@settings(max_examples=30)
@given(seed=st.integers(0, 2 ** 32 - 1))
def test_gradient_bound_89_binds_at_the_orthogonal_initialisation_with_one_sample(seed):
    """(89)'s first inequality is an equality for n = 1 at the orthogonal initialisation (spread 1), so a wrong
    constant in it (or in the gradient's scaling) cannot pass; with n > 1 it is an inequality."""
    rng = np.random.default_rng(seed)
    d, d_y, depth = int(rng.integers(1, 5)), int(rng.integers(1, 4)), int(rng.integers(2, 8))
    m = int(rng.integers(max(d, d_y), 12))
    for n in (1, min(d, 3)):
        prob = dl.make_problem(d, n, d_y, seed=rng)
        ws = prob.init(m, depth, seed=rng)
        xi = np.linalg.norm(dl.output(ws, prob.X) - prob.Y)
        bound = dl.gradient_bound_89(prob.X, d_y, spread=1.0, residual_norm=xi)
        norms = np.array([np.linalg.norm(g) for g in prob.grad(ws)])
        assert np.all(norms <= bound * (1 + 1e-12))
        if n == 1:
            np.testing.assert_allclose(norms, bound, rtol=1e-10)


def test_the_spread_that_89_allows():
    """s^2 sqrt(2) <= 4 gives s <= 2^(3/4) = 1.68; the source's 2 sqrt(2) would give 2^(1/4) = 1.19; both admit
    Lemma 16's 1.1, and at the limit the chain of (89) closes exactly."""
    s, s_source = dl.spread_limit_89(), dl.spread_limit_89(stacked_factor=2 * np.sqrt(2))
    assert s == pytest.approx(2 ** 0.75, rel=1e-15) and s_source == pytest.approx(2 ** 0.25, rel=1e-15)
    assert 1.1 < s_source < s
    X = np.diag([3.0, 1.0])
    # at s, (89) with ||xi_s|| = sqrt(2) theta^s nu C0 ||xi_0|| is 4 ||X|| theta^s nu C0 ||xi_0|| / sqrt(d_y)
    assert dl.gradient_bound_89(X, 4, spread=s, residual_norm=np.sqrt(2) * 0.3) == pytest.approx(4 * 3.0 * 0.3 / 2)


def test_the_scaling_counterexample_to_the_printed_width_condition():
    out = dl.theorem10_scaling_counterexample(inits=3, n_iter=300)
    assert out["m"] == 4 and out["printed_width"][1] <= out["m"] < out["printed_width"][0]
    assert out["corrected_width"][0] == pytest.approx(out["corrected_width"][1], rel=1e-9)
    assert out["corrected_width"][0] > 1e10
    assert out["fraction"] == 1.0 and np.all(out["ratio"] > 1) and not out["diverged"]
    assert out["iterate_gap"] < 1e-9


# ---------------------------------------------------------------- nesting, steps, widths (mutation kills)
def rotated_pair(k, theta, depth, rng):
    """An orthogonal initialisation (d = d_y = k, m = 2k) whose two subspaces (range of W^(L-1:1), row space of
    W^(L)) have k principal angles all equal to theta, in a random orientation."""
    m = 2 * k
    Q = dl.model._haar(rng, m)
    middle = [np.sqrt(m) * dl.model._haar(rng, m) for _ in range(depth - 2)]
    P = np.eye(m)
    for w in middle:
        P = (w / np.sqrt(m)) @ P
    B = np.hstack([np.cos(theta) * np.eye(k), np.sin(theta) * np.eye(k)])   # orthonormal rows
    return [np.sqrt(m) * Q[:, :k]] + middle + [np.sqrt(m) * B @ (P @ Q).T]


@pytest.mark.parametrize("depth", [2, 3, 5])
def test_full_product_nested_tolerance_is_per_direction(depth):
    """rtol bounds the root-mean-square sine of the principal angles: k angles all equal to theta are nested iff
    sin(theta) <= rtol, for every number k of directions (a tolerance that shrank or grew with k would not be);
    the full product's singular values are then cos(theta), as Lemma 13's nesting condition says."""
    rng = np.random.default_rng(depth)
    rtol = 1e-4
    for k in range(1, 6):
        for ratio, nested in [(0.6, True), (1.6, False)]:
            ws = rotated_pair(k, np.arcsin(ratio * rtol), depth, rng)
            dl.check_orthogonal_init(ws)
            np.testing.assert_allclose(dl.product_singular_values(ws, 1, depth), np.cos(np.arcsin(ratio * rtol)),
                                       rtol=1e-12)
            assert dl.full_product_nested(ws, rtol=rtol) is nested


def test_full_product_nested_with_rtol_zero_accepts_exact_nesting_and_depth_one():
    """rtol = 0 still accepts subspaces nested exactly in floating point (coordinate subspaces, both ways round);
    a depth-1 network (one square orthogonal layer) is nested by definition, and its singular values all equal
    sqrt(m) = m^{L/2}."""
    for d, d_y in [(3, 2), (2, 3), (2, 2), (4, 1)]:
        ws = [2 * np.eye(4)[:, :d], 2 * np.eye(4), 2 * np.eye(4)[:d_y]]
        assert dl.full_product_nested(ws, rtol=0.0) is True
    for seed in range(3):
        d = seed + 1
        ws = dl.orthogonal_init(d, d, 5, 1, seed=seed)
        assert dl.full_product_nested(ws) is True and dl.full_product_nested(ws, rtol=0.0) is True
        np.testing.assert_allclose(np.linalg.svd(ws[0], compute_uv=False), np.sqrt(5.0), rtol=1e-12)


@settings(max_examples=30)
@given(d=st.integers(1, 5), n=st.integers(1, 5), d_y=st.integers(1, 4), depth=st.integers(1, 30),
       scale=st.floats(-3, 3), seed=st.integers(0, 2 ** 32 - 1))
@example(d=3, n=2, d_y=1, depth=1, scale=0.7, seed=0)
def test_theorem4_step_is_half_over_the_top_eigenvalue_of_H0(d, n, d_y, depth, scale, seed):
    """Theorem 4's step d_y/(2 L sigma_max^2(X)) is 1/(2 lambda_max(H0)) with H0 the Gram matrix at the orthogonal
    initialisation (eigenvalues of the Kronecker matrix, on unnormalised data of any scale), half of Theorem 10's
    eta, for every d_y >= 1 and depth >= 1."""
    n = min(n, d)
    X = 10.0 ** scale * np.random.default_rng(seed).standard_normal((d, n))
    top = np.linalg.eigvalsh(dl.lemma13_gram(X, d_y, depth))[-1]
    step = dl.theorem4_step(X, d_y, depth)
    assert step == pytest.approx(1 / (2 * top), rel=1e-9)
    eta, beta = dl.theorem10_parameters(X, d_y, depth)
    assert step == pytest.approx(eta / 2, rel=1e-12)
    sv = np.linalg.svd(X, compute_uv=False)
    kappa = (sv[0] / sv[-1]) ** 2
    assert dl.data_condition_number(X) == pytest.approx(kappa, rel=1e-9)
    assert beta == pytest.approx((1 - 1 / (2 * np.sqrt(kappa))) ** 2, rel=1e-9)   # eta * lambda_min(H0) = 1/kappa


def test_the_width_conditions_are_linear_in_C_and_the_default_is_the_bare_expression():
    """Both widths carry the unspecified constant C as a factor; left out (the default) it is C = 1."""
    prob = dl.make_problem(4, 3, 2, kappa=10.0, seed=0)
    for f in (dl.theorem10_printed_width, dl.theorem10_corrected_width):
        base = f(prob.X, 2, w_star_norm=0.5, delta=0.1)
        assert f(prob.X, 2, w_star_norm=0.5, delta=0.1, C=1.0) == base
        for C in (0.25, 3.0, 1e4):
            assert f(prob.X, 2, w_star_norm=0.5, delta=0.1, C=C) == pytest.approx(C * base, rel=1e-12)


def test_the_corrected_width_is_scale_free_for_integer_data_too():
    """Integer data as large as 2^32 (whose squares overflow int64) give the width of their float copy and of the
    unscaled data: ||X||_F^2 is computed in floating point."""
    X = np.array([[2, 1], [1, 3], [0, 1]])
    kw = dict(w_star_norm=1.0, delta=0.1)
    ref = dl.theorem10_corrected_width(X.astype(float), 2, **kw)
    for c in (1, 2 ** 32, 3 * 2 ** 31):
        assert dl.theorem10_corrected_width(c * X, 2, **kw) == pytest.approx(ref, rel=1e-12)


@settings(max_examples=30)
@given(d=st.integers(1, 5), n=st.integers(1, 5), d_y=st.integers(1, 4), top=st.floats(-2, 2),
       log_kappa=st.floats(0, 1.5), w=st.floats(0, 5), delta=st.floats(1e-6, 0.999), C=st.floats(0.01, 100),
       seed=st.integers(0, 2 ** 32 - 1))
@example(d=2, n=2, d_y=1, top=0.5, log_kappa=1.0, w=2.0, delta=0.5, C=1.0, seed=0)
def test_the_width_conditions_on_data_with_known_singular_values(d, n, d_y, top, log_kappa, w, delta, C, seed):
    """X = U diag(s) V^T with chosen s (sigma_max = 10^top, kappa = 10^log_kappa, rank n): the printed width is
    C kappa^5 (d_y (1 + ||W*||^2) + log(n / delta)) / sigma_max^2 and the corrected one has ||X||_F^2 = sum s^2 in
    the numerator, as Theorem 10 and Appendix G.1 state them."""
    n = min(n, d)
    rng = np.random.default_rng(seed)
    s = 10.0 ** top * np.sqrt(10.0 ** (-log_kappa * np.linspace(0, 1, n)))   # sigma_max^2 / sigma_min^2 = kappa
    X = dl.model._haar(rng, d)[:, :n] @ np.diag(s) @ dl.model._haar(rng, n).T
    kappa = 10.0 ** log_kappa if n > 1 else 1.0
    bracket = d_y * (1 + w ** 2) + np.log(n / delta)
    kw = dict(w_star_norm=w, delta=delta, C=C)
    assert dl.theorem10_printed_width(X, d_y, **kw) == pytest.approx(C * kappa ** 5 * bracket / s[0] ** 2, rel=1e-9)
    assert dl.theorem10_corrected_width(X, d_y, **kw) == pytest.approx(
        C * kappa ** 5 * bracket * np.sum(s ** 2) / s[0] ** 2, rel=1e-9)


def known_data(d, n, top, log_kappa, rng):
    """X = U diag(s) V^T (d x n) with sigma_max = 10^top and sigma_max^2 / sigma_min^2 = 10^log_kappa (n > 1)."""
    s = 10.0 ** top * np.sqrt(10.0 ** (-log_kappa * np.linspace(0, 1, n)))
    return dl.model._haar(rng, d)[:, :n] @ np.diag(s) @ dl.model._haar(rng, n).T, s


@settings(max_examples=30)
@given(d=st.integers(1, 5), n=st.integers(1, 5), d_y=st.integers(1, 4), m=st.integers(1, 600),
       top=st.floats(-2, 2), log_kappa=st.floats(0, 2), eta=st.floats(1e-4, 10), z=st.floats(1e-6, 1.0),
       nu_c0=st.floats(0, 50), xi0=st.floats(0, 50), t=st.lists(st.integers(0, 200), min_size=1, max_size=5),
       seed=st.integers(0, 2 ** 32 - 1))
@example(d=2, n=2, d_y=1, m=1, top=0.0, log_kappa=1.0, eta=0.5, z=1.0, nu_c0=2.0, xi0=3.0, t=[0, 1, 5], seed=0)
def test_lemma14_bounds_on_data_with_known_singular_values(d, n, d_y, m, top, log_kappa, eta, z, nu_c0, xi0, t,
                                                           seed):
    """With 1 - theta = sqrt(eta lam)/4 = sqrt(z)/4 the bounds of Lemma 14 are
    ||varphi_t|| <= 688 sqrt(d_y/m) (nu C0 xi0)^2 theta^{2t} / (sigma_max(X) z), the same times theta^{-2} for psi_t,
    and ||iota_t|| <= sqrt(2) z nu C0 xi0 theta^t / 80: each term's degree in d_y, m, sigma_max, nu C0, xi0 and t,
    on data whose sigma_max is chosen, for any split of eta lam into eta and lam."""
    n = min(n, d)
    X, s = known_data(d, n, top, log_kappa, np.random.default_rng(seed))
    theta = 1 - np.sqrt(z) / 4
    tt = np.asarray(t, dtype=float)
    b = dl.lemma14_bounds(X, d_y, m, eta, z / eta, t, nu_c0=nu_c0, xi0_norm=xi0)
    k = 688 * np.sqrt(d_y / m) * (nu_c0 * xi0) ** 2 / (s[0] * z)
    np.testing.assert_allclose(b["varphi"], k * theta ** (2 * tt), rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(b["psi"], k * theta ** (2 * tt - 2), rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(b["iota"], np.sqrt(2) * z * nu_c0 * xi0 * theta ** tt / 80, rtol=1e-9, atol=1e-300)
    one = dl.lemma14_bounds(X, d_y, m, eta, z / eta, t[0], nu_c0=nu_c0, xi0_norm=xi0)
    assert {key: float(v) for key, v in one.items()} == pytest.approx({key: v[0] for key, v in b.items()}, rel=1e-12)


def test_lemma14_bounds_refuse_eta_lam_above_one_by_name():
    X = np.diag([2.0, 1.0])
    assert dl.lemma14_bounds(X, 1, 4, 2.0, 0.5, 0, nu_c0=1.0, xi0_norm=1.0)["iota"] == pytest.approx(np.sqrt(2) / 80)
    with pytest.raises(ValueError, match=r"^eta \* lam must be <= 1 \(Theorem 10's eta \* lam = 1/kappa\), got 1.01$"):
        dl.lemma14_bounds(X, 1, 4, 2.02, 0.5, 0, nu_c0=1.0, xi0_norm=1.0)


@settings(max_examples=30)
@given(d=st.integers(1, 5), n=st.integers(1, 5), d_y=st.integers(1, 4), depth=st.integers(1, 200),
       top=st.floats(-2, 2), log_kappa=st.floats(0, 2), nu_c0=st.floats(0, 50), b0=st.floats(0, 50),
       spread=st.floats(0, 3), seed=st.integers(0, 2 ** 32 - 1))
@example(d=2, n=2, d_y=1, depth=1, top=0.3, log_kappa=1.0, nu_c0=2.0, b0=3.0, spread=0.5, seed=0)
def test_r_l_linear_and_the_gradient_bound_89_on_data_with_known_singular_values(d, n, d_y, depth, top, log_kappa,
                                                                               nu_c0, b0, spread, seed):
    """R = 64 sigma_max sqrt(d_y) nu C0 B0 / (L sigma_min^2) (Lemmas 14-15) and (89)'s
    max{s, s^2} sigma_max ||U - Y|| / sqrt(d_y), on data whose singular values are chosen: R scales like
    1/sigma and like 1/L, the bound like sigma, s below 1 enters once and above 1 squared."""
    n = min(n, d)
    X, s = known_data(d, n, top, log_kappa, np.random.default_rng(seed))
    assert dl.r_l_linear(X, d_y, depth, nu_c0=nu_c0, b0=b0) == pytest.approx(
        64 * s[0] * np.sqrt(d_y) * nu_c0 * b0 / (depth * s[-1] ** 2), rel=1e-9, abs=1e-300)
    factor = spread if spread <= 1 else spread ** 2
    assert dl.gradient_bound_89(X, d_y, spread=spread, residual_norm=b0) == pytest.approx(
        factor * s[0] * b0 / np.sqrt(d_y), rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("f", [0.5, 1.0, np.sqrt(2.0), 2.0, 2 * np.sqrt(2.0), 4.0, 16.0])
def test_spread_limit_89_closes_the_chain_of_89_exactly(f):
    """At s = spread_limit_89(stacked_factor=f), max{s, s^2} f = 4 when s >= 1 (f <= 4), and s^2 f = 4 in any case."""
    s = dl.spread_limit_89(stacked_factor=f)
    assert s ** 2 * f == pytest.approx(4.0, rel=1e-14)
    X = np.diag([5.0, 1.0])
    if s >= 1:
        assert dl.gradient_bound_89(X, 1, spread=s, residual_norm=f) == pytest.approx(4 * 5.0, rel=1e-14)


@pytest.mark.parametrize("scale", [1e-150, 1e-8, 1.0, 1e8, 1e150])
def test_the_full_rank_check_is_scale_free_and_reports_the_smallest_singular_value(scale):
    """Assumption (A1) is a property of X's shape and of sigma_min/sigma_max (< 1e-12 counts as rank-deficient): an
    orthonormal-column X is accepted at every scale, a ratio of 1e-13 refused at every scale, with the shape and the
    smallest singular value (not another one) in the message."""
    rng = np.random.default_rng(0)
    U, V = dl.model._haar(rng, 4)[:, :3], dl.model._haar(rng, 3)
    assert dl.data_condition_number(scale * U) == pytest.approx(1.0, rel=1e-9)
    X = scale * U @ np.diag([1.0, 0.5, 1e-13]) @ V.T
    smallest = np.linalg.svd(X, compute_uv=False)[-1]
    with pytest.raises(ValueError, match=re.escape(f"got shape (4, 3) with smallest singular value {smallest:.3g}")):
        dl.data_condition_number(X)
    np.testing.assert_allclose(smallest, 1e-13 * scale, rtol=0.05)
    with pytest.raises(ValueError, match=re.escape("X must have full column rank (assumption (A1)")):
        dl.theorem4_step(scale * np.ones((2, 3)), 1, 1)


def test_theorem10_rate_and_bound_at_kappa_one():
    """kappa = 1 (one sample, or orthogonal data) is allowed: theta = 3/4 and the factor of (22) is 8 (3/4)^t."""
    assert dl.theorem10_rate(1.0) == 0.75
    np.testing.assert_allclose(dl.theorem10_bound(1.0, [0, 1, 3]), 8 * 0.75 ** np.array([0, 1, 3]), rtol=1e-15)
    prob = dl.make_problem(3, 1, 2, seed=0)
    assert prob.kappa == pytest.approx(1.0) and dl.theorem10_rate(prob.kappa) == pytest.approx(0.75)


@pytest.mark.parametrize("d, scale", [(1, 3.0), (3, 1.0), (4, 7.5)])
def test_product_singular_values_at_depth_one_are_those_of_the_layer(d, scale):
    """For L = 1 there is no width to divide by (m plays no role): the singular values are the layer's own, e.g.
    sqrt(m) for the orthogonal initialisation with any m, and the network is nested."""
    rng = np.random.default_rng(d)
    W = scale * dl.model._haar(rng, d) @ np.diag(np.linspace(1.0, 2.0, d))
    expected = scale * np.linspace(1.0, 2.0, d)[::-1]
    np.testing.assert_allclose(dl.product_singular_values([W], 1, 1), expected, rtol=1e-12)
    ws = dl.orthogonal_init(d, d, 9, 1, seed=d)
    np.testing.assert_allclose(dl.product_singular_values(ws, 1, 1), 3.0, rtol=1e-12)
