"""Contract tables for the Chapter 3 sub-package accelbook.relu (data, model, theory, training, experiments,
figures, explorer)."""

import numpy as np

from accelbook import relu

from . import INF, NAN, Spec

_X = np.array([[0.6, 0.0, 0.0], [0.0, 0.5, 0.5]])          # n = 2 inputs in d = 3, norms <= 1
_y = np.array([0.5, -1.0])
_W = np.random.default_rng(0).standard_normal((4, 3))       # m = 4 neurons
_a = np.array([1.0, -1.0, 1.0, -1.0])
_H = np.array([[0.5, 0.1], [0.1, 0.4]])

_X_bad = ("matrix", [[[2.0, 0.0, 0.0]]])                    # ... and an input of norm > 1
_W_bad = ("matrix", [np.ones((4, 2))])                      # ... and the wrong number of columns
_W_any = ["abc", [[NAN]], np.ones(3), None, np.ones((4, 2))]  # for functions where any width m is valid
_a_bad = ["abc", [NAN], np.ones(3), [2.0, 1.0, 1.0, 1.0], None]
_y_bad = ("array", [np.ones(5)])
_seed = "seed"
_ints = ["abc", [], [0], [1.5], None, 5]                    # for a list of widths or seeds
_data = [None, {}, 3]
_FIG = []


def _fig():
    """One figure shared by every drawing contract (a new figure per case would exceed matplotlib's limit)."""
    import matplotlib.pyplot as plt
    if not _FIG:
        _FIG.append(plt.figure(figsize=(6, 3)))
    _FIG[0].clear()
    return _FIG[0]


def _prob():
    return relu.ReluProblem(X=_X, y=_y, a=_a, W0=_W)


def _traj():
    return relu.train(_prob(), "heavy_ball", 0.5, 0.5, 3, store="all").trajectory


def _explorer_data():
    return relu.relu_explorer_data(20, 40.0, n_iter=5)


_method_of = {f"accelbook.relu.model.ReluProblem.{name}": Spec(
    lambda: dict(W=_W), dict(W=_W_any if name == "gram" else _W_bad),
    target=(lambda name=name: getattr(_prob(), name))) for name in ("outputs", "residual", "loss", "grad", "gram")}

SPECS = {
    # ---------------------------------------------------------------- data
    "accelbook.relu.data.unit_inputs": Spec(lambda: dict(n=3, d=2, seed=0), dict(n="pos_int", d="pos_int", seed=_seed)),
    "accelbook.relu.data.clustered_inputs": Spec(
        lambda: dict(n=3, d=2, angle=0.3, seed=0),
        dict(n="pos_int", d=("pos_int", [1]), angle=("pos_real", [2.0]), seed=_seed)),
    "accelbook.relu.data.random_labels": Spec(lambda: dict(n=3, seed=0), dict(n="pos_int", seed=_seed)),
    "accelbook.relu.data.init_weights": Spec(
        lambda: dict(m=4, d=3, seed=0), dict(m="pos_int", d="pos_int", seed=_seed, trials=[0, -1, 1.5, "3", True])),
    # ---------------------------------------------------------------- model
    "accelbook.relu.model.network_output": Spec(lambda: dict(W=_W, a=_a, X=_X), dict(W=_W_bad, a=_a_bad, X=_X_bad)),
    "accelbook.relu.model.activation_patterns": Spec(lambda: dict(W=_W, X=_X), dict(W=_W_any, X=_X_bad)),
    "accelbook.relu.model.loss": Spec(lambda: dict(W=_W, a=_a, X=_X, y=_y),
                                      dict(W=_W_bad, a=_a_bad, X=_X_bad, y=_y_bad)),
    "accelbook.relu.model.subgradient": Spec(lambda: dict(W=_W, a=_a, X=_X, y=_y),
                                             dict(W=_W_bad, a=_a_bad, X=_X_bad, y=_y_bad)),
    "accelbook.relu.model.gram": Spec(lambda: dict(W=_W, X=_X), dict(W=_W_any, X=_X_bad)),
    "accelbook.relu.model.ntk_gram": Spec(lambda: dict(X=_X), dict(X=_X_bad)),
    "accelbook.relu.model.activation_probability": Spec(lambda: dict(X=_X), dict(X=_X_bad)),
    "accelbook.relu.model.gram_fluctuation": Spec(lambda: dict(X=_X), dict(X=_X_bad)),
    "accelbook.relu.model.condition_number": Spec(
        lambda: dict(H=_H), dict(H=("matrix", [[[1.0, 2.0], [0.0, 1.0]], np.ones((2, 2, 3)), np.zeros((0, 0)),
                                              np.zeros((1, 2, 0, 0)), np.stack([_H, [[1.0, 2.0], [0.0, 1.0]]])]))),
    # a 1-column W or W0 would broadcast against the other: each must be refused by its own column count
    "accelbook.relu.model.pattern_change_fraction": Spec(
        lambda: dict(W=_W, W0=_W, X=_X),
        dict(W=("matrix", [np.ones((4, 2)), np.ones((4, 1)), np.ones((5, 3))]), W0=("matrix", [np.ones((4, 2)), np.ones((4, 1))]),
             X=_X_bad)),
    "accelbook.relu.model.neuron_distances": Spec(
        lambda: dict(W=_W, W0=_W), dict(W=("matrix", [np.ones((4, 2)), np.ones((4, 1)), np.ones((5, 3))]), W0="matrix")),
    "accelbook.relu.model.ReluProblem": Spec(lambda: dict(X=_X, y=_y, a=_a, W0=_W),
                                             dict(X=_X_bad, y=_y_bad, a=_a_bad, W0=_W_bad)),
    **_method_of,
    "accelbook.relu.model.make_problem": Spec(
        lambda: dict(X=_X, y=_y, m=4, seed=0),
        dict(X=_X_bad, y=_y_bad, m="pos_int", seed=_seed, trials=[0, -1, 1.5, "3", True])),
    # ---------------------------------------------------------------- theory
    "accelbook.relu.theory.s_perp": Spec(lambda: dict(W0=_W, X=_X, radius=0.1),
                                         dict(W0=_W_any, X=_X_bad, radius="nonneg_real")),
    "accelbook.relu.theory.gram_change_bound": Spec(lambda: dict(W0=_W, X=_X, radius=0.1),
                                                    dict(W0=_W_any, X=_X_bad, radius="nonneg_real")),
    "accelbook.relu.theory.lemma3_decomposition": Spec(
        lambda: dict(W_traj=_traj(), problem=_prob(), eta=0.5, beta=0.5),
        dict(W_traj=["abc", None, np.ones((3, 2)), np.zeros((3, 4, 3)), np.zeros((1, 4, 3)), _W[None]],   # _W[None]: T = 0
             problem=["p", None, 3],
             eta="pos_real", beta="unit_open", radius=[-1.0, NAN, INF, "abc", True, 0.0])),
    "accelbook.relu.theory.lemma10_distance_bound": Spec(
        lambda: dict(xi=np.ones((3, 2)), eta=0.5, beta=0.5, m=4),
        dict(xi=["abc", [[NAN]], np.ones(3), None], eta="pos_real", beta="unit_open", m="pos_int")),
    "accelbook.relu.theory.r_relu": Spec(lambda: dict(lam=0.3, n=5, c0=2.0),
                                         dict(lam="pos_real", n="pos_int", c0=("real", [0.5]))),
    "accelbook.relu.theory.theorem9_parameters": Spec(
        lambda: dict(H_bar=_H), dict(H_bar=("matrix", [np.diag([0.0, 1.0]), [[1.0, 2.0], [0.0, 1.0]]]), form="str")),
    "accelbook.relu.theory.theorem9_bound": Spec(
        lambda: dict(kappa_hat=4.0, t=[0, 1, 2]),
        dict(kappa_hat=("real", [0.5]), t=["ten", -1, 1.5, [NAN], [INF], None, True, [], {}, [1, [2, 3]]])),
    "accelbook.relu.theory.theorem3_rate": Spec(lambda: dict(eta=0.5, H_bar=_H),
                                                dict(eta=("pos_real", [100.0, 8.0]), H_bar=("matrix", [np.diag([0.0, 1.0])]))),   # 8: 1 < eta lambda_min / 2 < 2
    "accelbook.relu.theory.required_width": Spec(
        lambda: dict(lam=0.3, n=5), dict(lam="pos_real", n="pos_int", kappa=("real", [0.5]),
                                         delta=("unit_open", [0.0]), theorem="str")),
    "accelbook.relu.theory.lemma10_width": Spec(
        lambda: dict(lam=0.3, n=5, c0=2.0, xi0_norm=1.0),
        dict(lam="pos_real", n="pos_int", c0=("real", [0.5]), xi0_norm="nonneg_real", nu="pos_real")),
    "accelbook.relu.theory.lemma5_holds": Spec(
        lambda: dict(H0=_H, H_bar=_H),
        dict(H0=["abc", [[NAN]], np.ones(3), np.ones((3, 3)), None], H_bar=("matrix", [np.diag([0.0, 1.0])]))),
    # ---------------------------------------------------------------- training
    "accelbook.relu.training.train": Spec(
        lambda: dict(problem=_prob(), method="heavy_ball", eta=0.5, beta=0.5, n_iter=3),
        dict(problem=["p", None, 3], method="str", eta="pos_real", beta="unit_open", n_iter="nonneg_int",
             store=["sometimes", -1, 0, 1.5, None], record_gram="bool",
             records=["pattern_change", ["pattern"], [3], None, 3])),
    "accelbook.relu.training.torch_train": Spec(
        lambda: dict(problem=_prob(), eta=0.5, beta=0.5, n_iter=3),
        dict(problem=["p", None, 3, relu.make_problem(_X, _y, 4, seed=0, trials=2)], eta="pos_real",
             beta="unit_open", n_iter="nonneg_int", nesterov="bool", device=["abc", 3.5, "cuda:x"],
             store=["some", None, 3], max_norm="pos_real")),
    "accelbook.relu.training.linearised_residuals": Spec(
        lambda: dict(H=_H, xi0=np.ones(2), eta=0.5, beta=0.5, n_iter=3),
        dict(H="matrix", xi0=["abc", [NAN, 1.0], np.ones(3), None, np.ones((0, 2))],
             eta="pos_real", beta="unit_open", n_iter="nonneg_int", method="str")),
    "accelbook.relu.training.empirical_rate": Spec(
        lambda: dict(xi=np.ones((5, 2)) * 0.5 ** np.arange(5.0)[:, None]),
        dict(xi=["abc", [[NAN]], np.ones(3), None], start=("pos_real", [1.5]), stop=("pos_real", [0.5]))),
    # ---------------------------------------------------------------- experiments
    "accelbook.relu.experiments.gram_concentration": Spec(
        lambda: dict(X=_X, widths=[10, 20], trials=2),
        dict(X=("matrix", [[[2.0, 0.0, 0.0]], np.ones((2, 2, 3)) * 0.1]), widths=_ints, trials="pos_int",
             seed=_seed, max_batch_elements="pos_int")),
    "accelbook.relu.experiments.width_sweep": Spec(
        lambda: dict(X=_X, y=_y, widths=[10, 20], eta=0.5, beta=0.5, n_iter=3, trials=1),
        dict(X=_X_bad, y=_y_bad, widths=_ints, eta="pos_real", beta="unit_open", n_iter="nonneg_int",
             trials=[0, [1], "3", 1.5, True, None, [1, 0]], seed=_seed, method="str")),
    "accelbook.relu.experiments.conditioning_sweep": Spec(
        lambda: dict(angles=[0.5], n=3, d=4, m=30, n_iter=20),
        dict(angles=["abc", [], [0.0], [2.0], None, 0.5], n="pos_int", d=("pos_int", [1]), m="pos_int",
             n_iter="nonneg_int", seed=_seed)),
    "accelbook.relu.experiments.appendix_h_experiment": Spec(
        lambda: dict(seed=0, m=20, n_iter=3),
        dict(seed=_seed, n="pos_int", d="pos_int", m="pos_int", n_iter="nonneg_int",
             which=["gd", [], ["adam"], None, 3])),
    "accelbook.relu.experiments.appendix_h_seeds": Spec(
        lambda: dict(seeds=[0], m=20, n_iter=5),
        dict(seeds=["abc", [], [-1], [1.5], None, 5], m="pos_int", n_iter="nonneg_int", tol="pos_real")),
    # ---------------------------------------------------------------- figures
    "accelbook.relu.figures.residual_panel": Spec(
        lambda: dict(ax=_fig().subplots(), data=_explorer_data()), dict(ax=[None, 3, "ax"], data=_data),
        free=dict(gd_label="any legend text", linear_label="any legend text")),
    "accelbook.relu.figures.pattern_panel": Spec(
        lambda: dict(ax=_fig().subplots(), data=_explorer_data()), dict(ax=[None, 3, "ax"], data=_data)),
    # ---------------------------------------------------------------- explorer
    "accelbook.relu.explorer.relu_explorer_data": Spec(
        lambda: dict(m=20, angle_deg=40.0, n_iter=5),
        dict(m="pos_int", angle_deg=("pos_real", [91.0]), beta=[-0.1, 1.0, NAN, "abc", True], n="pos_int",
             d=("pos_int", [1]), n_iter="pos_int", seed=_seed)),
    "accelbook.relu.explorer.draw_relu_explorer": Spec(
        lambda: dict(data=_explorer_data(), fig=_fig()), dict(data=_data, fig=[None, "fig", 3])),
    "accelbook.relu.explorer.relu_explorer_summary": Spec(lambda: dict(data=_explorer_data()), dict(data=_data)),
    "accelbook.relu.explorer.relu_explorer_callback": Spec(
        lambda: dict(m=20, angle_deg=40.0, n_iter=5, fig=_fig()),
        dict(m="pos_int", angle_deg=("pos_real", [91.0]), beta=[-0.1, 1.0, NAN, "abc", True], fig=["fig", 3],
             n_iter="pos_int", seed=_seed)),
    "accelbook.relu.explorer.relu_explorer_static": Spec(
        lambda: dict(widths=[20], angles_deg=[60.0], n_iter=5, fig=_fig()),
        dict(widths=_ints, angles_deg=["abc", [], [0.0], [91.0], None, 5.0], n_iter="pos_int", seed=_seed,
             fig=["fig", 3])),
}

EXEMPT = {
    "accelbook.relu.training.ReluRun": "the run record, built by relu.train",
    "accelbook.relu.training.TorchRun": "the run record, built by relu.torch_train",
    "accelbook.relu.training.LinearisedRun": "the run record, built by relu.linearised_residuals",
}
