"""Chapter 3: the ReLU network in the NTK regime (Wang, Lin & Abernethy 2021, Sections 2.2, 3.3, 4.3,
Appendices B, F, H). The closed-form NTK Gram matrix against Monte Carlo, the subgradient against finite
differences, numpy against torch, the decomposition of Lemma 3 against accelbook.residual, the explicit
bounds (Lemma 3, the path bound of Lemma 10, a deterministic Lemma 8, Corollary 1 under Theorem 9's
parameters, (21)) on random instances, and the erratum on Theorem 9's beta."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.special import erf

from accelbook import methods, relu, residual, theory
from conftest import random_psd

seeds = st.integers(0, 2**32 - 1)


def small_problem(seed, n=4, d=3, m=30, trials=None):
    rng = np.random.default_rng(seed)
    X = relu.unit_inputs(n, d, seed=rng) * rng.uniform(0.3, 1.0, (n, 1))
    return relu.make_problem(X, relu.random_labels(n, seed=rng), m, seed=rng, trials=trials)


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


# ---------------------------------------------------------------- training: records, torch, batches
@settings(max_examples=10)
@given(seed=seeds, method=st.sampled_from(["gd", "heavy_ball", "nesterov"]))
def test_train_records_what_it_says(seed, method):
    prob = small_problem(seed, m=25)
    eta = 0.8 / np.linalg.eigvalsh(prob.H0)[-1]
    beta = 0.0 if method == "gd" else 0.6
    run = relu.train(prob, method, eta, beta, 20, store="all", record_gram=True)
    traj = run.trajectory
    np.testing.assert_allclose(run.xi, prob.residual(traj), atol=1e-13)
    np.testing.assert_allclose(run.loss, prob.loss(traj), atol=1e-13)
    np.testing.assert_allclose(run.pattern_change, relu.pattern_change_fraction(traj, prob.W0, prob.X))
    np.testing.assert_allclose(run.max_distance, relu.neuron_distances(traj, prob.W0).max(axis=1), atol=1e-14)
    np.testing.assert_allclose(run.gram, relu.gram(traj, prob.X), atol=1e-15)
    assert run.result.method == method and run.nit == 20 and not run.diverged


def test_batched_training_equals_separate_runs():
    prob = small_problem(3, m=20, trials=3)
    run = relu.train(prob, "heavy_ball", 0.5, 0.7, 15)
    for k in range(3):
        single = relu.ReluProblem(X=prob.X, y=prob.y, a=prob.a[k], W0=prob.W0[k])
        np.testing.assert_allclose(run.xi[:, k], relu.train(single, "heavy_ball", 0.5, 0.7, 15).xi, atol=1e-13)


@pytest.mark.parametrize("method", ["gd", "heavy_ball", "nesterov"])
def test_torch_sgd_on_an_nn_module_matches_accelbook_methods(method):
    prob = small_problem(11, n=5, d=4, m=60)
    eta, beta = prob.momentum_parameters()
    beta = 0.0 if method == "gd" else beta
    theirs = relu.torch_train(prob, eta, beta, 40, nesterov=(method == "nesterov"))
    if method == "nesterov":   # torch holds Nesterov's extrapolated points y_k
        expected = np.stack(methods.nesterov(prob.grad, prob.W0, eta, beta, 40, store_y=True).y_iterates)
    else:
        expected = relu.train(prob, method, eta, beta, 40, store="all").trajectory
    np.testing.assert_allclose(theirs, expected, rtol=1e-10, atol=1e-12)


def test_linearised_model_is_the_recursion_without_perturbation():
    rng = np.random.default_rng(5)
    H, xi0 = random_psd(rng, 4), rng.standard_normal(4)
    lin = relu.linearised_residuals(H, xi0, 0.9, 0.6, 30)
    rebuilt = residual.reconstruct(xi0, np.zeros((30, 4)), H, 0.9, 0.6)[:, :4]
    np.testing.assert_allclose(lin, rebuilt, atol=1e-12)
    nes = relu.linearised_residuals(H, xi0, 0.9, 0.6, 30, method="nesterov")
    run = methods.nesterov(lambda w: H @ w, xi0, 0.9, 0.6, 30)   # on a quadratic the residual is H-linear
    np.testing.assert_allclose(nes, run.trajectory, atol=1e-12)


def test_network_residuals_approach_the_linearised_model_as_the_width_grows():
    X, y = relu.unit_inputs(4, 5, seed=1), relu.random_labels(4, seed=1)
    dev = []
    for m in (100, 6400):
        prob = relu.make_problem(X, y, m, seed=2, trials=4)
        run = relu.train(prob, "heavy_ball", 1.0, 0.5, 40)
        lin = relu.linearised_residuals(prob.H0, run.xi[0], 1.0, 0.5, 40)
        dev.append(np.mean(np.max(np.linalg.norm(run.xi - lin, axis=-1), axis=0)))
    assert dev[1] < dev[0] / 3          # 1/sqrt(m) predicts a factor 8


def test_iterations_to_and_the_appendix_h_helpers():
    curve = np.array([[1.0, 2.0], [0.1, 1.0], [1e-3, 1.0]])
    np.testing.assert_array_equal(relu.iterations_to(curve, 1e-2), [2.0, np.nan])
    prob, runs = relu.appendix_h_experiment(0, m=200, n_iter=30)
    eta, beta = prob.momentum_parameters()
    assert (prob.n, prob.d, prob.m) == (5, 10, 200) and set(runs) == {"gd", "heavy_ball", "nesterov"}
    assert runs["heavy_ball"].beta == beta and runs["gd"].beta == 0.0 and runs["gd"].eta == eta
    assert np.all(np.abs(prob.X).max() <= 1) and set(np.unique(prob.y)) <= {-1.0, 1.0}
    seeds = relu.appendix_h_seeds([0], m=200, n_iter=30, tol=1e-6)
    assert seeds["kappa_hat"][0] == pytest.approx(prob.kappa_hat)
    assert seeds["iters_hb"][0] == relu.iterations_to(runs["heavy_ball"].loss, 1e-6) < 30


def test_empirical_rate_of_geometric_sequences():
    t = np.arange(200)
    xi = np.stack([0.9 ** t, 2 * 0.8 ** t], axis=-1)[:, None, :] * np.array([1.0, 1.0])
    xi = np.concatenate([xi, np.stack([0.7 ** t, 0 * t], axis=-1)[:, None, :]], axis=1)  # batch of 2
    rates = relu.empirical_rate(xi, stop=1e-8)
    assert rates.shape == (2,)
    assert rates[1] == pytest.approx(0.7, rel=1e-10)
    assert rates[0] == pytest.approx(0.9, rel=1e-3)
    assert np.isnan(relu.empirical_rate(np.ones((10, 3))))   # never decays


# ---------------------------------------------------------------- S_i^perp, Lemma 8, Lemma 3, Lemma 10
@given(seed=seeds, radius=st.floats(0.01, 2.0))
def test_s_perp_is_exactly_the_set_of_neurons_that_can_flip(seed, radius):
    prob = small_problem(seed, m=40)
    mask = relu.s_perp(prob.W0, prob.X, radius)
    for i, x in enumerate(prob.X):
        z0 = prob.W0 @ x
        # the most effective move of length R: against (or along) x
        w_far = prob.W0 - radius * np.sign(z0 + (z0 == 0))[:, None] * x / np.linalg.norm(x)
        flips = (w_far @ x >= 0) != (z0 >= 0)
        np.testing.assert_array_equal(mask[i], flips)


def test_s_perp_fraction_is_the_gaussian_probability():
    X = relu.unit_inputs(3, 5, seed=0)
    W0, _ = relu.init_weights(200_000, 5, seed=1)
    for radius in (0.01, 0.1, 0.5):
        frac = relu.s_perp(W0, X, radius).mean(axis=1)
        np.testing.assert_allclose(frac, erf(radius / np.sqrt(2)), atol=5 * np.sqrt(0.4 * radius / 200_000))


@settings(max_examples=12)
@given(seed=seeds, beta=st.floats(0.0, 0.9), step=st.floats(0.3, 1.5), m=st.integers(5, 40))
def test_lemma3_decomposition_adds_up_and_varphi_obeys_its_bound(seed, beta, step, m):
    prob = small_problem(seed, m=m)
    eta = step / np.linalg.eigvalsh(prob.H0)[-1]
    run = relu.train(prob, "heavy_ball", eta, beta, 25, store="all")
    if run.diverged:
        return
    dec = relu.lemma3_decomposition(run.trajectory, prob, eta, beta)
    scale = max(1.0, np.abs(dec["phi"]).max())
    # phi of (8), extracted by accelbook.residual, equals varphi + iota of Lemma 3
    np.testing.assert_allclose(dec["varphi"] + dec["iota"], dec["phi"], atol=1e-12 * scale)
    # varphi does not depend on which valid sets S_i^perp are used
    wider = relu.lemma3_decomposition(run.trajectory, prob, eta, beta, radius=2 * dec["radius"] + 0.1)
    np.testing.assert_allclose(wider["varphi"], dec["varphi"], atol=1e-12 * scale)
    # Lemma 3's bound on |varphi_t[i]|
    assert np.all(np.abs(dec["varphi"]) <= dec["varphi_bound"] * (1 + 1e-9) + 1e-14)
    # ... which also holds with the smallest valid sets (the neurons whose pattern ever changed)
    assert np.all(dec["changed_sizes"] <= dec["s_perp_sizes"])
    assert np.all(np.abs(dec["varphi"]) <= dec["varphi_bound_changed"] * (1 + 1e-9) + 1e-14)


def test_lemma3_source_sign_of_the_gram_correction_is_wrong():
    prob = small_problem(7, m=8)
    eta = 1.2 / np.linalg.eigvalsh(prob.H0)[-1]
    run = relu.train(prob, "heavy_ball", eta, 0.5, 30, store="all")
    dec = relu.lemma3_decomposition(run.trajectory, prob, eta, 0.5)
    assert np.abs(dec["varphi_gram"]).max() > 1e-3                     # patterns did change
    printed = -dec["varphi_gram"] + dec["varphi_activation"] + dec["iota"]
    assert np.abs(printed - dec["phi"]).max() > 1e-3
    np.testing.assert_allclose(dec["varphi_gram"] + dec["varphi_activation"] + dec["iota"], dec["phi"], atol=1e-12)


@settings(max_examples=15)
@given(seed=seeds, beta=st.floats(0.0, 0.95), step=st.floats(0.2, 1.5))
def test_lemma10_path_bound_and_a_deterministic_lemma8_hold_along_runs(seed, beta, step):
    prob = small_problem(seed, m=30)
    eta = step / np.linalg.eigvalsh(prob.H0)[-1]
    run = relu.train(prob, "heavy_ball", eta, beta, 40, store="all", record_gram=True)
    if run.diverged:
        return
    bound = relu.lemma10_distance_bound(run.xi, eta, beta, prob.m)
    assert np.all(run.max_distance <= bound * (1 + 1e-10) + 1e-15)
    radius = run.max_distance.max()
    change = np.linalg.norm(run.gram - prob.H0, axis=(-2, -1))
    assert np.all(change <= relu.gram_change_bound(prob.W0, prob.X, radius) * (1 + 1e-12) + 1e-15)


# ---------------------------------------------------------------- Theorem 9, Corollary 1 and the erratum
@given(seed=seeds, n=st.integers(1, 8), log_kappa=st.floats(0.0, 6.0))
def test_c0_is_at_most_4_sqrt_kappa_hat_under_theorem9_parameters(seed, n, log_kappa):
    # Theorem 9 sets eta and beta from bounds lambda <= lambda_min(H0), lambda_max(H0) <= lambda_max;
    # Corollary 1's conclusion C0 <= 4 sqrt(kappa_hat) must survive that (sharp, corrected C0).
    rng = np.random.default_rng(seed)
    lam, lam_max = 1.0, 10 ** log_kappa
    eig = rng.uniform(lam, lam_max, n)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    H0 = (Q * eig) @ Q.T
    kappa_hat = lam_max / lam
    eta, beta = 1 / lam_max, (1 - 0.5 / np.sqrt(kappa_hat)) ** 2
    assert theory.theorem5_constant(H0, eta, beta) <= 4 / np.sqrt(3) * np.sqrt(kappa_hat) * (1 + 1e-9)


def test_theorem9_parameters_follow_table1():
    H_bar = relu.ntk_gram(relu.clustered_inputs(5, 10, 0.4, seed=0))
    p = relu.theorem9_parameters(H_bar)
    assert p["kappa_hat"] == pytest.approx((4 * p["kappa"] + 1) / 3)
    assert p["beta"] == pytest.approx((1 - 0.5 * np.sqrt(p["eta"] * p["lam"])) ** 2)
    assert p["rate"] == pytest.approx(np.sqrt(p["beta"]) + 0.25 * np.sqrt(p["eta"] * p["lam"]))
    stated = relu.theorem9_parameters(H_bar, form="stated")
    assert stated["beta"] == pytest.approx((1 - 0.5 / p["kappa_hat"]) ** 2) and stated["beta"] > p["beta"]


@settings(max_examples=6)
@given(seed=seeds, angle=st.floats(0.8, 1.5))
def test_theorem9_bound_21_holds_on_runs_where_lemma5_holds(seed, angle):
    # Theorem 9 is a high-probability statement for very wide networks; here it is checked on runs at a
    # width where Lemma 5's conclusions hold (the event the proof starts from), down to rounding level.
    rng = np.random.default_rng(seed)
    X = relu.clustered_inputs(4, 6, angle, seed=rng)
    prob = relu.make_problem(X, relu.random_labels(4, seed=rng), 1600, seed=rng)
    assume(relu.lemma5_holds(prob.H0, prob.H_bar))
    p = relu.theorem9_parameters(prob.H_bar)
    run = relu.train(prob, "heavy_ball", p["eta"], p["beta"], 300)
    r = run.stacked_norms
    bound = relu.theorem9_bound(p["kappa_hat"], np.arange(r.size)) * r[0]
    above_rounding = bound >= 1e-9 * r[0]
    assert above_rounding.sum() > 50
    assert np.all(r[above_rounding] <= bound[above_rounding])


@settings(max_examples=30)
@given(seed=seeds, n=st.integers(1, 6), log_kappa=st.floats(np.log10(4.5), 3.0))
def test_theorem9_printed_beta_breaks_the_rate_of_21_on_the_linear_model(seed, n, log_kappa):
    # with beta = (1 - 1/(2 kappa_hat))^2 every block of A has modulus sqrt(beta) = 1 - 1/(2 kappa_hat),
    # slower than (21)'s 1 - 1/(4 sqrt(kappa_hat)) once kappa_hat > 4: (21) must fail for large t.
    rng = np.random.default_rng(seed)
    kappa_hat = 10 ** log_kappa
    eig = np.concatenate([[1.0, kappa_hat], rng.uniform(1.0, kappa_hat, max(n - 2, 0))])[:max(n, 2)]
    H = np.diag(eig) / kappa_hat                       # lambda_max = 1 = 1/eta, lambda = 1/kappa_hat
    beta = (1 - 0.5 / kappa_hat) ** 2
    assert theory.spectral_radius(H, 1.0, beta) == pytest.approx(1 - 0.5 / kappa_hat)
    A = theory.momentum_matrix(H, 1.0, beta)
    rho, bound_rate = 1 - 0.5 / kappa_hat, 1 - 0.25 / np.sqrt(kappa_hat)
    t = int(np.ceil(np.log(8 * np.sqrt(kappa_hat) * 4) / np.log(rho / bound_rate)))  # a t where it must fail
    assert theory.matrix_power_norms(A, t)[t] > relu.theorem9_bound(kappa_hat, t)   # ||A^t|| >= rho^t
    # ... and from the start the theorem uses, xi_{-1} = xi_0 along the slowest direction, within a rotation
    v = np.zeros(2 * H.shape[0])
    v[0] = v[H.shape[0]] = 1 / np.sqrt(2)
    period = int(np.ceil(2 * np.pi / np.arccos((1 + beta - 1 / kappa_hat) / (2 * np.sqrt(beta)))))
    tail = np.arange(t, t + period + 1)
    assert np.any(theory.matrix_power_norms(A, t + period, v)[tail] > relu.theorem9_bound(kappa_hat, tail))
    # and the Table 1 beta keeps the same matrix power inside (21)
    beta_ok = (1 - 0.5 / np.sqrt(kappa_hat)) ** 2
    ok = theory.matrix_power_norms(theory.momentum_matrix(H, 1.0, beta_ok), t)
    assert np.all(ok <= relu.theorem9_bound(kappa_hat, np.arange(t + 1)))


def test_theorem9_printed_beta_breaks_21_on_a_network_run():
    X = relu.clustered_inputs(5, 10, np.deg2rad(70), seed=3)
    prob = relu.make_problem(X, relu.random_labels(5, seed=3), 1000, seed=4)
    stated = relu.theorem9_parameters(prob.H_bar, form="stated")
    assert stated["kappa_hat"] > 4 and relu.lemma5_holds(prob.H0, prob.H_bar)
    run = relu.train(prob, "heavy_ball", stated["eta"], stated["beta"], 200)
    r = run.stacked_norms
    assert np.any(r > relu.theorem9_bound(stated["kappa_hat"], np.arange(r.size)) * r[0])


def test_widths_radii_and_rates():
    assert relu.required_width(0.1, 5, kappa=10, delta=0.1) == pytest.approx(1e4 * 625 * 100 * np.log(50) ** 3)
    assert relu.required_width(0.1, 5, theorem="du", delta=0.5) == pytest.approx(1e4 * 5 ** 6 * 8)
    assert relu.r_relu(0.3, 5, 2.0) == pytest.approx(0.3 / (1024 * 5 * 2))
    assert relu.required_width(0.5, 4, theorem="lemma5", delta=0.1) == pytest.approx(4 * 16 * np.log(40))
    # at lemma10_width the distance bound of Lemma 10 (f) equals R_ReLU
    lam, n, c0, xi0 = 0.2, 5, 3.0, 1.7
    m = relu.lemma10_width(lam, n, c0, xi0)
    assert 16 * np.sqrt(2 * n) * 2 * c0 * xi0 / (lam * np.sqrt(m)) == pytest.approx(relu.r_relu(lam, n, c0))
    H_bar = np.diag([0.2, 1.0])
    assert relu.theorem3_rate(1.0, H_bar) == pytest.approx(np.sqrt(0.9))
    assert relu.theorem9_bound(16.0, [0, 1]) == pytest.approx([32.0, 32.0 * (1 - 1 / 16)])
    assert relu.condition_number(np.diag([0.0, 1.0])) == np.inf


def test_lemma5_check_and_concentration_study():
    X = relu.unit_inputs(4, 6, seed=0)
    out = relu.gram_concentration(X, [30, 3000], trials=50, seed=1, max_batch_elements=100_000)
    assert out["frob"].shape == (2, 50)
    # the mean squared error matches v/m at both widths
    np.testing.assert_allclose(np.sqrt(np.mean(out["frob"] ** 2, axis=1)), out["expected_rms"], rtol=0.3)
    H_bar = relu.ntk_gram(X)
    assert relu.lemma5_holds(H_bar, H_bar)
    assert not relu.lemma5_holds(H_bar + 0.5 * np.eye(4), H_bar)


def test_width_and_conditioning_sweeps():
    X, y = relu.unit_inputs(4, 5, seed=0), relu.random_labels(4, seed=0)
    sw = relu.width_sweep(X, y, [50, 3200], 1.0, 0.3, 40, trials=3, seed=1)
    assert sw["rate"].shape == (2, 3)
    assert sw["deviation"][1].mean() < sw["deviation"][0].mean()
    assert sw["pattern_change"][1].mean() < sw["pattern_change"][0].mean()
    cs = relu.conditioning_sweep(np.deg2rad([60, 8]), m=300, n_iter=300, seed=0)
    assert cs["kappa_hat"][1] > 5 * cs["kappa_hat"][0]
    # with Corollary 1's beta the linearised rate is sqrt(beta) = 1 - 1/(2 sqrt(kappa_hat)); well-conditioned
    # data stays close to it at this width
    assert cs["rate_hb"][0] == pytest.approx(1 - 0.5 / np.sqrt(cs["kappa_hat"][0]), abs=0.02)


# ---------------------------------------------------------------- explorer
def test_explorer_data_and_callback():
    data = relu.relu_explorer_data(200, 30.0, n_iter=60)
    assert data["beta"] == data["beta_cor1"] and not data["diverged"]
    assert data["hb"][0] == 1.0 and data["hb"].shape == (61,)
    fig = relu.relu_explorer_callback(200, 30.0, 0.5, n_iter=60)
    ax1, ax2 = fig.get_axes()
    assert ax1.get_yscale() == "log" and ax1.get_xlabel() == "iteration t"
    labels = [line.get_label() for line in ax1.get_lines()]
    assert "heavy ball" in labels and "heavy ball, linearised" in labels
    assert "0.500" in fig._suptitle.get_text()
    plt.close(fig)


def test_explorer_static_draws_one_panel_per_setting():
    fig = relu.relu_explorer_static([50, 100], [60.0], n_iter=30)
    assert len(fig.get_axes()) == 2
    plt.close(fig)
    with pytest.raises(ValueError, match="must not be empty"):
        relu.relu_explorer_static([], [10.0])


# ---------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("call, exc, match", [
    (lambda: relu.ntk_gram(np.array([[1.0, 1.0]])), ValueError, "norm <= 1"),
    (lambda: relu.ntk_gram(np.ones(3) * 0.1), ValueError, r"X must have shape \(\.\.\., n, d\)"),
    (lambda: relu.gram(np.ones((3, 2)), np.eye(3)), ValueError, "d = 3 columns"),
    (lambda: relu.network_output(np.ones((3, 2)), np.array([1, 0.5, 1]), np.eye(2)), ValueError, "signs"),
    (lambda: relu.network_output(np.ones((3, 2)), np.ones(4), np.eye(2)), ValueError, "m = 3"),
    (lambda: relu.loss(np.ones((3, 2)), np.ones(3), np.eye(2), np.ones(3)), ValueError, "n = 2"),
    (lambda: relu.gram(np.full((3, 2), np.nan), np.eye(2)), ValueError, "finite"),
    (lambda: relu.clustered_inputs(3, 4, 2.0, seed=0), ValueError, "angle must be <="),
    (lambda: relu.clustered_inputs(3, 1, 0.5, seed=0), ValueError, "d must be >= 2"),
    (lambda: relu.init_weights(0, 3, seed=0), ValueError, "m must be >= 1"),
    (lambda: relu.unit_inputs(3, 2, seed=None), TypeError, "seed"),
    (lambda: relu.s_perp(np.ones((2, 2)), np.eye(2) * 0.5, -1.0), ValueError, "radius must be >= 0"),
    (lambda: relu.theorem9_parameters(np.diag([0.0, 1.0])), ValueError, "positive definite"),
    (lambda: relu.theorem9_parameters(np.eye(2), form="printed"), ValueError, "form must be"),
    (lambda: relu.required_width(0.1, 5, theorem="x"), ValueError, "theorem must be"),
    (lambda: relu.theorem9_bound(0.5, 3), ValueError, "kappa_hat must be >= 1"),
    (lambda: relu.empirical_rate(np.ones((5, 2)), start=1e-9, stop=1e-3), ValueError, "stop must be <"),
])
def test_bad_inputs_give_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_bad_training_arguments():
    prob = small_problem(0)
    with pytest.raises(ValueError, match="method must be one of"):
        relu.train(prob, "adam", 0.1, 0.0, 3)
    with pytest.raises(ValueError, match="beta must be 0 for method='gd'"):
        relu.train(prob, "gd", 0.1, 0.5, 3)
    with pytest.raises(ValueError, match="eta must be > 0"):
        relu.train(prob, "heavy_ball", 0.0, 0.5, 3)
    with pytest.raises(ValueError, match="beta must be < 1"):
        relu.train(prob, "heavy_ball", 0.1, 1.0, 3)
    with pytest.raises(TypeError, match="problem must be a ReluProblem"):
        relu.train("problem", "gd", 0.1, 0.0, 3)
    with pytest.raises(ValueError, match="one problem at a time"):
        relu.torch_train(small_problem(0, trials=2), 0.1, 0.5, 3)
    with pytest.raises(ValueError, match="beta must be > 0 when nesterov=True"):
        relu.torch_train(prob, 0.1, 0.0, 3, nesterov=True)
    with pytest.raises(ValueError, match="W_traj must have shape"):
        relu.lemma3_decomposition(np.zeros((3, 2, 2)), prob, 0.1, 0.5)
    run = relu.train(prob, "heavy_ball", 0.1, 0.5, 3, store="all")
    assert run.max_distance.max() > 0
    with pytest.raises(ValueError, match="radius must be >="):   # the sets S_i^perp would not be valid
        relu.lemma3_decomposition(run.trajectory, prob, 0.1, 0.5, radius=0.0)
    with pytest.raises(ValueError, match="single problem"):
        small_problem(0, trials=2).momentum_parameters()


def test_divergence_is_reported():
    prob = small_problem(1, m=20)
    # (a large step alone does not diverge: it kills neurons and the outputs stay bounded)
    run = relu.train(prob, "heavy_ball", 1e120, 0.5, 20)
    assert run.diverged and run.nit == 0 and "diverged" in run.result.message  # nit counts accepted steps


def test_live_explorer_wrapper_builds_three_sliders():
    widget = relu.relu_explorer()   # outside a kernel the first frame is drawn and printed, not shown
    sliders = [c for c in widget.children if hasattr(c, "min")]
    assert [s.description for s in sliders] == ["log₁₀ m", "angle (°)", "β (0: Cor. 1)"]
    plt.close("all")


def test_torch_train_on_a_device_returns_the_loss_curve():
    """The device path (CPU here; a GPU where one exists): same loss curve as accelbook's heavy ball."""
    X = relu.unit_inputs(4, 6, seed=3)
    prob = relu.make_problem(X, relu.random_labels(4, seed=3), 64, seed=3)
    eta, beta = prob.momentum_parameters()
    curve = relu.torch_train(prob, eta, beta, 30, device="cpu", store="loss")
    ours = relu.train(prob, "heavy_ball", eta, beta, 30)
    np.testing.assert_allclose(curve, ours.loss, rtol=1e-10, atol=1e-14)
    with pytest.raises(ValueError, match="store must be 'all' or 'loss'"):
        relu.torch_train(prob, eta, beta, 3, store="some")
