r"""A deep fully-connected ReLU network without biases, partitioned into :math:`x` = last layer and
:math:`u` = earlier layers (Liao & Kyrillidis 2024, Lemma 14 and Theorem 15), its data and initialisation.

Weights carry a leading trial axis: ``W = [W_1, ..., W_Λ]`` with ``W_l`` of shape ``(T, d_{l-1}, d_l)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import torch_bridge
from .._validation import choice, finite_array, instance_of, int_scalar, real_scalar, rng_from
from .defaults import DEFAULTS
from .model import _relu, _relu_prime, _t

__all__ = ["ReluNetwork", "INIT_SCHEMES", "init_network", "make_regression_data", "torch_network_loss"]


@dataclass
class ReluNetwork:
    r"""A fully-connected ReLU network without biases, :math:`F_0 = X`, :math:`F_l = \sigma(F_{l-1}W_l)`
    (l < Λ), output :math:`F_{\Lambda-1}W_\Lambda`, with loss :math:`f = \tfrac12\|F_{\Lambda-1}W_\Lambda - Y\|^2`.

    Parameters are ``W = [W_1, ..., W_Λ]`` with ``W_l`` of shape ``(T, d_{l-1}, d_l)`` and
    :math:`d_\Lambda = 1`.  The partition: :math:`x = \mathrm{vec}(W_\Lambda)`, :math:`u` = the other layers.
    """

    X: np.ndarray
    Y: np.ndarray
    L2 = 1.0
    f_star = 0.0  # when the penultimate features have rank n (A6 near the start)
    #: what :func:`accelbook.partition.train` records with ``track_every`` for this model
    tracked = ("sigma_min",)

    def __post_init__(self):
        self.X = finite_array("X", self.X, ndim=2)
        if self.X.shape[0] < 1 or self.X.shape[1] < 1:
            raise ValueError(f"X must have at least one sample and one feature, got shape {self.X.shape}")
        self.Y = finite_array("Y", self.Y, shape=(self.X.shape[0],))

    @property
    def n(self):
        return self.X.shape[0]

    def check_params(self, W, name="W"):
        """``W`` as a list of finite float arrays ``(T, d_{l-1}, d_l)`` chained from ``d_0`` (the input
        dimension) to ``d_Λ = 1``; errors name ``name``."""
        if not isinstance(W, (list, tuple)) or len(W) < 2:
            raise TypeError(f"{name} must be a list of at least 2 weight arrays [W_1, ..., W_depth], got "
                            f"{type(W).__name__}" + (f" of length {len(W)}" if isinstance(W, (list, tuple)) else ""))
        out = [finite_array(f"{name}[{i}]", a, ndim=3) for i, a in enumerate(W)]
        T, d_in = out[0].shape[0], self.X.shape[1]
        for i, a in enumerate(out):
            d_out = 1 if i == len(out) - 1 else a.shape[2]
            if T < 1 or a.shape != (T, d_in, d_out) or d_out < 1:
                raise ValueError(f"{name}[{i}] must have shape (T={T}, {d_in}, {'1' if i == len(out) - 1 else 'd'}) "
                                 f"(layers chained from the input dimension to one output), got {a.shape}")
            d_in = d_out
        return out

    def split(self, W):
        """``(x_leaves, u_leaves)``: the last layer, and the earlier layers."""
        W = self.check_params(W)
        return [W[-1]], list(W[:-1])

    def _features(self, W):
        F, Z = [np.broadcast_to(self.X, (W[0].shape[0],) + self.X.shape)], []
        for Wl in W[:-1]:
            Z.append(F[-1] @ Wl)
            F.append(_relu(Z[-1]))
        return Z, F

    def features(self, W):
        """Pre-activations ``Z_l`` (l = 1..Λ-1) and features ``F_l`` (l = 0..Λ-1), each ``(T, n, d_l)``."""
        return self._features(self.check_params(W))

    def output(self, W):
        """Network outputs, shape ``(T, n)``."""
        W = self.check_params(W)
        _, F = self._features(W)
        return (F[-1] @ W[-1])[..., 0]

    def _loss(self, W):
        _, F = self._features(W)
        r = (F[-1] @ W[-1])[..., 0] - self.Y
        return 0.5 * np.sum(r * r, axis=1)

    def loss(self, W):
        """:math:`f` per trial, shape ``(T,)``."""
        return self._loss(self.check_params(W))

    def _grad(self, W):
        Z, F = self._features(W)
        delta = (F[-1] @ W[-1]) - self.Y[:, None]  # (T, n, 1)
        g = [None] * len(W)
        g[-1] = _t(F[-1]) @ delta
        back = delta @ _t(W[-1])
        for l in range(len(W) - 2, -1, -1):
            back = back * _relu_prime(Z[l])
            g[l] = _t(F[l]) @ back
            if l > 0:
                back = back @ _t(W[l])
        return g

    def grad(self, W):
        """Gradients of the loss with respect to every layer (backpropagation), shapes as ``W``."""
        return self._grad(self.check_params(W))

    @staticmethod
    def _singular_values(Fl):
        gram = Fl @ _t(Fl) if Fl.shape[1] <= Fl.shape[2] else _t(Fl) @ Fl  # the smaller Gram matrix
        ev = np.linalg.eigvalsh(gram)[:, ::-1]
        return np.sqrt(np.maximum(ev, 0.0))

    def penultimate_singular_values(self, W):
        """Singular values of :math:`F_{\\Lambda-1}` per trial, descending, shape ``(T, min(n, d_{Λ-1}))``."""
        _, F = self.features(W)
        return self._singular_values(F[-1])

    def partition_constants(self, W):
        r"""x-block constants at ``W``: :math:`\mu = \sigma_n(F_{\Lambda-1})^2` (0 when the width is below n),
        :math:`L_1 = \sigma_1(F_{\Lambda-1})^2`, κ.  :math:`f(\cdot,u)` is strongly convex on the row
        space of :math:`F_{\Lambda-1}` (the null-space complication of the source)."""
        s = self.penultimate_singular_values(W)
        mu = s[:, self.n - 1] ** 2 if s.shape[1] >= self.n else np.zeros(s.shape[0])
        L1 = s[:, 0] ** 2
        with np.errstate(divide="ignore"):
            return mu, L1, np.where(mu > 0, L1 / np.where(mu > 0, mu, 1.0), np.inf)

    def _output_jacobian_u(self, W):
        """Jacobian of the outputs with respect to the u-block (every layer but the last), ``(T, n, d_u)``."""
        Z, F = self._features(W)
        T, n = F[0].shape[:2]
        rows = []
        for i in range(n):  # one backward pass per output
            back = np.zeros((T, n, 1))
            back[:, i] = 1.0
            back = back @ _t(W[-1])
            g = []
            for l in range(len(W) - 2, -1, -1):
                back = back * _relu_prime(Z[l])
                g.append((_t(F[l]) @ back).reshape(T, -1))
                if l > 0:
                    back = back @ _t(W[l])
            rows.append(np.concatenate(g[::-1], axis=1))
        return np.stack(rows, axis=1)

    def local_coupling(self, W, *, eps=1e-6):
        r"""Local values of the coupling constants at ``W`` (lower bounds on A4's :math:`G_1` and A5's
        :math:`G_2` over any ball around ``W``): :math:`\|J_u h\|` (the Jacobian of the outputs in u), and
        :math:`\|\nabla_x f(x, u + \epsilon v) - \nabla_x f(x, u - \epsilon v)\|/(2\epsilon)` along the top
        right singular vector v of :math:`J_u h`, with the central-difference step
        :math:`\epsilon` = ``eps`` · max(1, largest |entry| of the u layers of ``W``).
        Returns ``(G1_local, G2_local)``, each ``(T,)``."""
        W = self.check_params(W)
        eps = real_scalar("eps", eps, lo=0.0, lo_open=True)
        J = self._output_jacobian_u(W)
        _, s, vt = np.linalg.svd(J, full_matrices=False)
        v, shapes = vt[:, 0], [a.shape for a in W[:-1]]
        sizes = np.cumsum([0] + [int(np.prod(sh[1:])) for sh in shapes])
        step = [v[:, sizes[i]:sizes[i + 1]].reshape(sh) for i, sh in enumerate(shapes)]
        scale = eps * max(1.0, max(float(np.abs(a).max()) for a in W[:-1]))
        plus = self._grad([a + scale * d for a, d in zip(W[:-1], step)] + [W[-1]])[-1]
        minus = self._grad([a - scale * d for a, d in zip(W[:-1], step)] + [W[-1]])[-1]
        return s[:, 0], np.linalg.norm((plus - minus).reshape(len(v), -1), axis=1) / (2 * scale)

    def _measure(self, W):
        """Loss and the smallest penultimate singular value from one forward pass (unchecked ``W``)."""
        _, F = self._features(W)
        r = (F[-1] @ W[-1])[..., 0] - self.Y
        return {"loss": 0.5 * np.sum(r * r, axis=1), "sigma_min": self._singular_values(F[-1])[:, -1]}


#: Entry variances (hidden layers, last layer) of the two initialisations, as functions of the fan-in d.
INIT_SCHEMES = {
    "he": (lambda d: 2.0 / d, lambda d: 1.0 / d),  # He et al. (2015) hidden layers, LeCun last layer
    "paper": (lambda d: 1.0 / d, lambda d: d ** -1.5),  # Lemma 14 / Theorem 15 of Liao & Kyrillidis (poster Thm 4)
}


def init_network(widths, *, n_trials=1, seed, scheme="he"):
    r"""Weights ``[W_1, ..., W_Λ]`` for ``widths = (d_0, d_1, ..., d_{Λ-1})`` (the output width 1 is added),
    with a leading trial axis.

    ``scheme="he"``: hidden layers :math:`N(0, 2/d_{l-1})` (He), last layer :math:`N(0, 1/d_{\Lambda-1})`;
    ``scheme="paper"``: the initialisation of Liao & Kyrillidis (Theorem 15; Theorem 4 of their poster), hidden
    layers :math:`N(0, 1/d_{l-1})` and a much smaller last layer :math:`N(0, d_{\Lambda-1}^{-3/2})`."""
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__"):
        raise TypeError(f"widths must be a sequence of positive integers (d_0, ..., d_{{depth-1}}), got "
                        f"{type(widths).__name__}")
    widths = [int_scalar(f"widths[{i}]", w, lo=1) for i, w in enumerate(widths)]
    if len(widths) < 2:
        raise ValueError("widths must list the input and at least one hidden width (depth >= 2)")
    T = int_scalar("n_trials", n_trials, lo=1)
    rng = rng_from(seed)
    hidden, last = INIT_SCHEMES[choice("scheme", scheme, tuple(INIT_SCHEMES))]
    dims = widths + [1]
    W = []
    for l in range(1, len(dims)):
        scale = np.sqrt((hidden if l < len(dims) - 1 else last)(dims[l - 1]))
        W.append(scale * rng.standard_normal((T, dims[l - 1], dims[l])))
    return W


def make_regression_data(n=None, d0=None, *, seed):
    r"""``n`` inputs uniform on the unit sphere of :math:`\mathbb{R}^{d_0}` and labels
    :math:`\sin(3\langle a, x_i\rangle)` (a random unit :math:`a`), centred and scaled to unit RMS."""
    n = int_scalar("n", DEFAULTS.n_samples if n is None else n, lo=2)
    d0 = int_scalar("d0", DEFAULTS.input_dim if d0 is None else d0, lo=1)
    rng = rng_from(seed)
    X = rng.standard_normal((n, d0))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    a = rng.standard_normal(d0)
    Y = np.sin(3.0 * X @ (a / np.linalg.norm(a)))
    Y -= Y.mean()
    rms = np.sqrt(np.mean(Y ** 2))
    if not rms > 1e-12:  # constant labels cannot be scaled to unit RMS (d0 = 1 with every input of one sign)
        raise ValueError(f"seed gives {n} inputs with one and the same label (d0 = {d0}), which cannot be scaled "
                         "to unit RMS: choose another seed or more samples")
    return X, Y / rms


def torch_network_loss(net):
    """The network's loss as a torch function of the list of layer tensors (summed over trials), float64."""
    net = instance_of("net", net, ReluNetwork)
    torch = torch_bridge.torch()
    X = torch.as_tensor(net.X)
    Y = torch.as_tensor(net.Y)

    def loss(W):
        F = X
        for Wl in W[:-1]:
            F = torch.relu(F @ Wl)
        r = (F @ W[-1])[..., 0] - Y
        return 0.5 * (r * r).sum()

    return loss
