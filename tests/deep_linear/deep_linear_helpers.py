"""Independent, unscaled formulas and instance strategies shared by the deep linear network tests."""

import numpy as np
import torch
from hypothesis import strategies as st

from accelbook import deep_linear as dl


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
    """||[xi_t; xi_{t-1}]|| with xi_{-1} = xi_0, written out (independently of accelbook.metrics)."""
    return np.sqrt(np.sum(xi ** 2, 1) + np.sum(np.vstack([xi[:1], xi[:-1]]) ** 2, 1))


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
