"""Contract tables for accelbook.theory (Wang, Lin & Abernethy: Theorems 1, 2, 5, 7, 8 and Corollary 1)."""

import numpy as np

from . import INF, NAN, Spec

_H = np.diag([0.1, 1.0])  # with eta = 1 Theorem 5 needs 0.467 < beta <= 1
_mat = ["abc", [[NAN]], np.ones(3), np.ones((2, 3)), None, np.array([[1.0, 0.5], [0.0, 1.0]]), np.diag([1.0, -1.0])]
_beta01 = [-0.1, 1.5, NAN, INF, "abc", True, None]
_times = [-1, 1.5, NAN, INF, "ten", None, True]
_kappa = [0.5, NAN, INF, "abc", True, None]
_t5 = dict(H=_mat + [np.diag([0.0, 1.0])], eta=("pos_real", [5.0]), beta=("real", [0.1, 1.5]))

SPECS = {
    "accelbook.theory.momentum_matrix": Spec(
        lambda: dict(H=_H, eta=1.0, beta=0.5), dict(H=_mat, eta="pos_real", beta=_beta01)),
    "accelbook.theory.h": Spec(
        lambda: dict(beta=0.5, z=[0.1, 0.5]),
        dict(beta=[NAN, INF, "abc", True, None, np.ones(3)], z=[-1.0, NAN, INF, "abc", True, None])),
    "accelbook.theory.critical_damping_beta": Spec(
        lambda: dict(z=[0.0, 0.5]), dict(z=[-1.0, NAN, INF, "abc", True, None])),
    "accelbook.theory.admissible_beta_bounds": Spec(
        lambda: dict(H=_H, eta=1.0), dict(H=_mat, eta="pos_real")),
    "accelbook.theory.check_theorem5_condition": Spec(lambda: dict(H=_H, eta=1.0, beta=0.9), dict(_t5)),
    "accelbook.theory.theorem5_constant": Spec(
        lambda: dict(H=_H, eta=1.0, beta=0.9), dict(_t5, form="str")),
    "accelbook.theory.polyak_parameters": Spec(
        lambda: dict(mu=1.0, L=4.0), dict(mu="pos_real", L=("pos_real", [0.5]))),
    "accelbook.theory.corollary1_parameters": Spec(
        lambda: dict(mu=1.0, L=4.0), dict(mu="pos_real", L=("pos_real", [0.5]))),
    "accelbook.theory.spectral_radius": Spec(
        lambda: dict(H=_H, eta=1.0, beta=0.5), dict(H=_mat, eta="pos_real", beta=_beta01)),
    "accelbook.theory.block_spectral_radius": Spec(
        lambda: dict(z=[0.1, 0.5], beta=0.5),
        dict(z=[-1.0, NAN, INF, "abc", True, None], beta=[-1.0, NAN, INF, "abc", True, None, np.ones(3)])),
    "accelbook.theory.theorem2_rate": Spec(lambda: dict(kappa=10.0), dict(kappa=_kappa)),
    "accelbook.theory.gd_rate": Spec(lambda: dict(kappa=10.0), dict(kappa=_kappa, step="str")),
    "accelbook.theory.heavy_ball_rate": Spec(lambda: dict(kappa=10.0), dict(kappa=_kappa)),
    "accelbook.theory.theorem7_bound": Spec(
        lambda: dict(H=_H, eta=1.0, beta=0.9, t=[0, 1, 2]), dict(_t5, t=_times, form="str")),
    "accelbook.theory.corollary1_bound": Spec(lambda: dict(kappa=10.0, t=[0, 5]), dict(kappa=_kappa, t=_times)),
    "accelbook.theory.matrix_power_norms": Spec(
        lambda: dict(A=np.eye(2) * 0.5, t_max=3),
        dict(A=["abc", [[NAN]], np.ones(3), np.ones((2, 3)), None, np.ones((0, 0))], t_max="nonneg_int",
             v=["abc", [NAN, 0.0], [1.0, 2.0, 3.0], [[1.0, 0.0]], True], log="bool")),
    "accelbook.theory.gelfand_sequence": Spec(
        lambda: dict(A=np.eye(2) * 0.5, t_max=3),
        dict(A=["abc", [[NAN]], np.ones(3), np.ones((2, 3)), None], t_max="pos_int")),
    "accelbook.theory.theorem8_radius": Spec(lambda: dict(kappa=10.0), dict(kappa=_kappa)),
    "accelbook.theory.theorem8_bound": Spec(lambda: dict(kappa=10.0, t=[0, 5]), dict(kappa=_kappa, t=_times)),
}

EXEMPT = {}
