"""Contract tables for accelbook.convex (logistic regression, Lemma 2, Theorem 8, the LRP counterexample)."""

import functools

import numpy as np

from accelbook import convex

from . import INF, NAN, Spec

_X = np.array([[1.0, 0.5], [-0.3, 1.0], [0.2, -0.8]])
_y = np.array([1.0, -1.0, 1.0])
_w = ["abc", [NAN, 0.0], np.ones(3), None, True]


@functools.lru_cache(maxsize=1)
def _f():
    return convex.make_logistic(20, 2, lam=0.1, seed=0)


def _logistic():
    return convex.RegularizedLogistic(X=_X, y=_y, lam=0.1)


SPECS = {
    "accelbook.convex.RegularizedLogistic": Spec(
        lambda: dict(X=_X, y=_y, lam=0.1),
        dict(X=["abc", [[NAN]], np.ones(3), np.ones((0, 2)), None],
             y=["abc", [NAN, 1.0, 1.0], [1.0, 0.0, 1.0], np.ones(2), None], lam="pos_real")),
    "accelbook.convex.RegularizedLogistic.loss": Spec(
        lambda: dict(w=np.zeros(2)), dict(w=_w + [np.ones((2, 2, 2))]), target=lambda: _logistic().loss),
    "accelbook.convex.RegularizedLogistic.grad": Spec(
        lambda: dict(w=np.zeros(2)), dict(w=_w + [np.ones((2, 2, 2))]), target=lambda: _logistic().grad),
    "accelbook.convex.RegularizedLogistic.hessian": Spec(
        lambda: dict(w=np.zeros(2)), dict(w=_w + [np.ones((2, 2))]), target=lambda: _logistic().hessian),
    "accelbook.convex.make_logistic": Spec(
        lambda: dict(N=5, d=2), dict(N="pos_int", d="pos_int", lam="pos_real", seed="seed")),
    "accelbook.convex.averaged_hessian": Spec(
        lambda: dict(f=_f(), w0=np.ones(2), w_star=np.zeros(2)),
        dict(f=[3, None, "f"], w0=_w, w_star=_w, nodes="pos_int")),
    "accelbook.convex.lemma2_phi": Spec(
        lambda: dict(f=_f(), iterates=np.ones((3, 2)), w_star=np.zeros(2), eta=0.5),
        dict(f=[3, None], iterates=["abc", [[NAN, 0.0], [0.0, 0.0]], np.ones((1, 2)), np.ones((3, 3)), None, np.ones(2)],
             w_star=_w, eta="pos_real", nodes="pos_int")),
    "accelbook.lrp.lrp_function": Spec(lambda: dict(x=[0.5, 1.5, 3.0]), dict(x=[NAN, INF, "abc", True, None])),
    "accelbook.lrp.lrp_gradient": Spec(lambda: dict(x=[0.5, 1.5, 3.0]), dict(x=[NAN, INF, "abc", True, None])),
    "accelbook.lrp.lrp_heavy_ball": Spec(
        lambda: dict(x0=np.array([0.5, 1.0]), eta=1 / 9, beta=4 / 9, n_iter=5),
        dict(x0=[NAN, INF, "abc", True, None, [2e100, 0.0]], eta=("pos_real", [np.full(3, 0.1)]),
             beta=("unit_open", [np.full(4, 0.5)]), n_iter="nonneg_int", max_abs="pos_real")),
    "accelbook.lrp.LRPRun.prefix": Spec(
        lambda: dict(index=0), dict(index=[5, "a", (0, 0), 1.5]),
        target=lambda: convex.lrp_heavy_ball(np.array([0.5, 1.0]), 0.04, 0.0, 3).prefix),
    "accelbook.lrp.detect_cycle": Spec(
        lambda: dict(trajectory=np.sin(2 * np.pi * np.arange(300) / 5)),
        dict(trajectory=["abc", np.full(300, NAN), np.ones(10), None], max_period=[1, 1.5, "3", True, None],
             tail=[1, 1.5, "3", True, None], tol="nonneg_real")),
    "accelbook.lrp.classify_lrp_starts": Spec(
        lambda: dict(x0=np.array([0.1, 3.3]), n_iter=300),
        dict(x0=[NAN, "abc", None, True], beta="unit_open", eta="pos_real", n_iter=[248, 1.5, "3", True, None])),
    "accelbook.convex.theorem8_scan": Spec(
        lambda: dict(f=_f(), radii=[1e-3], n_dirs=2, n_iter=20),
        dict(f=[3, None, "f"], radii=["abc", [NAN], [0.0], [], None, [[1e-3]]], n_dirs="pos_int", n_iter="pos_int",
             seed="seed", floor="pos_real")),
    "accelbook.lrp.true_intervals": Spec(
        lambda: dict(x=[0.0, 1.0, 2.0], mask=[True, False, True]),
        dict(x=["abc", [NAN, 1.0, 2.0], None, [[0.0, 1.0, 2.0]], [2.0, 1.0, 0.0]],
             mask=["abc", None, [0.5, 1.0, 0.0], [1, 0]])),
}

EXEMPT = {"accelbook.lrp.LRPRun": "the result record, built by lrp_heavy_ball"}
