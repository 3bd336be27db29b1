"""Chapter 3, accelbook.relu.theory: the sets S_i^perp, the decomposition of Lemma 3 against
accelbook.residual, the explicit bounds (Lemma 3, the path bound of Lemma 10, a deterministic Lemma 8,
Corollary 1 under Theorem 9's parameters, (21)) on random instances, and the erratum on Theorem 9's beta
(Wang, Lin & Abernethy 2021, Sections 3.3, 4.3, Appendices B, F)."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from relu_helpers import small_problem
from scipy.special import erf

from accelbook import relu, theory

seeds = st.integers(0, 2**32 - 1)


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


def _random_gram(rng, n, kappa):
    """A random symmetric positive definite n x n matrix with condition number kappa (lambda_min = 0.1)."""
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eig = 0.1 * np.concatenate([[1.0, kappa], kappa ** rng.uniform(0, 1, n - 2)])
    return 0.5 * ((Q * eig) @ Q.T + ((Q * eig) @ Q.T).T)


@given(seed=seeds, n=st.integers(2, 7), log_kappa=st.floats(0.0, 3.0))
def test_theorem9_parameters_bound_every_gram_matrix_of_lemma5s_event_and_tightly(seed, n, log_kappa):
    """lambda and lambda_max of Theorem 9 are what Weyl's inequality gives on Lemma 5's event
    ||H0 - H_bar||_F <= lambda_min(H_bar)/4: valid for every such H0, and attained (so neither can be improved)."""
    rng = np.random.default_rng(seed)
    H_bar = _random_gram(rng, n, 10 ** log_kappa)
    p = relu.theorem9_parameters(H_bar)
    lam_bar, V = np.linalg.eigh(H_bar)
    radius = lam_bar[0] / 4
    for _ in range(20):                                  # random H0 on the event
        E = rng.standard_normal((n, n))
        E = (E + E.T) * rng.uniform(0, 1) * radius / np.linalg.norm(E + E.T)
        e0 = np.linalg.eigvalsh(H_bar + E)
        assert p["lam"] <= e0[0] * (1 + 1e-12) and e0[-1] <= p["lam_max"] * (1 + 1e-12)
        assert relu.condition_number(H_bar + E) <= p["kappa_bar"] * (1 + 1e-12)     # kappa_hat <= kappa_bar
    low = H_bar - radius * np.outer(V[:, 0], V[:, 0])    # the extreme H0 of the event: the bounds are attained
    high = H_bar + radius * np.outer(V[:, -1], V[:, -1])
    assert np.linalg.eigvalsh(low)[0] == pytest.approx(p["lam"], rel=1e-10)
    assert np.linalg.eigvalsh(high)[-1] == pytest.approx(p["lam_max"], rel=1e-10)
    assert p["kappa_bar"] == pytest.approx((4 * p["kappa"] + 1) / 3, rel=1e-12) == p["kappa_hat"]
    assert p["eta"] * np.linalg.eigvalsh(high)[-1] == pytest.approx(1.0, rel=1e-12)


@settings(max_examples=30)
@given(seed=seeds, n=st.integers(1, 6), log_kappa=st.floats(0.0, 2.5))
def test_table1_beta_gives_21_on_every_linear_model_of_lemma5s_event(seed, n, log_kappa):
    """The conclusion, not the formula: with Theorem 9's eta and Table 1's beta, the linear dynamics A of any H0
    with spectrum in [lambda, lambda_max] satisfies ||A^t|| <= (1 - 1/(4 sqrt(kappa_bar)))^t 8 sqrt(kappa_bar)
    (the printed beta does not, for kappa_bar > 4: see the tests below)."""
    rng = np.random.default_rng(seed)
    H_bar = _random_gram(rng, max(n, 2), 10 ** log_kappa)
    p = relu.theorem9_parameters(H_bar)
    eig = np.concatenate([[p["lam"], p["lam_max"]], rng.uniform(p["lam"], p["lam_max"], n)])
    A = theory.momentum_matrix(np.diag(eig), p["eta"], p["beta"])
    T = int(20 * np.sqrt(p["kappa_bar"])) + 20
    norms = theory.matrix_power_norms(A, T)
    assert np.all(norms <= relu.theorem9_bound(p["kappa_bar"], np.arange(T + 1)) * (1 + 1e-9))
    assert p["rate"] == pytest.approx(1 - 0.25 / np.sqrt(p["kappa_bar"]), rel=1e-14)
    stated = relu.theorem9_parameters(H_bar, form="stated")
    assert stated["beta"] >= p["beta"] and stated["eta"] == p["eta"]


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
    # on Lemma 5's event the condition number of H0 is at most (4 kappa + 1)/3 (the lemma's consequence)
    H_bar = relu.ntk_gram(X)
    kappa = relu.condition_number(H_bar)
    W0 = np.random.default_rng(2).standard_normal((40, 3000, 6))
    H0 = relu.gram(W0, X)
    holds = relu.lemma5_holds(H0, H_bar)
    assert holds.sum() >= 30
    assert np.all(relu.condition_number(H0[holds]) <= (4 * kappa + 1) / 3)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: relu.s_perp(np.ones((2, 2)), np.eye(2) * 0.5, -1.0), ValueError, "radius must be >= 0"),
    (lambda: relu.theorem9_parameters(np.diag([0.0, 1.0])), ValueError, "positive definite"),
    (lambda: relu.theorem9_parameters(np.eye(2), form="printed"), ValueError, "form must be"),
    (lambda: relu.required_width(0.1, 5, theorem="x"), ValueError, "theorem must be"),
    (lambda: relu.theorem9_bound(0.5, 3), ValueError, "kappa_hat must be >= 1"),
    (lambda: relu.theorem9_bound(4.0, "ten"), TypeError, "t must be"),
    (lambda: relu.theorem9_bound(4.0, [1, -1]), ValueError, "t must be"),
])
def test_bad_theory_inputs_give_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_lemma3_decomposition_refuses_a_trajectory_it_cannot_decompose():
    prob = small_problem(0)
    with pytest.raises(ValueError, match="W_traj must have shape"):
        relu.lemma3_decomposition(np.zeros((3, 2, 2)), prob, 0.1, 0.5)
    run = relu.train(prob, "heavy_ball", 0.1, 0.5, 3, store="all")
    assert run.max_distance.max() > 0
    with pytest.raises(ValueError, match="radius must be >="):   # the sets S_i^perp would not be valid
        relu.lemma3_decomposition(run.trajectory, prob, 0.1, 0.5, radius=0.0)


@given(seed=seeds, n=st.integers(1, 6), scale=st.floats(0.0, 3.0))
def test_lemma5_holds_exactly_on_the_frobenius_ball(seed, n, scale):
    """By Weyl's inequality the eigenvalue conclusions follow from the Frobenius one, so lemma5_holds(H0) is
    ||H0 - H_bar||_F <= lambda_min(H_bar)/4, whatever the direction of H0 - H_bar; batches agree."""
    rng = np.random.default_rng(seed)
    H_bar = _random_gram(rng, max(n, 2), 10 ** rng.uniform(0, 2))
    radius = np.linalg.eigvalsh(H_bar)[0] / 4
    E = rng.standard_normal(H_bar.shape)
    E = (E + E.T) / np.linalg.norm(E + E.T)
    assume(abs(scale - 1) > 1e-9)
    H0 = H_bar + scale * radius * E
    assert relu.lemma5_holds(H0, H_bar) == (scale < 1)
    batch = np.stack([H_bar + s * radius * E for s in (0.0, 0.5, 0.999, 1.001, 2.0)])
    np.testing.assert_array_equal(relu.lemma5_holds(batch, H_bar), [True, True, True, False, False])


@given(lam=st.floats(0.01, 2.0), n=st.integers(1, 50), c0=st.floats(1.0, 100.0), xi0=st.floats(0.1, 10.0),
       nu=st.floats(0.5, 4.0), log_kappa=st.floats(0.0, 4.0))
def test_lemma10_width_is_the_proofs_width_for_the_worst_admissible_residuals(lam, n, c0, xi0, nu, log_kappa):
    """Lemma 10 assumes ||[xi_s; xi_{s-1}]|| <= theta^s nu C0 ||[xi_0; xi_{-1}]|| and sums the momentum steps
    (lemma10_distance_bound: steps (a)-(c)). For the largest admissible residuals that path bound tends to
    eta sqrt(n/m) nu C0 sqrt(2) ||xi_0|| / ((1 - theta)(1 - beta)); steps (e)-(f) replace 1/(1 - beta) by
    1/(1 - theta), a factor 4 - sqrt(eta lambda) larger. So at lemma10_width the exact path bound reaches R_ReLU
    only at a width (4 - sqrt(eta lambda))^2 times smaller: the two computations must agree on that factor."""
    eta = 1.0 / (lam * 10 ** log_kappa)                    # eta = 1/lambda_max, eta lambda = 1/kappa
    z = eta * lam
    beta, theta = (1 - 0.5 * np.sqrt(z)) ** 2, 1 - 0.25 * np.sqrt(z)
    T = int(np.ceil(60 / (1 - theta)))                     # long enough for the geometric tails to vanish
    xi = (theta ** np.arange(T + 1) * nu * c0 * np.sqrt(2) * xi0)[:, None] / np.sqrt(n) * np.ones(n)
    m = relu.lemma10_width(lam, n, c0, xi0, nu=nu)
    path = relu.lemma10_distance_bound(xi, eta, beta, 1)[-1]       # at m = 1; it scales like 1/sqrt(m)
    m_exact = (path / relu.r_relu(lam, n, c0)) ** 2                 # where the exact path bound equals R_ReLU
    assert m / m_exact == pytest.approx((4 - np.sqrt(z)) ** 2, rel=1e-6)
    assert path / np.sqrt(m) <= relu.r_relu(lam, n, c0)            # the lemma's conclusion at its width


@settings(max_examples=40)
@given(log_gap=st.floats(-3.0, 3.0), n=st.integers(1, 5), seed=seeds)
def test_printed_beta_breaks_21_for_every_kappa_bar_above_4_even_near_4(log_gap, n, seed):
    r"""The erratum's argument, checked where the failure takes longest. With the printed beta =
    (1 - 1/(2 kappa_bar))^2 every 2x2 block of A (z in [1/kappa_bar, 1]) is under-damped, so rho(A) =
    sqrt(beta) = 1 - 1/(2 kappa_bar), and ||A^t|| >= rho(A)^t for every t. For kappa_bar > 4 this exceeds
    theta = 1 - 1/(4 sqrt(kappa_bar)), so (21) fails from t* = log(8 sqrt(kappa_bar)) / log(rho/theta) on; t*
    grows like 155 / (kappa_bar - 4) as kappa_bar -> 4. ||A^t|| is computed exactly in logarithms (a 2x2 block's
    power in closed form), from Theorem 9's parameters of an H_bar with kappa = (3 kappa_bar - 1)/4, so no
    underflow hides the comparison even at t* ~ 1e5."""
    kappa_bar = 4 + 10 ** log_gap
    rng = np.random.default_rng(seed)
    kappa = (3 * kappa_bar - 1) / 4
    H_bar = np.diag(np.concatenate([[1.0, kappa], rng.uniform(1.0, kappa, n)]))
    p = relu.theorem9_parameters(H_bar, form="stated")
    assert p["kappa_bar"] == pytest.approx(kappa_bar, rel=1e-12)
    z = p["eta"] * np.concatenate([[p["lam"], p["lam_max"]], p["lam"] + (p["lam_max"] - p["lam"]) * rng.random(n)])
    assert np.all(theory.block_spectral_radius(z, p["beta"]) == pytest.approx(1 - 0.5 / kappa_bar, rel=1e-12))
    rho, theta = 1 - 0.5 / kappa_bar, 1 - 0.25 / np.sqrt(kappa_bar)
    assert rho > theta
    t_star = int(np.ceil(np.log(8 * np.sqrt(kappa_bar)) / np.log(rho / theta))) + 1
    log_norm = max(_log_block_power_norm(zi, p["beta"], t_star) for zi in z)
    assert log_norm > np.log(8 * np.sqrt(kappa_bar)) + t_star * np.log(theta)     # (21) fails at t*
    if t_star < 2000:   # where no underflow threatens, the library's bound and matrix powers agree
        A = theory.momentum_matrix(np.diag(z), 1.0, p["beta"])
        assert theory.matrix_power_norms(A, t_star)[t_star] > relu.theorem9_bound(kappa_bar, t_star)


def _log_block_power_norm(z, beta, t):
    """log ||M^t||_2 for M = [[1 + beta - z, -beta], [1, 0]] with complex eigenvalues r e^{+-i w}, by Sylvester's
    formula M^t = r^t (e^{itw} (M - l_- I) - e^{-itw} (M - l_+ I)) / (l_+ - l_-), evaluated without r^t."""
    M = np.array([[1 + beta - z, -beta], [1.0, 0.0]])
    r = np.sqrt(beta)
    w = np.arccos((1 + beta - z) / (2 * r))
    lp, lm = r * np.exp(1j * w), r * np.exp(-1j * w)
    N = (np.exp(1j * t * w) * (M - lm * np.eye(2)) - np.exp(-1j * t * w) * (M - lp * np.eye(2))) / (lp - lm)
    return t * np.log(r) + np.log(np.linalg.norm(N.real, 2))


def test_theorem9_width_with_the_log_the_proof_needs():
    """Lemma 10's step (g) has ||xi_0||^2 = O(n log(m/delta) log^2(n/delta)); keeping it makes the width condition
    m >= lambda^-4 n^4 kappa^2 log(m/delta) log^2(n/delta), implicit in m. Its solution is a fixed point, and exceeds
    the printed lambda^-4 n^4 kappa^2 log^3(n/delta) by exactly log(m/delta)/log(n/delta)."""
    for lam, n, kappa, delta in ((0.2, 5, 2.4, 0.1), (0.01, 20, 50.0, 0.01), (1.0, 1, 1.0, 0.5)):
        printed = relu.required_width(lam, n, kappa=kappa, delta=delta)
        m = relu.required_width(lam, n, kappa=kappa, delta=delta, theorem="theorem9_proof")
        c = lam ** -4 * n ** 4 * kappa ** 2 * np.log(n / delta) ** 2
        g = lambda x: x - c * np.log(x / delta)   # noqa: E731 - the condition is g(m) >= 0
        if m > 1:                                  # m is the larger root: the condition fails just below it
            assert g(m) == pytest.approx(0.0, abs=1e-9 * m) and g(m * (1 - 1e-6)) < 0 < g(m * (1 + 1e-6))
            assert m / printed == pytest.approx(np.log(m / delta) / np.log(n / delta), rel=1e-9)
        else:                                      # the condition holds at every width
            assert all(g(x) >= 0 for x in np.logspace(0, 6, 50))


# ---------------------------------------------------------------- batches, brute force, the bounds where they bind
@settings(max_examples=10)
@given(seed=seeds, shape=st.sampled_from([(2, 3, 5, 4), (3, 4, 2, 6), (2, 5, 3, 7)]), radius=st.floats(0.05, 1.0))
def test_s_perp_and_gram_change_bound_of_batches_equal_trial_by_trial(seed, shape, radius):
    """s_perp and gram_change_bound take leading batch dimensions on W0 (..., m, d) and X (..., n, d): a batch is
    trial by trial, for n, d and m all different (an axis counted from the front cannot pass for the right one)."""
    trials, n, d, m = shape
    rng = np.random.default_rng(seed)
    X = np.stack([relu.unit_inputs(n, d, seed=rng) * rng.uniform(0.3, 1.0, (n, 1)) for _ in range(trials)])
    W0, _ = relu.init_weights(m, d, seed=rng, trials=trials)
    for Wc, Wt in ((W0, W0), (W0[0], np.broadcast_to(W0[0], W0.shape))):
        for Xc, Xt in ((X, X), (X[0], np.broadcast_to(X[0], X.shape))):
            if Wc.ndim == 2 and Xc.ndim == 2:
                continue
            np.testing.assert_array_equal(relu.s_perp(Wc, Xc, radius),
                                          np.stack([relu.s_perp(Wt[k], Xt[k], radius) for k in range(trials)]))
            np.testing.assert_allclose(relu.gram_change_bound(Wc, Xc, radius),
                                       [relu.gram_change_bound(Wt[k], Xt[k], radius) for k in range(trials)],
                                       rtol=1e-13, atol=1e-16)


@given(seed=seeds, n=st.integers(1, 5), m=st.integers(1, 12), radius=st.floats(0.0, 1.5))
def test_gram_change_bound_is_the_union_bound_counted_neuron_by_neuron(seed, n, m, radius):
    r"""||H(W) - H(W0)||_F <= sqrt(sum_ij (|x_i.x_j| |S_i^perp u S_j^perp| / m)^2), the union counted with Python
    sets from s_perp (not by inclusion-exclusion); its square is quadratic in |x_i.x_j| and in 1/m."""
    rng = np.random.default_rng(seed)
    prob = small_problem(seed, n=n, m=m)
    S = relu.s_perp(prob.W0, prob.X, radius)
    sets = [set(np.flatnonzero(row)) for row in S]
    G = prob.X @ prob.X.T
    expected = np.sqrt(sum((abs(G[i, j]) * len(sets[i] | sets[j]) / m) ** 2 for i in range(n) for j in range(n)))
    assert relu.gram_change_bound(prob.W0, prob.X, radius) == pytest.approx(expected, rel=1e-13, abs=1e-300)
    # the check runs on uneven sets too: sizes that differ from pair to pair
    Xs = prob.X * rng.uniform(0.2, 1.0, (n, 1))
    Ss = [set(np.flatnonzero(row)) for row in relu.s_perp(prob.W0, Xs, radius)]
    Gs = Xs @ Xs.T
    expected = np.sqrt(sum((abs(Gs[i, j]) * len(Ss[i] | Ss[j]) / m) ** 2 for i in range(n) for j in range(n)))
    assert relu.gram_change_bound(prob.W0, Xs, radius) == pytest.approx(expected, rel=1e-13, abs=1e-300)


@given(seed=seeds, n=st.integers(1, 5), d=st.integers(2, 5), m=st.integers(1, 20), radius=st.floats(0.01, 1.0))
def test_gram_change_bound_is_attained(seed, n, d, m, radius):
    r"""The bound of gram_change_bound cannot be improved: for inputs x_i = c_i e along one direction and a W0 whose
    every neuron has 0 <= <w0_r, e> < R (each in every S_i^perp, active on every input), the move W = W0 - R e (each
    neuron by exactly R) switches every neuron off, so H(W0) = X X^T, H(W) = 0 and ||H(W) - H(W0)||_F = ||X X^T||_F,
    the bound; a W0 with half its neurons far from the boundary (in no S_i^perp) halves it."""
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(d)
    e /= np.linalg.norm(e)
    X = np.outer(rng.uniform(0.2, 1.0, n), e)
    V = rng.standard_normal((m, d))
    V -= np.outer(V @ e, e)
    W0 = V + np.outer(rng.uniform(0.0, 0.999, m) * radius, e)
    W = W0 - radius * e
    assert np.all(relu.neuron_distances(W, W0) <= radius * (1 + 1e-12))
    change = np.linalg.norm(relu.gram(W, X) - relu.gram(W0, X))
    assert change == pytest.approx(np.linalg.norm(X @ X.T), rel=1e-12)
    assert relu.gram_change_bound(W0, X, radius) == pytest.approx(change, rel=1e-12)
    far = np.arange(m) % 2 == 1
    W0[far] += 3 * radius * e                               # <w0_r, e> >= 3R: outside every S_i^perp
    assert relu.gram_change_bound(W0, X, radius) == pytest.approx(np.sum(~far) / m * change, rel=1e-12)


def _heavy_ball_run(prob, eta, beta, n_iter):
    """W_0, ..., W_T of heavy ball with W_{-1} = W_0, from relu.subgradient (not relu.train)."""
    W, W_prev, out = prob.W0, prob.W0, [prob.W0]
    for _ in range(n_iter):
        W, W_prev = W - eta * prob.grad(W) + beta * (W - W_prev), W
        out.append(W)
    return np.stack(out)


@settings(max_examples=10)
@given(seed=seeds, beta=st.floats(0.0, 0.9), step=st.floats(0.3, 1.5), m=st.integers(3, 30), T=st.integers(1, 12))
def test_lemma3_records_and_bounds_equal_their_definitions_computed_directly(seed, beta, step, m, T):
    r"""Everything lemma3_decomposition returns against an independent computation along a heavy-ball run: xi_t is
    the residual at W_t, H_t = gram(W_t) and H0 = problem.H0, the default radius is the largest neuron distance
    (neuron_distances), s_perp_sizes are |S_i^perp| at that radius, changed_sizes count (loop over t) the neurons
    whose pattern on x_i differs at some t from t = 0, iota_t = eta (H0 - H_t) xi_t, and Lemma 3's bound
    2 eta sqrt(n) |S_i^perp| / m (||xi_t|| + beta sum_{s<t} beta^{t-1-s} ||xi_s||) summed term by term. T = 1
    (a single step) is a valid trajectory."""
    prob = small_problem(seed, m=m)
    eta = step / np.linalg.eigvalsh(prob.H0)[-1]
    traj = _heavy_ball_run(prob, eta, beta, T)
    assume(np.all(np.isfinite(traj)))
    dec = relu.lemma3_decomposition(traj, prob, eta, beta)
    n = prob.n
    xi = np.stack([prob.residual(W) for W in traj])
    np.testing.assert_allclose(dec["xi"], xi, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dec["H"], np.stack([relu.gram(W, prob.X) for W in traj]), rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(dec["H0"], prob.H0)
    radius = relu.neuron_distances(traj, prob.W0).max()
    assert dec["radius"] == pytest.approx(radius, rel=1e-13)
    np.testing.assert_array_equal(dec["s_perp_sizes"], relu.s_perp(prob.W0, prob.X, dec["radius"]).sum(axis=1))
    P0 = relu.activation_patterns(prob.W0, prob.X)
    changed = np.zeros_like(P0)
    for W in traj:
        changed |= relu.activation_patterns(W, prob.X) != P0
    np.testing.assert_array_equal(dec["changed_sizes"], changed.sum(axis=1))
    iota = np.stack([eta * (prob.H0 - relu.gram(traj[t], prob.X)) @ xi[t] for t in range(T)])
    np.testing.assert_allclose(dec["iota"], iota, rtol=1e-10, atol=1e-13)
    norms = np.linalg.norm(xi, axis=1)
    for t in range(T):
        total = norms[t] + beta * sum(beta ** (t - 1 - s) * norms[s] for s in range(t))
        for i in range(n):
            assert dec["varphi_bound"][t, i] == pytest.approx(
                2 * eta * np.sqrt(n) * dec["s_perp_sizes"][i] / m * total, rel=1e-12, abs=1e-300)
            assert dec["varphi_bound_changed"][t, i] == pytest.approx(
                2 * eta * np.sqrt(n) * dec["changed_sizes"][i] / m * total, rel=1e-12, abs=1e-300)
    scale = max(1.0, np.abs(dec["phi"]).max())
    np.testing.assert_allclose(dec["varphi"] + dec["iota"], dec["phi"], atol=1e-12 * scale)
    # the default radius passed explicitly, or any larger one, is accepted; varphi does not depend on it
    for r in (dec["radius"], 1.5 * dec["radius"] + 1e-3):
        again = relu.lemma3_decomposition(traj, prob, eta, beta, radius=r)
        np.testing.assert_allclose(again["varphi"], dec["varphi"], atol=1e-12 * scale)
        assert again["radius"] == r


@settings(max_examples=10)
@given(seed=seeds, beta=st.floats(0.0, 0.9), step=st.floats(0.5, 1.5), m=st.integers(3, 12))
def test_lemma3_decomposition_adds_up_with_zero_pre_activations(seed, beta, step, m):
    """phi = varphi + iota with the source's indicator 1{z >= 0} at exactly zero pre-activations: W0 with a zero
    neuron (active on every input at t = 0) and a neuron orthogonal to x_0. H_0 of the decomposition is gram(W0)."""
    prob = small_problem(seed, m=m)
    W0 = prob.W0.copy()
    W0[0] = 0.0
    W0[1] -= (W0[1] @ prob.X[0]) / (prob.X[0] @ prob.X[0]) * prob.X[0]
    prob = relu.ReluProblem(X=prob.X, y=prob.y, a=prob.a, W0=W0)
    eta = step / np.linalg.eigvalsh(prob.H0)[-1]
    traj = _heavy_ball_run(prob, eta, beta, 6)
    dec = relu.lemma3_decomposition(traj, prob, eta, beta)
    np.testing.assert_allclose(dec["H0"], relu.gram(W0, prob.X), rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(dec["H"][0], prob.H0, rtol=1e-14, atol=1e-16)
    scale = max(1.0, np.abs(dec["phi"]).max())
    np.testing.assert_allclose(dec["varphi"] + dec["iota"], dec["phi"], atol=1e-12 * scale)


def test_lemma3_decomposition_needs_a_single_problem_and_says_of_what_shape():
    prob = small_problem(0, trials=2)
    with pytest.raises(ValueError, match=r"^lemma3_decomposition needs a single problem \(W0 of shape \(m, d\)\)$"):
        relu.lemma3_decomposition(np.zeros((3, prob.m, prob.d)), prob, 0.1, 0.5)


@given(seed=seeds, T=st.integers(0, 12), beta=st.floats(0.0, 0.95), m=st.integers(1, 100), k=st.integers(2, 4))
def test_lemma10_distance_bound_is_the_double_sum_for_every_column_of_a_batch(seed, T, beta, m, k):
    r"""eta sqrt(n)/sqrt(m) sum_{s<t} sum_{tau<=s} beta^{s-tau} ||xi_tau||, summed term by term, at every t (0 at
    t = 0, also for a run of T = 0 steps), for xi of shape (T+1, k, n) column by column (k != n), and scaling like
    1/sqrt(m) in the width."""
    rng = np.random.default_rng(seed)
    n = k + 1
    xi = rng.standard_normal((T + 1, k, n)) * 10 ** rng.uniform(-2, 1)
    eta = rng.uniform(0.05, 2.0)
    bound = relu.lemma10_distance_bound(xi, eta, beta, m)
    assert bound.shape == (T + 1, k)
    norms = np.linalg.norm(xi, axis=-1)
    for j in range(k):
        for t in range(T + 1):
            direct = sum(beta ** (s - tau) * norms[tau, j] for s in range(t) for tau in range(s + 1))
            assert bound[t, j] == pytest.approx(eta * np.sqrt(n / m) * direct, rel=1e-12, abs=1e-300)
        np.testing.assert_allclose(relu.lemma10_distance_bound(xi[:, j], eta, beta, m), bound[:, j], rtol=1e-14)
    np.testing.assert_allclose(relu.lemma10_distance_bound(xi, eta, beta, 4 * m), bound / 2, rtol=1e-14)


def test_theorem3_rate_at_the_edge_of_its_range():
    """The rate sqrt(1 - eta lambda_min(H_bar)/2) is defined up to eta lambda_min/2 = 1, where it is 0; beyond, eta is
    refused by name."""
    H_bar = np.diag([0.5, 1.0])
    assert relu.theorem3_rate(4.0, H_bar) == 0.0
    assert relu.theorem3_rate(2.0, H_bar) == pytest.approx(np.sqrt(0.5), rel=1e-15)
    for eta in (4.0 * (1 + 1e-12), 6.0, 8.0):
        with pytest.raises(ValueError, match=r"eta \* lambda_min\(H_bar\) / 2 must be <= 1"):
            relu.theorem3_rate(eta, H_bar)


@given(lam=st.floats(0.01, 2.0), n=st.integers(1, 50), log_kappa=st.floats(0.0, 3.0), delta=st.floats(0.001, 0.9))
def test_required_widths_relate_as_the_theorems_say(lam, n, log_kappa, delta):
    """Song & Yang's width is Theorem 9's without the kappa^2; Theorems 9, 3 and Song & Yang scale like lambda^-4,
    Lemma 5 like lambda^-2; the defaults are kappa = 1 (no conditioning penalty), delta = 0.1 and Theorem 9."""
    kappa = 10 ** log_kappa
    rw = relu.required_width
    t9 = rw(lam, n, kappa=kappa, delta=delta)
    assert t9 == pytest.approx(kappa ** 2 * rw(lam, n, kappa=kappa, delta=delta, theorem="song_yang"), rel=1e-12)
    assert rw(lam, n, delta=delta, theorem="song_yang") == pytest.approx(rw(lam, n, kappa=1.0, delta=delta), rel=1e-12)
    assert rw(lam, n, delta=delta, theorem="song_yang") == pytest.approx(
        n ** 4 * np.log(n / delta) ** 3 / lam ** 4, rel=1e-12)
    for theorem, power in (("theorem9", 4), ("song_yang", 4), ("du", 4), ("lemma5", 2)):
        w = rw(lam, n, kappa=kappa, delta=delta, theorem=theorem)
        assert rw(lam / 2, n, kappa=kappa, delta=delta, theorem=theorem) == pytest.approx(2 ** power * w, rel=1e-12)
    assert rw(lam, n) == rw(lam, n, kappa=1.0, delta=0.1, theorem="theorem9")
    assert relu.lemma10_width(lam, n, 2.0, 1.0) == relu.lemma10_width(lam, n, 2.0, 1.0, nu=2.0)   # nu = 2 as in the proof
    assert relu.lemma10_width(lam, n, 2.0, 1.0, nu=4.0) == pytest.approx(4 * relu.lemma10_width(lam, n, 2.0, 1.0))


@given(lam=st.floats(0.05, 3.0), n=st.integers(1, 20), log_kappa=st.floats(0.0, 2.0), delta=st.floats(0.01, 0.9))
def test_theorem9_proof_width_is_the_larger_root_on_random_instances(lam, n, log_kappa, delta):
    """The width of "theorem9_proof" is the m from which on m >= c log(m/delta), c = lambda^-4 n^4 kappa^2
    log^2(n/delta): the larger root of g(m) = m - c log(m/delta) (g fails just below it, holds just above and at
    every larger width: it is >= c, where g is smallest), or 1 when min g = g(c) >= 0."""
    kappa = 10 ** log_kappa
    c = lam ** -4 * n ** 4 * kappa ** 2 * np.log(n / delta) ** 2
    g = lambda x: x - c * np.log(x / delta)   # noqa: E731
    m = relu.required_width(lam, n, kappa=kappa, delta=delta, theorem="theorem9_proof")
    if g(c) >= 0:
        assert m == 1.0
    else:
        assert m >= c and g(m * (1 - 1e-9)) < 0 < g(m * (1 + 1e-9))
        assert all(g(x) > 0 for x in m * np.logspace(1e-6, 3, 20))


def test_theorem9_proof_width_where_the_condition_is_tangent():
    """Across the kappa where min g = g(c) = 0 (the condition m >= c log(m/delta) then holds at every m, with equality
    at m = c), the answer is 1 exactly when g(c) >= 0 as computed, and above c otherwise."""
    lam, n, delta = 1.0, 1, 0.5
    base = np.log(n / delta) ** 2
    k0 = np.sqrt(np.e * delta / base)                   # c(k0) = e delta: log(c / delta) = 1
    for i in range(-40, 41):
        kappa = k0 * (1 + i * 2.0 ** -52)
        c = lam ** -4 * n ** 4 * kappa ** 2 * base
        m = relu.required_width(lam, n, kappa=kappa, delta=delta, theorem="theorem9_proof")
        if c - c * np.log(c / delta) >= 0:
            assert m == 1.0
        else:
            assert m >= c


def test_s_perp_at_the_edges_of_its_band():
    r"""At exactly <w0, x> = -R|x| a move of length R along x reaches <w, x> = 0, which counts as active (1{z >= 0}): the
    pattern can change, the neuron is in S_i^perp; at exactly <w0, x> = +R|x| the move against x also ends at 0, still
    active: it cannot change, the neuron is not. (Exact arithmetic: |x| = 0.5, R = 0.25.)"""
    X = np.array([[0.5, 0.0], [0.0, 0.5]])
    W0 = np.array([[-0.25, 3.0], [0.25, 3.0], [0.0, -0.25], [0.0, 0.25], [0.1, 0.0]])
    radius = 0.25
    mask = relu.s_perp(W0, X, radius)
    np.testing.assert_array_equal(mask, [[True, False, True, True, True], [False, False, True, False, True]])
    for i, x in enumerate(X):                      # the brute-force move, as in the test above
        z0 = W0 @ x
        w_far = W0 - radius * np.sign(z0 + (z0 == 0))[:, None] * x / np.linalg.norm(x)
        np.testing.assert_array_equal(mask[i], (w_far @ x >= 0) != (z0 >= 0))
    assert not relu.s_perp(W0, X, 0.0).any()


@pytest.mark.parametrize("lam_min, lam_max", [(1.0, 2.0), (2.0, 4.0), (0.5, 0.5)])
def test_lemma5_event_is_closed_and_holds_for_a_single_input(lam_min, lam_max):
    r"""Lemma 5's conclusions are non-strict: on the boundary of the event, ||H0 - H_bar||_F = lambda_min/4 with
    lambda_min(H0) = 3/4 lambda_min or lambda_max(H0) = lambda_max + lambda_min/4 exactly (diagonal matrices: exact
    arithmetic), it holds; a step further, it does not. One input (n = 1) is a 1 x 1 event |H0 - H_bar| <= H_bar/4.
    An unbatched H0 gives a Python bool."""
    H_bar = np.diag([lam_min, lam_max])
    low, high = np.diag([0.75 * lam_min, lam_max]), np.diag([lam_min, lam_max + 0.25 * lam_min])
    for H0 in (low, high):
        assert relu.lemma5_holds(H0, H_bar) is True
    assert relu.lemma5_holds(np.diag([0.75 * lam_min * (1 - 1e-9), lam_max]), H_bar) is False
    assert relu.lemma5_holds(np.diag([lam_min, (lam_max + 0.25 * lam_min) * (1 + 1e-9)]), H_bar) is False
    np.testing.assert_array_equal(relu.lemma5_holds(np.stack([low, high, 2 * high]), H_bar), [True, True, False])
    one = np.array([[lam_min]])
    assert relu.lemma5_holds(np.array([[0.75 * lam_min]]), one) is True
    assert relu.lemma5_holds(np.array([[1.25 * lam_min]]), one) is True
    assert relu.lemma5_holds(np.array([[1.3 * lam_min]]), one) is False
    np.testing.assert_array_equal(relu.lemma5_holds(lam_min * np.array([[[0.7]], [[1.0]], [[1.2]]]), one),
                                  [False, True, True])


@given(seed=seeds, n=st.integers(1, 6), log_kappa=st.floats(0.0, 3.0))
def test_table1_beta_puts_every_block_at_modulus_one_minus_one_over_two_sqrt_kappa_bar(seed, n, log_kappa):
    """Corollary 1 under Theorem 9's parameters: with eta = 1/lambda_max and Table 1's beta = (1 - sqrt(eta lambda)/2)^2,
    every 2 x 2 block of the momentum matrix (z = eta lambda_i(H0) in [eta lambda, 1]) is under-damped, so its spectral
    radius is sqrt(beta) = 1 - 1/(2 sqrt(kappa_bar)), half way between 1 and (21)'s rate 1 - 1/(4 sqrt(kappa_bar))."""
    rng = np.random.default_rng(seed)
    H_bar = _random_gram(rng, max(n, 2), 10 ** log_kappa)
    p = relu.theorem9_parameters(H_bar)
    z = p["eta"] * np.concatenate([[p["lam"], p["lam_max"]], rng.uniform(p["lam"], p["lam_max"], n)])
    rho = theory.block_spectral_radius(z, p["beta"])
    np.testing.assert_allclose(rho, 1 - 0.5 / np.sqrt(p["kappa_bar"]), rtol=1e-12)
    assert p["rate"] == pytest.approx((1 + rho[0]) / 2, rel=1e-14)


@pytest.mark.parametrize("t, exc, match", [
    ("ten", TypeError, r"^t must be an integer or an array of integers, got str 'ten'$"),
    (True, TypeError, r"^t must be an integer or an array of integers, got bool True$"),
    ({}, TypeError, r"^t must be an integer or an array of integers, got dict$"),
    ([1, [2, 3]], TypeError, r"^t must be an integer or an array of integers, got list$"),
    ([0, 1.5], ValueError, r"^t must be non-empty, finite, integer and >= 0"),
])
def test_theorem9_bound_says_what_t_it_got(t, exc, match):
    with pytest.raises(exc, match=match):
        relu.theorem9_bound(4.0, t)
