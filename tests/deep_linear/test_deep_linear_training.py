"""accelbook.deep_linear.training: Lemma 4's decomposition along a run (against extract_phi and the source's
(84)-(86)), the cached oracle, Theorem 10 and Lemmas 14-15 on random instances, iterations to accuracy,
and divergence (flagged, finite prefix, no warning)."""

import numpy as np
import pytest
from deep_linear_helpers import instances, raw_product, source_formulas, stacked
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbook import deep_linear as dl
from accelbook import methods, metrics, residual, theory


# ---------------------------------------------------------------- Lemma 4
@settings(max_examples=25)
@given(inst=instances(max_depth=6, max_m=10), beta=st.sampled_from([0.0, 0.5, 0.9]),
       eta_scale=st.floats(0.3, 1.0))
def test_lemma4_decomposition_adds_up_to_extract_phi(inst, beta, eta_scale):
    prob, w0 = inst
    depth = len(w0)
    eta = eta_scale * prob.parameters(depth)[0]
    run, terms = dl.run_with_decomposition(prob, w0, eta, beta, 12, store="all")
    H0 = dl.lemma13_gram(prob.X, prob.d_y, depth)
    phi = residual.extract_phi(terms["xi"], H0, eta, beta)
    scale = np.abs(terms["xi"]).max()
    np.testing.assert_allclose(terms["phi"], phi, rtol=0, atol=1e-11 * scale)
    # the terms are those of (84), (85), (86) in the source
    its = run.iterates
    for t in (0, 1, 5):
        varphi, psi = source_formulas(its[max(t - 1, 0)], its[t], its[t + 1], prob.X, eta, beta)
        np.testing.assert_allclose(terms["varphi"][t], varphi, rtol=0, atol=1e-9 * scale)
        np.testing.assert_allclose(terms["psi"][t], psi, rtol=0, atol=1e-9 * scale)
        iota = eta * (H0 - dl.gram(its[t], prob.X)) @ terms["xi"][t]
        np.testing.assert_allclose(terms["iota"][t], iota, rtol=0, atol=1e-10 * scale)
    assert np.all(terms["psi"][0] == 0)  # W_{-1} = W_0
    if beta == 0:
        assert np.all(terms["psi"] == 0)
    if depth == 1:  # a linear model: no higher-order terms and a constant Gram matrix
        assert np.abs(terms["varphi"]).max() < 1e-12 * scale and np.abs(terms["iota"]).max() < 1e-12 * scale


def test_decomposition_run_equals_a_plain_run():
    prob = dl.source_problem(seed=0)
    ws = prob.init(30, 20, seed=1)
    eta, beta = prob.parameters(20)
    run, terms = dl.run_with_decomposition(prob, ws, eta, beta, 30, store="all", record_spread=True)
    plain = methods.heavy_ball(prob.grad, ws, eta, beta, 30, loss=prob.loss, store="last")
    assert all(np.array_equal(a, b) for a, b in zip(run.x, plain.x))
    np.testing.assert_allclose(run.losses, plain.losses, rtol=1e-12)
    np.testing.assert_allclose(0.5 * np.sum(terms["xi"] ** 2, 1), plain.losses, rtol=1e-12)
    moved = [max(np.linalg.norm(a - b) for a, b in zip(w, ws)) for w in run.iterates]
    np.testing.assert_allclose(terms["distance"], moved, rtol=1e-12)
    # Lemma 16's factors: exactly 1 at the orthogonal initialisation, computed independently at the end
    assert terms["spread"][0] == pytest.approx(1.0, abs=1e-10)
    c, last = np.sqrt(30), run.iterates[-1]
    factors = [np.linalg.norm(raw_product(last, 20, l + 1) / c ** (20 - l), 2) for l in range(1, 20)]
    factors += [np.linalg.norm(raw_product(last, l, 1) @ prob.X / c ** l, 2) / np.linalg.norm(prob.X, 2)
                for l in range(1, 20)]
    assert terms["spread"][-1] == pytest.approx(max(factors), rel=1e-10)


def test_one_forward_pass_per_iterate():
    """The cached oracle evaluates each iterate once: gradient, loss and every record share the forward pass."""
    prob = dl.make_problem(4, 3, 2, kappa=5.0, seed=0)
    ws = prob.init(6, 4, seed=1)
    eta, beta = prob.parameters(4)
    orc, layout = dl.oracle(prob, ws, eta=eta, terms=True)
    run = methods.heavy_ball(orc.grad, layout.flatten(ws), eta, beta, 15, loss=orc.monitor("loss"),
                             monitors=orc.monitors("xi", "iota", "distance"))
    assert orc.evaluations == 16 == run.nit + 1
    np.testing.assert_allclose(run.records["xi"], [prob.residual(layout.layers(v)) for v in run.iterates], rtol=1e-13)


def test_collapsed_model_differs_by_the_propagated_perturbation():
    """Heavy ball on W_e with step eta L / d_y has residual xi_t minus the first block of sum_s A^{t-s-1}[phi_s; 0]."""
    prob = dl.make_problem(4, 3, 2, kappa=5.0, seed=2)
    depth, T = 7, 25
    ws = prob.init(9, depth, seed=3)
    eta, beta = prob.parameters(depth)
    _, terms = dl.run_with_decomposition(prob, ws, eta, beta, T)
    lin = methods.heavy_ball(prob.linear_grad, dl.end_to_end(ws), eta * depth / prob.d_y, beta, T,
                             monitors={"xi": lambda We: dl.vec(We @ prob.X - prob.Y)}, store="none")
    H0 = dl.lemma13_gram(prob.X, prob.d_y, depth)
    forced = residual.reconstruct(np.zeros(terms["xi"].shape[1]), terms["phi"], H0, eta, beta)[:, :H0.shape[0]]
    np.testing.assert_allclose(terms["xi"] - lin.records["xi"], forced, atol=1e-10 * np.abs(terms["xi"]).max())
    assert np.abs(forced).max() > 1e-3 * np.abs(terms["xi"]).max()  # a real difference, not zero


# ---------------------------------------------------------------- Theorem 10, Lemmas 14 and 15 on random instances
@settings(max_examples=24)
@given(seed=st.integers(0, 2 ** 32 - 1))
def test_theorem10_and_lemmas_14_15_on_random_wide_instances(seed):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 6))
    n, d_y, depth = int(rng.integers(1, d + 1)), int(rng.integers(1, 4)), int(rng.integers(1, 40))
    d_y = d if depth == 1 else d_y
    m = int(rng.integers(3 * max(d, d_y), 40))  # "wide": the theorem needs m large
    prob = dl.make_problem(d, n, d_y, kappa=float(10 ** rng.uniform(0, 2)) if n > 1 else None, seed=rng,
                           w_noise=float(rng.uniform(0, 0.3)))
    w0 = prob.init(m, depth, seed=rng)
    eta, beta = prob.parameters(depth)
    kappa = prob.kappa
    T = int(20 * np.sqrt(kappa)) + 20
    run, terms = dl.run_with_decomposition(prob, w0, eta, beta, T, record_spread=True)
    assert not run.diverged
    s = stacked(terms["xi"])
    t = np.arange(s.size)
    theta = dl.theorem10_rate(kappa)
    # (22), and the sharper intermediate bound theta^t 2 C0 of the proof (with the corrected C0)
    assert np.all(s <= dl.theorem10_bound(kappa, t) * s[0] * (1 + 1e-9))
    if kappa > 1 + 1e-9:
        c0 = theory.theorem5_constant(dl.lemma13_gram(prob.X, d_y, depth), eta, beta)
        assert np.all(s <= 2 * c0 * theta ** t * s[0] * (1 + 1e-9))
    # Lemma 15: with nu C0 measured from the run, the layers stay within R_{L-linear}
    nu_c0 = float(np.max(s / (theta ** t * s[0])))
    xi0 = np.linalg.norm(terms["xi"][0])
    assert terms["spread"].max() <= dl.spread_limit_89()  # Lemma 16's factors, as (89) needs them (2^(3/4))
    assert terms["distance"].max() <= dl.r_l_linear(prob.X, d_y, depth, nu_c0=nu_c0, b0=xi0)
    # Lemma 14, the bounds on the higher-order terms
    b = dl.lemma14_bounds(prob.X, d_y, m, eta, prob.lam(depth), t[:-1], nu_c0=nu_c0, xi0_norm=xi0)
    for key in ("varphi", "psi"):
        assert np.all(np.linalg.norm(terms[key], axis=1) <= b[key] + 1e-12 * xi0)


@settings(max_examples=20)
@given(seed=st.integers(0, 2 ** 32 - 1))
def test_the_gradient_bound_89_holds_along_runs_and_binds_at_the_start(seed):
    """The step of Lemma 15's proof that can bind: ||dl/dW_l(W_s)|| <= s_t^2 ||X|| ||xi_s|| / sqrt(d_y) with the
    measured Lemma 16 factor s_t, an equality at t = 0 when n = 1 (a 2x error in the bound would be caught)."""
    rng = np.random.default_rng(seed)
    d, d_y, depth = int(rng.integers(1, 5)), int(rng.integers(1, 4)), int(rng.integers(2, 10))
    n = int(rng.integers(1, d + 1))
    m = int(rng.integers(max(d, d_y), 16))
    prob = dl.make_problem(d, n, d_y, kappa=float(10 ** rng.uniform(0, 1.5)) if n > 1 else None, seed=rng)
    w0 = prob.init(m, depth, seed=rng)
    eta, beta = prob.parameters(depth)
    run, terms = dl.run_with_decomposition(prob, w0, eta, beta, 25, store="all", record_spread=True)
    for t, w in enumerate(run.iterates):
        norms = np.array([np.linalg.norm(g) for g in prob.grad(w)])
        bound = dl.gradient_bound_89(prob.X, d_y, spread=terms["spread"][t], residual_norm=np.linalg.norm(
            terms["xi"][t]))
        assert np.all(norms <= bound * (1 + 1e-10))
        if t == 0 and n == 1:
            np.testing.assert_allclose(norms, bound, rtol=1e-10)


def test_depth_two_remainders_are_the_exact_cross_terms():
    """For L = 2 the output is bilinear, so (84) and (85) are exactly (m d_y)^(-1/2) vec(D2 D1 X) for the step
    D = W_{t+1} - W_t and beta (m d_y)^(-1/2) vec(B2 B1 X) for B = W_{t-1} - W_t: no slack to hide a wrong constant."""
    prob = dl.make_problem(3, 3, 2, kappa=8.0, seed=5)
    m = 7
    ws = prob.init(m, 2, seed=6)
    eta, beta = prob.parameters(2)
    run, terms = dl.run_with_decomposition(prob, ws, eta, beta, 15, store="all")
    k = 1 / np.sqrt(m * 2)
    its = run.iterates
    for t in range(15):
        D = [a - b for a, b in zip(its[t + 1], its[t])]
        np.testing.assert_allclose(terms["varphi"][t], dl.vec(k * D[1] @ D[0] @ prob.X), rtol=1e-8, atol=1e-14)
        B = [a - b for a, b in zip(its[max(t - 1, 0)], its[t])]
        np.testing.assert_allclose(terms["psi"][t], dl.vec(beta * k * B[1] @ B[0] @ prob.X), rtol=1e-8, atol=1e-14)
    assert np.linalg.norm(terms["varphi"][1]) > 1e-6  # a real remainder


def test_at_depth_one_the_residual_is_exactly_the_linear_recursion():
    """phi = 0 for L = 1: [xi_t; xi_{t-1}] = A^t [xi_0; xi_0] with A the momentum matrix of H_0, so the stacked
    residual is an exact quantity (Theorem 7's ||A^t||), not one seen through the slack of (22)."""
    prob = dl.make_problem(3, 3, 3, kappa=30.0, seed=1)
    ws = prob.init(3, 1, seed=2)
    eta, beta = prob.parameters(1)
    _, terms = dl.run_with_decomposition(prob, ws, eta, beta, 60)
    H0 = dl.lemma13_gram(prob.X, 3, 1)
    A = theory.momentum_matrix(H0, eta, beta)
    z = np.concatenate([terms["xi"][0], terms["xi"][0]])
    exact = [np.linalg.norm(np.linalg.matrix_power(A, t) @ z) for t in range(61)]
    np.testing.assert_allclose(stacked(terms["xi"]), exact, rtol=1e-9)


def test_lemma14_iota_bound_on_a_wide_network():
    prob = dl.make_problem(2, 2, 1, kappa=2.0, seed=0)
    w0 = prob.init(512, 3, seed=1)
    eta, beta = prob.parameters(3)
    _, terms = dl.run_with_decomposition(prob, w0, eta, beta, 40)
    s = stacked(terms["xi"])
    t = np.arange(s.size)
    nu_c0 = float(np.max(s / (dl.theorem10_rate(prob.kappa) ** t * s[0])))
    b = dl.lemma14_bounds(prob.X, 1, 512, eta, prob.lam(3), t[:-1], nu_c0=nu_c0,
                          xi0_norm=np.linalg.norm(terms["xi"][0]))
    ratio = np.linalg.norm(terms["iota"], axis=1) / b["iota"]
    assert ratio.max() < 1
    assert ratio.max() > 0.1  # the bound is within a factor 10 here: a constant off by 10 would be seen


# ---------------------------------------------------------------- rates and iterations to accuracy
def test_measured_rate_and_iterations_to_accuracy():
    assert dl.measured_rate(0.9 ** np.arange(50)) == pytest.approx(0.9, rel=1e-10)
    prob = dl.make_problem(3, 3, 2, kappa=10.0, seed=0)
    ws = prob.init(8, 4, seed=0)
    eta, beta = prob.parameters(4)
    k = dl.iterations_to_accuracy(prob, ws, eta, beta, 1e-3)
    run = methods.heavy_ball(prob.grad, ws, eta, beta, 3 * k, loss=prob.loss, store="none")
    rel = np.sqrt(run.losses / run.losses[0])
    assert np.all(rel[k:] <= 1e-3) and rel[k - 1] > 1e-3  # from k on the residual stays below the tolerance
    assert dl.iterations_to_accuracy(prob, ws, eta, beta, 1e-3, max_iter=3) == metrics.NOT_REACHED


def test_a_transient_dip_does_not_count():
    """Heavy ball's residual oscillates: the first t below the tolerance can come before the count."""
    prob = dl.make_problem(4, 4, 2, kappa=100.0, seed=0)
    ws = prob.init(16, 4, seed=1)
    eta, beta = prob.parameters(4)
    counts = {}
    for tol in np.logspace(-1, -4, 13):
        k = dl.iterations_to_accuracy(prob, ws, eta, beta, tol)
        run = dl.train(prob, ws, eta, beta, 2 * k + 10, monitors=("residual",))
        rel = run.records["residual"] / run.records["residual"][0]
        first = int(np.flatnonzero(rel <= tol)[0])
        assert first <= k and np.all(rel[k:] <= tol) and rel[k - 1] > tol
        counts[tol] = (first, k)
    assert any(first < k for first, k in counts.values())  # at least one tolerance is crossed, left and re-entered


# ---------------------------------------------------------------- divergence
def test_run_with_decomposition_flags_divergence_and_returns_a_finite_prefix():
    prob = dl.make_problem(4, 3, 2, kappa=10.0, seed=0)
    ws = prob.init(6, 5, seed=1)
    eta, beta = prob.parameters(5)
    run, terms = dl.run_with_decomposition(prob, ws, 50 * eta, beta, 500, record_spread=True)
    assert run.diverged and "diverged at iteration" in run.message and 0 < run.nit < 500
    T = run.nit
    assert terms["xi"].shape[0] == terms["distance"].size == terms["spread"].size == T + 1 == len(run.losses)
    assert all(terms[k].shape[0] == T for k in ("varphi", "psi", "iota", "phi"))
    assert all(np.all(np.isfinite(v)) for v in terms.values()) and np.all(np.isfinite(run.losses))
    H0 = dl.lemma13_gram(prob.X, prob.d_y, 5)  # the finite prefix still satisfies Lemma 4
    phi = residual.extract_phi(terms["xi"], H0, 50 * eta, beta)
    np.testing.assert_allclose(terms["phi"], phi, rtol=1e-6, atol=1e-9 * np.abs(terms["xi"]).max())


@pytest.mark.parametrize("beta", [0.0, 0.5])
def test_train_and_iterations_to_accuracy_flag_divergence(beta):
    prob = dl.make_problem(4, 3, 2, kappa=10.0, seed=0)
    ws = prob.init(6, 5, seed=1)
    eta, _ = prob.parameters(5)
    run = dl.train(prob, ws, 50 * eta, beta, 500, monitors=("xi", "residual"))
    assert run.diverged and 0 < run.nit < 500
    assert run.records["xi"].shape[0] == run.nit + 1 and np.all(np.isfinite(run.records["xi"]))
    assert dl.iterations_to_accuracy(prob, ws, 50 * eta, beta, 1e-3) == metrics.NOT_REACHED


def test_bad_inputs_give_clear_errors():
    prob = dl.make_problem(4, 3, 2, seed=0)
    ws = prob.init(6, 3, seed=0)
    with pytest.raises(TypeError, match="problem must be a DeepLinearProblem"):
        dl.run_with_decomposition("abc", ws, 0.1, 0.5, 3)
    with pytest.raises(ValueError, match="weights0 must map R\\^4 to R\\^2"):
        dl.run_with_decomposition(prob, dl.orthogonal_init(3, 2, 6, 3, seed=0), 0.1, 0.5, 3)
    with pytest.raises(ValueError, match="tol must be < 1"):
        dl.iterations_to_accuracy(prob, ws, 0.1, 0.5, 1.0)
    with pytest.raises(ValueError, match="max_iter must be >= 0"):
        dl.iterations_to_accuracy(prob, ws, 0.1, 0.5, 0.1, max_iter=-1)
    with pytest.raises(ValueError, match="monitors must be a sequence of names"):
        dl.train(prob, ws, 0.1, 0.5, 3, monitors=("spread",))


def test_a_residual_whose_square_would_overflow_is_a_divergence():
    """Before the output overflows, residuals can pass 1e154, where squares overflow: the runners stop at 1e150,
    so the records of a diverging run stay safe for the stacked norms and the loss (no RuntimeWarning)."""
    prob = dl.make_problem(4, 4, 4, kappa=10.0, seed=0)
    ws = prob.init(4, 10, seed=1)
    eta, beta = prob.parameters(10)
    orc, layout = dl.oracle(prob, ws)
    with pytest.raises(FloatingPointError, match="residual exceeds"):
        orc(1e20 * layout.flatten(ws))  # depth 10: the output is about 1e200, finite, its square is not
    for eta_scale in (3.0, 30.0, 300.0):
        run = dl.train(prob, ws, eta_scale * eta, beta, 400, monitors=("xi",), record_loss=False)
        assert run.diverged and np.abs(run.records["xi"]).max() <= dl.training.RESIDUAL_LIMIT
        assert np.all(np.isfinite(metrics.stacked_norms(run.records["xi"])))
