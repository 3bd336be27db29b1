"""accelbook.deep_linear: the network (4), Lemma 13, the Gram matrix (41), Lemma 4's decomposition,
Theorem 10 and Lemmas 14-15 on random instances, torch agreement, and the Chapter 4 explorer."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from accelbook import deep_linear as dl
from accelbook import methods, residual, theory, torch_bridge


# ---------------------------------------------------------------- helpers (independent, unscaled formulas)
def raw_product(ws, j, i):
    """W^{(j:i)} = W_j ... W_i (layers numbered from 1), the identity when j = i - 1."""
    size = ws[i - 1].shape[1] if i <= len(ws) else ws[-1].shape[0]
    P = np.eye(size)
    for w in ws[i - 1:j]:
        P = w @ P
    return P


def naive_gram(ws, X):
    """(41) term by term with the raw products and the factor 1/(m^{L-1} d_y) (small L only)."""
    L, d_y = len(ws), ws[-1].shape[0]
    m = ws[0].shape[0] if L >= 2 else 1
    H = 0
    for l in range(1, L + 1):
        A = raw_product(ws, l - 1, 1) @ X
        B = raw_product(ws, L, l + 1)
        H = H + np.kron(A.T @ A, B @ B.T)
    return H / (m ** (L - 1) * d_y)


def naive_torch_loss(X, Y):
    Xt, Yt = torch.as_tensor(X), torch.as_tensor(Y)

    def f(ws):
        L, m = len(ws), (ws[0].shape[0] if len(ws) >= 2 else 1)
        P = Xt
        for w in ws:
            P = w @ P
        return 0.5 * ((P / np.sqrt(m ** (L - 1) * Yt.shape[0]) - Yt) ** 2).sum()

    return f


def stacked(xi):
    return np.sqrt(np.sum(xi ** 2, 1) + np.sum(np.vstack([xi[:1], xi[:-1]]) ** 2, 1))


@st.composite
def instances(draw, max_depth=12, max_m=24, orthogonal=True):
    d = draw(st.integers(1, 5))
    n = draw(st.integers(1, d))
    d_y = draw(st.integers(1, 4))
    depth = draw(st.integers(1, max_depth))
    if depth == 1:
        d_y = d
    m = draw(st.integers(max(d, d_y), max(max_m, d, d_y)))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    prob = dl.make_problem(d, n, d_y, kappa=float(10 ** rng.uniform(0, 2)) if n > 1 else None, seed=rng)
    if orthogonal:
        w0 = prob.init(m, depth, seed=rng)
    else:
        w0 = [rng.standard_normal(s) for s in dl.layer_shapes(d, d_y, m, depth)]
    return prob, w0


# ---------------------------------------------------------------- architecture and initialisation
def test_layer_shapes_and_architecture():
    assert dl.layer_shapes(3, 2, 5, 1) == [(2, 3)]
    assert dl.layer_shapes(3, 2, 5, 2) == [(5, 3), (2, 5)]
    assert dl.layer_shapes(3, 2, 5, 4) == [(5, 3), (5, 5), (5, 5), (2, 5)]
    ws = [np.ones(s) for s in dl.layer_shapes(3, 2, 5, 4)]
    assert dl.architecture(ws) == (3, 2, 5, 4)


@pytest.mark.parametrize("d, d_y, m, depth", [(3, 3, 3, 1), (2, 4, 4, 2), (5, 1, 9, 3), (20, 20, 50, 7)])
def test_orthogonal_init_satisfies_section_2_3(d, d_y, m, depth):
    ws = dl.orthogonal_init(d, d_y, m, depth, seed=0)
    assert [w.shape for w in ws] == dl.layer_shapes(d, d_y, m, depth)
    np.testing.assert_allclose(ws[0].T @ ws[0], m * np.eye(d), atol=1e-10)
    np.testing.assert_allclose(ws[-1] @ ws[-1].T, m * np.eye(d_y), atol=1e-10)
    for w in ws[1:-1]:
        np.testing.assert_allclose(w @ w.T, m * np.eye(m), atol=1e-10)
        np.testing.assert_allclose(w.T @ w, m * np.eye(m), atol=1e-10)
    assert dl.check_orthogonal_init(ws) == pytest.approx(m)
    # seeded: same seed, same layers; another seed, other layers
    again = dl.orthogonal_init(d, d_y, m, depth, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip(ws, again))
    other = dl.orthogonal_init(d, d_y, m, depth, seed=1)
    assert not np.allclose(ws[0], other[0])


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


@pytest.mark.parametrize("d, d_y, m, depth", [(3, 2, 8, 5), (4, 4, 4, 3), (2, 3, 10, 2)])
def test_lemma13_singular_values_of_partial_products(d, d_y, m, depth):
    ws = dl.orthogonal_init(d, d_y, m, depth, seed=3)
    for i in range(1, depth + 1):
        for j in range(i, depth + 1):
            s = dl.product_singular_values(ws, i, j)
            if (i, j) != (1, depth):
                np.testing.assert_allclose(s, 1.0, atol=1e-10)
    full = dl.product_singular_values(ws, 1, depth)
    assert full.max() <= 1 + 1e-10
    if m > d + d_y - 1 and depth >= 2:  # erratum: the full product is not m^{L/2} times an isometry
        assert full.max() < 1 - 1e-6
    else:  # m = d = d_y: every layer is square and the claim holds
        np.testing.assert_allclose(full, 1.0, atol=1e-10)


# ---------------------------------------------------------------- the Gram matrix (41)
@settings(max_examples=30)
@given(inst=instances(max_depth=6, max_m=8, orthogonal=False))
def test_gram_is_the_kronecker_sum_and_matvec_agrees(inst):
    prob, ws = inst
    H = dl.gram(ws, prob.X)
    naive = naive_gram(ws, prob.X)
    np.testing.assert_allclose(H, naive, rtol=1e-9, atol=1e-9 * np.abs(naive).max())
    v = np.random.default_rng(0).standard_normal(H.shape[0])
    np.testing.assert_allclose(dl.gram_matvec(ws, prob.X, v), H @ v, rtol=1e-9, atol=1e-9 * np.abs(H @ v).max())
    np.testing.assert_allclose(dl.gram_operator(ws, prob.X) @ v, H @ v, rtol=1e-9, atol=1e-9 * np.abs(H @ v).max())
    assert np.linalg.eigvalsh(H)[0] >= -1e-9 * np.abs(H).max()


def test_gram_is_the_jacobian_gram_matrix():
    """H_t = J J^T with J the Jacobian of vec(U) in all the weights (torch autograd)."""
    prob = dl.make_problem(3, 2, 2, seed=4)
    ws = [np.random.default_rng(5).standard_normal(s) for s in dl.layer_shapes(3, 2, 4, 3)]
    Xt = torch.as_tensor(prob.X)

    def out(*layers):
        P = Xt
        for w in layers:
            P = w @ P
        return (P / np.sqrt(4 ** 2 * 2)).T.reshape(-1)  # column-first vec of U

    jac = torch.autograd.functional.jacobian(out, tuple(torch.as_tensor(w) for w in ws))
    J = np.hstack([j.reshape(j.shape[0], -1).numpy() for j in jac])
    np.testing.assert_allclose(dl.gram(ws, prob.X), J @ J.T, rtol=1e-10, atol=1e-12)


def test_gram_refuses_large_sizes_and_the_operator_takes_over():
    prob = dl.make_problem(12, 10, 8, seed=0)
    ws = prob.init(12, 3, seed=0)
    with pytest.raises(ValueError, match="exceeds max_size=50; use gram_matvec"):
        dl.gram(ws, prob.X, max_size=50)
    from scipy.sparse.linalg import eigsh
    top = eigsh(dl.gram_operator(ws, prob.X), k=1, which="LA", return_eigenvectors=False)[0]
    assert top == pytest.approx(3 * np.linalg.norm(prob.X, 2) ** 2 / 8, rel=1e-8)


def test_vec_is_column_first_and_matches_the_kronecker_rule():
    rng = np.random.default_rng(0)
    A, C, B = rng.standard_normal((3, 3)), rng.standard_normal((3, 4)), rng.standard_normal((4, 4))
    np.testing.assert_allclose(dl.vec(A @ C @ B), np.kron(B.T, A) @ dl.vec(C), atol=1e-12)
    np.testing.assert_array_equal(dl.unvec(dl.vec(C), 3), C)
    assert dl.vec(np.array([[1, 2], [3, 4]])).tolist() == [1, 3, 2, 4]


# ---------------------------------------------------------------- gradients and training against torch
@settings(max_examples=30)
@given(inst=instances(max_depth=8, max_m=10, orthogonal=False))
def test_gradients_match_torch_autograd(inst):
    prob, ws = inst
    ours = prob.grad(ws)
    for loss_fn in (naive_torch_loss(prob.X, prob.Y), dl.torch_loss(prob.X, prob.Y)):
        tensors = [torch.tensor(w, requires_grad=True) for w in ws]
        value = loss_fn(tensors)
        value.backward()
        assert value.item() == pytest.approx(prob.loss(ws), rel=1e-10)
        for g, t in zip(ours, tensors):
            np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-9, atol=1e-10 * max(1.0, np.abs(g).max()))


@pytest.mark.parametrize("beta", [0.0, 0.7])
def test_numpy_and_torch_sgd_trainings_agree(beta):
    prob = dl.source_problem(seed=2)
    ws = prob.init(24, 30, seed=3)
    eta, _ = prob.parameters(30)
    ours = methods.heavy_ball(prob.grad, ws, eta, beta, 40)
    theirs = torch_bridge.sgd_iterates(prob.torch_loss(), ws, eta, beta, 40)
    assert ours.losses is None and len(theirs) == 41
    worst = max(np.abs(a - b).max() for wo, wt in zip(ours.iterates, theirs) for a, b in zip(wo, wt))
    assert worst < 1e-10
    assert prob.loss(ours.x) < 1e-3 * prob.loss(ws)  # and the runs did train


def test_depth_200_is_finite_where_the_raw_product_overflows():
    prob = dl.make_problem(4, 3, 2, kappa=4.0, seed=0)
    ws = prob.init(64, 200, seed=1)
    with np.errstate(over="ignore", invalid="ignore"):
        factor = np.float64(64.0) ** 199 * 2  # m^{L-1} d_y overflows float64 ...
        raw = raw_product(ws, 200, 1) @ prob.X / np.sqrt(factor)  # ... and the naive output collapses to 0
    assert np.isinf(factor) and np.all(raw == 0)
    U = dl.output(ws, prob.X)
    assert np.all(np.isfinite(U))
    # E||N(x)||^2 = ||x||^2 makes U of the size of X, not m^{L/2}
    assert 0.01 < np.linalg.norm(U) / np.linalg.norm(prob.X) < 10
    grads = prob.grad(ws)
    assert all(np.all(np.isfinite(g)) for g in grads)
    np.testing.assert_allclose(dl.gram(ws, prob.X), dl.lemma13_gram(prob.X, 2, 200), atol=1e-9 * 200)
    eta, beta = prob.parameters(200)
    run = methods.heavy_ball(prob.grad, ws, eta, beta, 60, loss=prob.loss, store="last")
    assert not run.diverged and np.all(np.isfinite(run.losses)) and run.losses[-1] < 1e-6 * run.losses[0]
    # torch's scaled loss agrees at depth 200 as well
    tensors = [torch.tensor(w, requires_grad=True) for w in ws]
    prob.torch_loss()(tensors).backward()
    assert max(np.abs(g - t.grad.numpy()).max() for g, t in zip(grads, tensors)) < 1e-10


def test_scale_invariance_of_the_iterates():
    """(cX, cY) with Theorem 10's step eta/c^2 gives the same iterates: the width condition must be scale-free."""
    prob = dl.make_problem(5, 4, 3, kappa=20.0, seed=1)
    ws = prob.init(12, 8, seed=2)
    runs = []
    for c in (1.0, 1e3):
        scaled = dl.DeepLinearProblem(X=c * prob.X, Y=c * prob.Y)
        eta, beta = scaled.parameters(8)
        runs.append(methods.heavy_ball(scaled.grad, ws, eta, beta, 50, store="last").x)
    assert max(np.abs(a - b).max() for a, b in zip(*runs)) < 1e-10


def test_first_step_of_the_collapsed_model_is_a_linear_step_with_eta_L_over_dy():
    prob = dl.make_problem(5, 4, 3, seed=0)
    depth = 12
    ws = prob.init(40, depth, seed=1)
    G = prob.linear_grad(dl.end_to_end(ws))
    errors = []
    for eta in (1e-3, 1e-4):
        step = [w - eta * g for w, g in zip(ws, prob.grad(ws))]
        moved = dl.end_to_end(step) - dl.end_to_end(ws)
        errors.append(np.linalg.norm(moved + eta * depth / prob.d_y * G) / np.linalg.norm(eta * G))
    assert errors[0] < 0.05 and errors[1] < errors[0] / 5  # the mismatch is O(eta): second order


# ---------------------------------------------------------------- Lemma 4
def source_formulas(ws_prev, ws, ws_next, X, eta, beta):
    """(84) and (85) of the source, with raw products (small L)."""
    L, d_y = len(ws), ws[-1].shape[0]
    m = ws[0].shape[0] if L >= 2 else 1
    k = 1 / np.sqrt(m ** (L - 1) * d_y)
    M = [(a - b) / eta for a, b in zip(ws, ws_next)]  # W_{t+1} = W_t - eta M_t
    Phi = raw_product(ws_next, L, 1) - raw_product(ws, L, 1) + eta * sum(
        raw_product(ws, L, l + 1) @ M[l - 1] @ raw_product(ws, l - 1, 1) for l in range(1, L + 1))
    Psi = (L - 1) * beta * raw_product(ws, L, 1) + beta * raw_product(ws_prev, L, 1) - beta * sum(
        raw_product(ws, L, l + 1) @ ws_prev[l - 1] @ raw_product(ws, l - 1, 1) for l in range(1, L + 1))
    return dl.vec(k * Phi @ X), dl.vec(k * Psi @ X)


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


def test_collapsed_model_differs_by_the_propagated_perturbation():
    """Heavy ball on W_e with step eta L / d_y has residual xi_t minus the first block of sum_s A^{t-s-1}[phi_s; 0]."""
    prob = dl.make_problem(4, 3, 2, kappa=5.0, seed=2)
    depth, T = 7, 25
    ws = prob.init(9, depth, seed=3)
    eta, beta = prob.parameters(depth)
    _, terms = dl.run_with_decomposition(prob, ws, eta, beta, T)
    lin = methods.heavy_ball(prob.linear_grad, dl.end_to_end(ws), eta * depth / prob.d_y, beta, T,
                             loss=lambda We: dl.vec(We @ prob.X - prob.Y), store="none")
    H0 = dl.lemma13_gram(prob.X, prob.d_y, depth)
    forced = residual.reconstruct(np.zeros(terms["xi"].shape[1]), terms["phi"], H0, eta, beta)[:, :H0.shape[0]]
    np.testing.assert_allclose(terms["xi"] - lin.losses, forced, atol=1e-10 * np.abs(terms["xi"]).max())
    assert np.abs(forced).max() > 1e-3 * np.abs(terms["xi"]).max()  # a real difference, not zero


# ---------------------------------------------------------------- Theorem 10, Lemmas 14 and 15 on random instances
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
    assert terms["spread"].max() <= 1.68  # Lemma 16's factors, as (89) needs them
    assert terms["distance"].max() <= dl.r_l_linear(prob.X, d_y, depth, nu_c0=nu_c0, b0=xi0)
    # Lemma 14, the bounds on the higher-order terms
    b = dl.lemma14_bounds(prob.X, d_y, m, eta, prob.lam(depth), t[:-1], nu_c0=nu_c0, xi0_norm=xi0)
    for key in ("varphi", "psi"):
        assert np.all(np.linalg.norm(terms[key], axis=1) <= b[key] + 1e-12 * xi0)


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


def test_theorem10_bound_values():
    assert dl.theorem10_rate(16.0) == pytest.approx(1 - 1 / 16)
    np.testing.assert_allclose(dl.theorem10_bound(16.0, [0, 2]), [32.0, 32.0 * (15 / 16) ** 2])
    X = np.diag([2.0, 1.0])
    # R = 64 ||X|| sqrt(d_y) nu C0 B0 / (L sigma_min^2)
    assert dl.r_l_linear(X, 4, 8, nu_c0=3.0, b0=0.5) == pytest.approx(64 * 2 * 2 * 3 * 0.5 / 8)


# ---------------------------------------------------------------- sweeps and small helpers
def test_measured_rate_and_iterations_to_accuracy():
    assert dl.measured_rate(0.9 ** np.arange(50)) == pytest.approx(0.9, rel=1e-10)
    prob = dl.make_problem(3, 3, 2, kappa=10.0, seed=0)
    ws = prob.init(8, 4, seed=0)
    eta, beta = prob.parameters(4)
    k = dl.iterations_to_accuracy(prob, ws, eta, beta, 1e-3)
    run = methods.heavy_ball(prob.grad, ws, eta, beta, k, loss=prob.loss, store="none")
    rel = np.sqrt(run.losses / run.losses[0])
    assert rel[-1] <= 1e-3 < rel[-2]
    assert dl.iterations_to_accuracy(prob, ws, eta, beta, 1e-3, max_iter=3) == -1


def test_kappa_sweep_slopes():
    out = dl.kappa_sweep(np.logspace(1, 2.5, 4), tol=1e-3, seed=0)
    assert 0.8 < out["slope_gd"] < 1.2 and 0.3 < out["slope_heavy_ball"] < 0.65
    assert np.all(out["heavy_ball"] < out["gd"])


def test_depth_sweep_rates_do_not_depend_on_depth():
    prob = dl.make_problem(4, 4, 2, kappa=20.0, seed=0)
    out = dl.depth_sweep(prob, [2, 20, 200], m=24, n_iter=60, seed=1)
    hb_rate = 1 - 0.5 / np.sqrt(prob.kappa)  # sqrt(beta)
    np.testing.assert_allclose(out["rate_heavy_ball"], hb_rate, rtol=0.02)
    assert np.all(out["rate_heavy_ball"] < out["rate_gd"])
    assert out["heavy_ball"].shape == (3, 61) and np.all(np.isfinite(out["heavy_ball"]))


def test_width_sweep_relative_movement_shrinks():
    prob = dl.make_problem(3, 3, 3, kappa=10.0, seed=0)
    out = dl.width_sweep(prob, [6, 24, 96], depth=5, n_iter=30, trials=2, seed=1)
    assert out["distance"].shape == (3, 2)
    assert np.all(np.diff(np.log(out["relative_distance"]).mean(1)) < 0)
    assert np.all(out["distance"] < out["r_l_linear"])
    np.testing.assert_allclose(out["relative_distance"], out["distance"] / np.sqrt([[6], [24], [96]]))


# ---------------------------------------------------------------- the explorer
def test_explorer_data_matches_a_run():
    data = dl.deep_linear_explorer_data(6, 12, 30.0, t_max=50)
    prob = dl.make_problem(4, 4, 2, kappa=30.0, seed=0)
    ws = prob.init(12, 6, seed=1)
    eta, beta = prob.parameters(6)
    run = methods.heavy_ball(prob.grad, ws, eta, beta, 50, loss=prob.residual, store="none")
    s = stacked(run.losses)
    np.testing.assert_allclose(data["heavy_ball"], s / s[0], rtol=1e-10)
    assert (data["eta"], data["beta"]) == pytest.approx((eta, beta))
    np.testing.assert_allclose(data["bound"], dl.theorem10_bound(30.0, np.arange(51)))
    assert set(data["terms"]) == {"varphi", "psi", "iota"} and len(data["terms"]["iota"]) == 50


def test_explorer_callback_draws_two_labelled_log_panels():
    fig = dl.deep_linear_explorer_callback(5, 8, 10.0)
    axes = fig.get_axes()
    assert len(axes) == 2 and all(ax.get_yscale() == "log" for ax in axes)
    labels = [line.get_label() for line in axes[0].get_lines()]
    assert {"gradient descent", "heavy ball", "Theorem 10 bound"} <= set(labels)
    assert "L=5" in fig._suptitle.get_text()
    plt.close(fig)


def test_explorer_static_has_one_panel_per_setting():
    fig = dl.deep_linear_explorer_static([(2, 8, 10.0), (20, 8, 10.0)])
    axes = fig.get_axes()
    assert len(axes) == 2 and all(len(ax.get_lines()) == 3 for ax in axes)
    plt.close(fig)


@pytest.mark.parametrize("args, exc, match", [
    ((0, 8, 10.0), ValueError, "depth must be >= 1"),
    ((3, 2, 10.0), ValueError, "m must be >= max"),
    ((3, 8, 0.5), ValueError, "kappa must be >= 1"),
    ((3.5, 8, 10.0), TypeError, "depth must be an integer"),
])
def test_explorer_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        dl.deep_linear_explorer_data(*args)


# ---------------------------------------------------------------- bad inputs
def test_bad_inputs_give_clear_errors():
    prob = dl.make_problem(4, 3, 2, seed=0)
    ws = prob.init(6, 3, seed=0)
    with pytest.raises(ValueError, match="m must be >= max\\(d, d_y\\) = 4"):
        dl.orthogonal_init(4, 2, 3, 3, seed=0)
    with pytest.raises(ValueError, match="depth must be >= 1"):
        dl.orthogonal_init(4, 2, 6, 0, seed=0)
    with pytest.raises(ValueError, match="depth 1 needs d == d_y"):
        dl.orthogonal_init(4, 2, 6, 1, seed=0)
    with pytest.raises(ValueError, match="weights must contain at least one layer"):
        dl.output([], prob.X)
    with pytest.raises(TypeError, match="weights must be a list"):
        dl.output(ws[0], prob.X)
    with pytest.raises(ValueError, match="X must have 4 rows"):
        dl.output(ws, prob.X[:3])
    with pytest.raises(ValueError, match="Y must have shape \\(2, 3\\)"):
        dl.loss(ws, prob.X, prob.Y[:, :2])
    with pytest.raises(ValueError, match="weights\\[1\\] has 5 columns but weights\\[0\\] has 6 rows"):
        dl.output([ws[0], np.ones((6, 5)), ws[2]], prob.X)
    with pytest.raises(ValueError, match="weights\\[1\\] must be a square middle layer"):
        dl.output([ws[0], np.ones((7, 6)), np.ones((2, 7))], prob.X)
    with pytest.raises(ValueError, match="weights\\[2\\] must contain only finite values"):
        dl.output([ws[0], ws[1], np.full((2, 6), np.nan)], prob.X)
    bad = [w.copy() for w in ws]
    bad[1][0, 0] += 0.1
    with pytest.raises(ValueError, match="weights\\[1\\] is not a scaled orthogonal layer.*required here"):
        dl.gram_at_init(bad, prob.X)
    with pytest.raises(ValueError, match="n must be <= d"):
        dl.make_problem(3, 4, 2, seed=0)
    with pytest.raises(ValueError, match="X must have full column rank"):
        dl.DeepLinearProblem(X=np.ones((3, 2)), Y=np.ones((2, 2)))
    with pytest.raises(ValueError, match="Y must have one column per column of X"):
        dl.DeepLinearProblem(X=np.eye(3), Y=np.ones((2, 2)))
    with pytest.raises(ValueError, match="v must have shape \\(6,\\)"):
        dl.gram_matvec(ws, prob.X, np.ones(5))
    with pytest.raises(ValueError, match="j must be <= depth L = 3"):
        dl.product_singular_values(ws, 1, 4)
    with pytest.raises(ValueError, match="nu_c0 must be >= 0"):
        dl.r_l_linear(prob.X, 2, 3, nu_c0=-1.0, b0=1.0)
    with pytest.raises(TypeError, match="seed must be an int"):
        dl.orthogonal_init(4, 2, 6, 3, seed=None)
