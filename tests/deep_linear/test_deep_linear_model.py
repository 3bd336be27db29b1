"""accelbook.deep_linear.model: shapes, the orthogonal initialisation, the scaled forward pass and gradients
against torch autograd, the Gram matrix (41) against its Kronecker definition and J J^T, and bad inputs."""

import re

import numpy as np
import pytest
import torch
from deep_linear_helpers import instances, naive_gram, naive_torch_loss, raw_product
from hypothesis import example, given, settings
from hypothesis import strategies as st

from accelbook import deep_linear as dl
from accelbook import methods


# ---------------------------------------------------------------- architecture and initialisation
def test_layer_shapes_and_architecture():
    assert dl.layer_shapes(3, 2, 5, 1) == [(2, 3)]
    assert dl.layer_shapes(3, 2, 5, 2) == [(5, 3), (2, 5)]
    assert dl.layer_shapes(3, 2, 5, 4) == [(5, 3), (5, 5), (5, 5), (2, 5)]
    ws = [np.ones(s) for s in dl.layer_shapes(3, 2, 5, 4)]
    assert dl.architecture(ws) == (3, 2, 5, 4)
    assert dl.architecture([np.ones((2, 3))]) == (3, 2, None, 1)


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
    # and the directional derivative is J applied to the flattened direction
    delta = [np.random.default_rng(6).standard_normal(w.shape) for w in ws]
    flat = np.concatenate([D.reshape(-1) for D in delta])
    np.testing.assert_allclose(dl.vec(dl.output_derivative(ws, prob.X, delta)), J @ flat, rtol=1e-10, atol=1e-12)


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


# ---------------------------------------------------------------- gradients against torch
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


def test_an_overflowing_output_raises_floating_point_error_without_warnings():
    prob = dl.make_problem(3, 2, 2, seed=0)
    ws = [1e200 * w for w in prob.init(4, 3, seed=0)]
    with pytest.raises(FloatingPointError, match="the network's output overflowed"):
        dl.output(ws, prob.X)


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
    with pytest.raises(ValueError, match="v must have shape \\(6,\\)"):
        dl.gram_matvec(ws, prob.X, np.ones(5))
    with pytest.raises(TypeError, match="seed must be an int"):
        dl.orthogonal_init(4, 2, 6, 3, seed=None)
    with pytest.raises(TypeError, match="M must be an array"):
        dl.vec("abc")


# ---------------------------------------------------------------- architecture, the orthogonality check (kills)
@settings(max_examples=40)
@given(d=st.integers(1, 6), d_y=st.integers(1, 6), m=st.integers(1, 9), depth=st.integers(1, 6))
@example(d=3, d_y=2, m=5, depth=2)
def test_architecture_inverts_layer_shapes(d, d_y, m, depth):
    """architecture(layers shaped by layer_shapes(d, d_y, m, L)) = (d, d_y, m, L) for every depth, the width read
    off whatever the depth (L = 2 has no middle layer, and m != d_y there), None only for L = 1."""
    ws = [np.zeros(s) for s in dl.layer_shapes(d, d_y, m, depth)]
    assert dl.architecture(ws) == (d, d_y, m if depth >= 2 else None, depth)


def _exact_orthogonal(d, d_y, root, depth, rng):
    """Layers root * (signed permutation rows/columns): Section 2.3's conditions hold exactly in floating point."""
    m = root ** 2
    if depth == 1:
        return [root * np.eye(d)[rng.permutation(d)] * rng.choice([-1.0, 1.0], d)]
    layers = [root * np.eye(m)[rng.permutation(m)][:, :d] * rng.choice([-1.0, 1.0], d)]
    layers += [root * np.eye(m)[rng.permutation(m)] * rng.choice([-1.0, 1.0], m) for _ in range(depth - 2)]
    layers.append(root * np.eye(m)[rng.permutation(m)][:d_y])
    return layers


@pytest.mark.parametrize("seed", range(6))
def test_check_orthogonal_init_with_rtol_zero_accepts_exactly_orthogonal_layers(seed):
    """The tolerance is an upper bound on the deviation (deviation <= rtol * m passes): rtol = 0 accepts layers that
    satisfy (W1)^T W1 = m I, W W^T = W^T W = m I, WL WL^T = m I exactly, and returns m."""
    rng = np.random.default_rng(seed)
    root, depth = int(rng.integers(2, 4)), int(rng.integers(1, 6))
    d = int(rng.integers(1, root ** 2 + 1))
    d_y = d if depth == 1 else int(rng.integers(1, root ** 2 + 1))
    ws = _exact_orthogonal(d, d_y, root, depth, rng)
    assert dl.check_orthogonal_init(ws, rtol=0.0) == root ** 2


def _message_numbers(message):
    dev, thr = re.search(r"max deviation (\S+) > rtol\*m = (\S+)\)", message).groups()
    return float(dev), float(thr)


@settings(max_examples=30)
@given(d=st.integers(1, 4), d_y=st.integers(1, 4), extra=st.integers(0, 5), depth=st.integers(2, 5),
       layer=st.integers(0, 4), grow=st.booleans(), seed=st.integers(0, 2 ** 32 - 1))
def test_check_orthogonal_init_tolerance_is_relative_to_m_and_names_the_layer(d, d_y, extra, depth, layer, grow,
                                                                               seed):
    """Scaling layer i of an orthogonal initialisation by s moves its Gram matrix to s^2 m I, a deviation
    |s^2 - 1| m: it passes iff |s^2 - 1| <= rtol (the tolerance is relative to m, whatever m), and the refusal names
    weights[i], the condition of Section 2.3 that fails for that layer (W{i+1}, numbered from 1), the deviation
    and the threshold rtol * m."""
    m, i = max(d, d_y) + extra, layer % depth
    ws = dl.orthogonal_init(d, d_y, m, depth, seed=seed)
    eps = 3e-3 * (1 if grow else -1)
    ws[i] = np.sqrt(1 + eps) * ws[i]
    assert dl.check_orthogonal_init(ws, rtol=1.01 * abs(eps)) == m
    with pytest.raises(ValueError) as info:
        dl.check_orthogonal_init(ws, rtol=0.99 * abs(eps))
    message = str(info.value)
    cond = ("(W1)^T W1 = m I_d" if i == 0 else f"W{depth} (W{depth})^T = m I_dy" if i == depth - 1
            else f"(W{i + 1})^T W{i + 1} = m I_m")
    assert message.startswith(f"weights[{i}] is not a scaled orthogonal layer: {cond} fails (max deviation ")
    assert message.endswith("; the orthogonal initialisation of Section 2.3 is required here")
    dev, thr = _message_numbers(message)
    assert dev == pytest.approx(abs(eps) * m, rel=6e-3) and thr == pytest.approx(0.99 * abs(eps) * m, rel=6e-3)


@pytest.mark.parametrize("seed", range(4))
def test_check_orthogonal_init_checks_both_gram_matrices_of_a_middle_layer(seed):
    """A middle layer sqrt(m) Q S with S^2 = I + eps u u^T (u = 1/sqrt(m)) and Q u = e1 has (W^T W)/m - I with
    largest entry eps/m but W W^T/m - I with largest entry eps: for eps/m < rtol < eps it passes the first
    condition of Section 2.3 and fails the second, which the refusal names (W{i+1} (W{i+1})^T = m I_m)."""
    rng = np.random.default_rng(seed)
    m, depth = int(rng.integers(3, 8)), int(rng.integers(3, 6))
    i = int(rng.integers(1, depth - 1))
    ws = dl.orthogonal_init(2, 2, m, depth, seed=rng)
    eps, u = 1e-3, np.full(m, 1 / np.sqrt(m))
    S = np.eye(m) + (np.sqrt(1 + eps) - 1) * np.outer(u, u)
    h = u - np.eye(m)[0]
    Q = np.eye(m) - 2 * np.outer(h, h) / (h @ h)                 # a reflection with Q u = e1
    ws[i] = np.sqrt(m) * Q @ S
    with pytest.raises(ValueError) as info:
        dl.check_orthogonal_init(ws, rtol=2 * eps / m)
    message = str(info.value)
    assert message.startswith(f"weights[{i}] is not a scaled orthogonal layer: W{i + 1} (W{i + 1})^T = m I_m fails")
    assert _message_numbers(message) == pytest.approx((eps * m, 2 * eps), rel=6e-3)
    assert dl.check_orthogonal_init(ws, rtol=1.01 * eps) == m


def test_check_orthogonal_init_refuses_a_non_square_single_layer_and_a_negative_rtol_by_name():
    """Depth 1 needs d == d_y (its one layer carries both conditions): the refusal says so and shows the shape;
    a negative rtol is refused as such (not reported as a failing layer)."""
    for shape in [(2, 3), (3, 1)]:
        with pytest.raises(ValueError, match=re.escape(f"weights[0]: a depth-1 network with the orthogonal "
                                                       f"initialisation needs d == d_y, got shape {shape}")):
            dl.check_orthogonal_init([np.eye(*shape)])
        with pytest.raises(ValueError, match=re.escape("weights0[0]: a depth-1 network")):
            dl.gram_at_init([np.eye(*shape)], np.eye(shape[1]))
    ws = _exact_orthogonal(3, 2, 2, 3, np.random.default_rng(0))
    for rtol in (-1e-3, -1.0):
        with pytest.raises(ValueError, match=f"^rtol must be >= 0, got {rtol:g}$"):
            dl.check_orthogonal_init(ws, rtol=rtol)


def test_output_derivative_refusal_names_the_type_given_for_delta():
    prob = dl.make_problem(4, 3, 2, seed=0)
    ws = prob.init(6, 3, seed=0)
    for delta, kind in [("abc", "str"), (np.zeros((6, 4)), "ndarray"), ([np.zeros((6, 4))], "list"), (None,
                                                                                                       "NoneType")]:
        with pytest.raises(ValueError, match=f"^delta must be a list of 3 arrays shaped like weights, got {kind}$"):
            dl.output_derivative(ws, prob.X, delta)


@settings(max_examples=20)
@given(inst=instances(max_depth=5, max_m=8, orthogonal=False))
def test_gram_operator_is_symmetric_as_a_linear_operator(inst):
    """The operator is H_t with its adjoint: rmatvec, .T and .H (what eigsh/lsqr/cg may call) all apply H_t too,
    in float64."""
    prob, ws = inst
    H = dl.gram(ws, prob.X)
    op = dl.gram_operator(ws, prob.X)
    v = np.random.default_rng(1).standard_normal(H.shape[0])
    scale = np.abs(H).max() * np.abs(v).sum()
    assert op.dtype == np.float64
    for applied in (op.rmatvec(v), op.T @ v, op.H @ v, op.adjoint().matvec(v)):
        np.testing.assert_allclose(applied, H @ v, rtol=1e-9, atol=1e-12 * scale)


@settings(max_examples=25)
@given(inst=instances(max_depth=6, max_m=7, orthogonal=False), seed=st.integers(0, 2 ** 32 - 1))
@example(inst=(dl.make_problem(3, 2, 3, seed=0), [np.eye(3) + 0.1 * np.arange(9.0).reshape(3, 3)]), seed=0)
@example(inst=(dl.make_problem(3, 2, 2, seed=0), [np.arange(15.0).reshape(5, 3) / 9, np.ones((2, 5))]), seed=1)
def test_output_derivative_is_the_jvp_and_the_gradient_is_its_adjoint(inst, seed):
    """DU[Delta] is torch's forward-mode derivative of the raw-product output (4) in the direction Delta, for every
    depth (1 and 2 included), and the gradients of (5) are its adjoint at R = U - Y:
    <DU[Delta], U - Y> = sum_l <Delta_l, dl/dW_l>."""
    prob, ws = inst
    delta = [np.random.default_rng(seed).standard_normal(w.shape) for w in ws]
    L, d_y = len(ws), ws[-1].shape[0]
    m = ws[0].shape[0] if L >= 2 else 1
    Xt = torch.as_tensor(prob.X)

    def out(*layers):
        P = Xt
        for w in layers:
            P = w @ P
        return P / np.sqrt(m ** (L - 1) * d_y)

    _, jvp = torch.autograd.functional.jvp(out, tuple(torch.as_tensor(w) for w in ws),
                                           tuple(torch.as_tensor(D) for D in delta))
    D = dl.output_derivative(ws, prob.X, delta)
    np.testing.assert_allclose(D, jvp.numpy(), rtol=1e-9, atol=1e-11 * max(1.0, np.abs(D).max()))
    R = dl.output(ws, prob.X) - prob.Y
    pairing = sum(float(np.sum(a * g)) for a, g in zip(delta, prob.grad(ws)))
    assert float(np.sum(D * R)) == pytest.approx(pairing, rel=1e-9, abs=1e-11 * np.abs(D).max() * np.abs(R).max())


def test_layer_refusals_state_the_expected_and_the_given_shapes():
    """A middle layer that is not (m, m), with m the rows of the first layer, is refused with both shapes."""
    prob = dl.make_problem(4, 3, 2, seed=0)
    ws = prob.init(6, 4, seed=0)
    for bad, i in [([ws[0], np.ones((7, 6)), np.ones((2, 7))], 1), ([ws[0], ws[1], np.ones((5, 6)), np.ones((2, 5))],
                                                                    2)]:
        shape = bad[i].shape
        with pytest.raises(ValueError, match=re.escape(f"weights[{i}] must be a square middle layer of shape (6, 6), "
                                                       f"got {shape}")):
            dl.output(bad, prob.X)
    with pytest.raises(ValueError, match=re.escape("weights[1] has 5 columns but weights[0] has 6 rows: the layers "
                                                   "do not chain")):
        dl.output([ws[0], np.ones((2, 5))], prob.X)


@pytest.mark.parametrize("d_y, n", [(1, 1), (2, 3), (3, 1)])
def test_gram_max_size_is_the_largest_size_formed(d_y, n):
    """H_t is formed when d_y n <= max_size (max_size = d_y n included, down to 1) and refused just above, with a
    message pointing to the two matrix-free routes."""
    prob = dl.make_problem(3, n, d_y, seed=0)
    ws = prob.init(4, 3, seed=1)
    size = d_y * n
    np.testing.assert_allclose(dl.gram(ws, prob.X, max_size=size), dl.lemma13_gram(prob.X, d_y, 3), atol=1e-12)
    if size > 1:
        with pytest.raises(ValueError, match=re.escape(f"gram: d_y * n = {size} exceeds max_size={size - 1}; use "
                                                       "gram_matvec or gram_operator, which apply H_t without "
                                                       "forming it")):
            dl.gram(ws, prob.X, max_size=size - 1)
