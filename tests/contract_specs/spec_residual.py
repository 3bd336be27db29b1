"""Contract tables for accelbook.residual (the recursion (8), its solution (15), Theorem 6)."""

import numpy as np

from . import INF, NAN, Spec

_H = np.diag([0.5, 1.0])
_xi = ["abc", [[NAN, 1.0]], np.ones(3), np.ones((4, 3)), None]
_mat = ["abc", [[NAN]], np.ones(3), np.ones((2, 3)), None, np.diag([1.0, -1.0])]
_beta01 = [-0.1, 1.5, NAN, INF, "abc", True, None]
_prev = ["abc", [NAN, 1.0], np.ones(3)]
_phi = ["abc", [[NAN, 1.0]], np.ones(2), np.ones((3, 3)), None]
_c0 = [0.5, NAN, INF, "abc", True]


def _run():
    return dict(xi=0.5 ** np.arange(5.0)[:, None] * np.ones((5, 2)), H=_H, eta=1.0, beta=0.5)


_problem = dict(xi=_xi, H=_mat, eta="pos_real", beta=_beta01, xi_prev=_prev)

SPECS = {
    "accelbook.residual.extract_phi": Spec(_run, dict(_problem)),
    "accelbook.residual.reconstruct": Spec(
        lambda: dict(xi0=np.ones(2), phi=np.zeros((3, 2)), H=_H, eta=1.0, beta=0.5),
        dict(xi0=["abc", [NAN, 1.0], np.ones(3), None], phi=_phi, H=_mat, eta="pos_real", beta=_beta01,
             xi_prev=_prev)),
    "accelbook.residual.propagated_phi_norms": Spec(
        lambda: dict(phi=np.zeros((3, 2)), H=_H, eta=1.0, beta=0.5),
        dict(phi=_phi, H=_mat, eta="pos_real", beta=_beta01)),
    "accelbook.residual.meta_bound": Spec(
        lambda: dict(t=[0, 1], beta=0.5, c0=2.0, c1=1.0, c2=0.1, start_norm=1.0),
        dict(t=[-1, 1.5, NAN, "abc", None, True], beta=_beta01, c0=_c0 + [None], c1="nonneg_real",
             c2="nonneg_real", start_norm="nonneg_real")),
    "accelbook.residual.meta_hypothesis_holds": Spec(
        lambda: dict(_run(), c2=0.1, c3=1.0),
        dict(_problem, c2="nonneg_real", c3="nonneg_real", rtol="nonneg_real", atol="nonneg_real")),
    "accelbook.residual.meta_conclusion_holds": Spec(
        lambda: dict(_run(), c1=1.0, c2=0.1),
        dict(_problem, c1="nonneg_real", c2="nonneg_real", c0=_c0, rtol="nonneg_real", atol="nonneg_real")),
    "accelbook.residual.meta_theorem_curves": Spec(
        lambda: dict(_run(), c1=1.0, c2=0.1, c3=1.0),
        dict(_problem, c1="nonneg_real", c2="nonneg_real", c3="nonneg_real", c0=_c0)),
}

EXEMPT = {}
