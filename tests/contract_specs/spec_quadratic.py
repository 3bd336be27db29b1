"""Contract tables for accelbook.quadratic."""

import numpy as np

from accelbook.quadratic import Quadratic

from . import INF, NAN, Spec

_point = ["abc", [NAN, 0.0], np.ones(3), None, np.ones((2, 2, 2)), True]
_kappa = [0.5, NAN, INF, "abc", True, None]


def _q():
    return Quadratic(H=np.diag([1.0, 2.0]), b=np.ones(2))


SPECS = {
    "accelbook.quadratic.Quadratic": Spec(
        lambda: dict(H=np.eye(2), b=np.ones(2)),
        dict(H=["abc", [[NAN]], np.ones(3), np.ones((2, 3)), None, np.diag([1.0, 0.0]),
                np.array([[1.0, 2.0], [0.0, 1.0]])],
             b=["abc", [NAN, 1.0], np.ones(3), None, [[1.0, 1.0]], True])),
    "accelbook.quadratic.Quadratic.loss": Spec(lambda: dict(w=np.ones(2)), dict(w=_point), target=lambda: _q().loss),
    "accelbook.quadratic.Quadratic.grad": Spec(lambda: dict(w=np.ones(2)), dict(w=_point), target=lambda: _q().grad),
    "accelbook.quadratic.Quadratic.optimality_gap": Spec(
        lambda: dict(w=np.ones(2)), dict(w=_point), target=lambda: _q().optimality_gap),
    "accelbook.quadratic.make_quadratic": Spec(
        lambda: dict(n=3, kappa=10.0),
        dict(n=("pos_int", [1]), kappa=_kappa, eigenvalues=[[1.0, -1.0], "abc", [NAN], []], mu="pos_real",
             spacing="str", seed="seed")),
    "accelbook.quadratic.spectrum": Spec(
        lambda: dict(n=3, kappa=10.0),
        dict(n=("pos_int", [1]), kappa=_kappa, mu="pos_real", spacing="str")),
    "accelbook.quadratic.stacked_error_norms": Spec(
        lambda: dict(iterates=np.ones((3, 2)), w_star=np.zeros(2)),
        dict(iterates=["abc", [[NAN, 0.0]], np.ones(3), np.ones((0, 2)), None],
             w_star=["abc", [NAN, 0.0], np.ones(3), None])),
    "accelbook.quadratic.eigen_errors": Spec(
        lambda: dict(z=[0.1, 0.5], beta=0.5, e0=[1.0, 1.0], t_max=5),
        dict(z=[-1.0, NAN, INF, "abc", True, None, np.ones(3)], beta=("unit_open", [np.full(3, 0.5)]),
             e0=["abc", [NAN, 1.0], None, True, np.ones(3)], t_max="nonneg_int")),
    "accelbook.quadratic.iterations_to_tolerance": Spec(
        lambda: dict(eigenvalues=[1.0, 0.1], eta=1.0, beta=0.5, tol=1e-3),
        dict(eigenvalues=["abc", [NAN], [0.0, 1.0], [], None, np.ones((2, 2, 2))],
             eta=("pos_real", [np.ones(3), [[0.5]]]), beta=("unit_open", [np.full(3, 0.5)]), tol=("pos_real", [1.0]),
             e0=["abc", [NAN, 1.0], np.ones(3), [0.0, 0.0], True], t_max="pos_int", chunk="pos_int")),
    "accelbook.quadratic.kappa_sweep": Spec(
        lambda: dict(kappas=[10.0], tol=1e-3, n=4),
        dict(kappas=["abc", [NAN], [0.5], [], None, [[10.0]]], tol=("pos_real", [1.0]), n=("pos_int", [1]))),
}

EXEMPT = {"accelbook.quadratic.EigenErrors": "the result record, built by eigen_errors"}
