"""Contract tables for accelbook.deep_linear (model, data, theory, training, experiments, figures, explorer)."""

import numpy as np

from accelbook.deep_linear import data as dl_data
from accelbook.deep_linear.data import make_problem

from . import INF, NAN, Spec

M = "accelbook.deep_linear.model."
D = "accelbook.deep_linear.data."
T = "accelbook.deep_linear.theory."
R = "accelbook.deep_linear.training."
E = "accelbook.deep_linear.experiments."
F = "accelbook.deep_linear.figures."
X_ = "accelbook.deep_linear.explorer."


def _prob():
    return make_problem(4, 3, 2, kappa=10.0, seed=0)


def _w():
    return _prob().init(6, 3, seed=0)


_bad_weights = ["abc", None, [], [np.ones(3)], [np.full((6, 4), NAN), np.ones((6, 6)), np.ones((2, 6))],
                [np.ones((6, 4)), np.ones((5, 6)), np.ones((2, 6))],
                [np.ones(4, dtype=int)], [np.ones((2, 4, 4))], [np.full((2, 4), "a")]]    # integer 1-d, batched, text
_bad_X = ["abc", [[NAN]], np.ones(3), np.ones((3, 3)), None, np.ones((4, 0))]        # the network has d = 4
_bad_rank_X = ["abc", [[NAN]], np.ones(3), np.ones((2, 3)), np.ones((3, 2)), None,    # needs full column rank
               np.zeros((3, 2)), np.eye(2, 3)]                                       # zero; wide of full row rank
_bad_Y = ["abc", [[NAN]], np.ones(3), np.ones((2, 5)), None]
_not_orthogonal = [np.ones((6, 4)), np.ones((6, 6)), np.ones((2, 6))]
_bad_t = [-1, 1.5, "3", True, None, [1.5], [-1]]
_bad_problem = [None, "abc", 3]
_frame = lambda: _explorer_data()  # noqa: E731
_DATA = {}


def _explorer_data():
    if "frame" not in _DATA:
        from accelbook.deep_linear.explorer import deep_linear_explorer_data
        _DATA["frame"] = deep_linear_explorer_data(3, 8, 10.0, t_max=20)
    return dict(_DATA["frame"])


def _fig():
    """One figure for every drawing call of this table (cleared each time; never more figures open)."""
    if "fig" not in _DATA:
        import matplotlib.pyplot as plt
        _DATA["fig"] = plt.figure()
    _DATA["fig"].clear()
    return _DATA["fig"]


def _ax():
    return _fig().add_subplot()


def _method(name):
    return lambda: getattr(_prob(), name)


SPECS = {
    # ---------------------------------------------------------------- model
    M + "layer_shapes": Spec(lambda: dict(d=3, d_y=2, m=5, depth=3),
                             dict(d="pos_int", d_y="pos_int", m="pos_int", depth="pos_int")),
    M + "architecture": Spec(lambda: dict(weights=_w()), dict(weights=_bad_weights)),
    M + "orthogonal_init": Spec(lambda: dict(d=4, d_y=2, m=6, depth=3, seed=0),
                                dict(d="pos_int", d_y="pos_int", m=("pos_int", [3]), depth="pos_int", seed="seed")),
    M + "check_orthogonal_init": Spec(lambda: dict(weights=_w()),
                                      dict(weights=_bad_weights + [_not_orthogonal], rtol="nonneg_real")),
    M + "vec": Spec(lambda: dict(M=np.ones((2, 3))), dict(M=["abc", [[NAN]], np.ones(3), None])),
    M + "unvec": Spec(lambda: dict(v=np.ones(6), d_y=2), dict(v=["abc", [NAN], [], np.ones((2, 3)), np.ones(5)],
                                                           d_y="pos_int")),
    M + "end_to_end": Spec(lambda: dict(weights=_w()), dict(weights=_bad_weights)),
    M + "output": Spec(lambda: dict(weights=_w(), X=_prob().X), dict(weights=_bad_weights, X=_bad_X)),
    M + "loss": Spec(lambda: dict(weights=_w(), X=_prob().X, Y=_prob().Y),
                     dict(weights=_bad_weights, X=_bad_X, Y=_bad_Y)),
    M + "gradients": Spec(lambda: dict(weights=_w(), X=_prob().X, Y=_prob().Y),
                          dict(weights=_bad_weights, X=_bad_X, Y=_bad_Y)),
    M + "output_derivative": Spec(lambda: dict(weights=_w(), X=_prob().X, delta=[np.zeros_like(w) for w in _w()]),
                                  dict(weights=_bad_weights, X=_bad_X,
                                       delta=["abc", None, [np.ones((2, 2))],
                                              [np.ones((6, 4)), np.full((6, 6), NAN), np.ones((2, 6))],
                                              [np.ones((6, 4)), np.ones((6, 5)), np.ones((2, 6))]])),
    M + "gram": Spec(lambda: dict(weights=_w(), X=_prob().X),
                     dict(weights=_bad_weights, X=_bad_X, max_size=("pos_int", [5]))),
    M + "gram_matvec": Spec(lambda: dict(weights=_w(), X=_prob().X, v=np.ones(6)),
                            dict(weights=_bad_weights, X=_bad_X, v=["abc", [NAN], [], np.ones(5), None])),
    M + "gram_operator": Spec(lambda: dict(weights=_w(), X=_prob().X), dict(weights=_bad_weights, X=_bad_X)),
    # ---------------------------------------------------------------- data
    D + "DeepLinearProblem": Spec(lambda: dict(X=_prob().X, Y=_prob().Y), dict(X=_bad_rank_X, Y=_bad_Y)),
    D + "DeepLinearProblem.loss": Spec(lambda: dict(weights=_w()), dict(weights=_bad_weights), target=_method("loss")),
    D + "DeepLinearProblem.grad": Spec(lambda: dict(weights=_w()), dict(weights=_bad_weights), target=_method("grad")),
    D + "DeepLinearProblem.residual": Spec(lambda: dict(weights=_w()), dict(weights=_bad_weights),
                                           target=_method("residual")),
    D + "DeepLinearProblem.parameters": Spec(lambda: dict(depth=3), dict(depth="pos_int"), target=_method("parameters")),
    D + "DeepLinearProblem.lam": Spec(lambda: dict(depth=3), dict(depth="pos_int"), target=_method("lam")),
    D + "DeepLinearProblem.init": Spec(lambda: dict(m=6, depth=3, seed=0),
                                       dict(m=("pos_int", [3]), depth="pos_int", seed="seed"), target=_method("init")),
    D + "DeepLinearProblem.linear_loss": Spec(lambda: dict(We=np.ones((2, 4))),
                                              dict(We=["abc", [[NAN]], np.ones((4, 2)), None]),
                                              target=_method("linear_loss")),
    D + "DeepLinearProblem.linear_grad": Spec(lambda: dict(We=np.ones((2, 4))),
                                              dict(We=["abc", [[INF]], np.ones(4), None]),
                                              target=_method("linear_grad")),
    D + "DeepLinearProblem.torch_loss": Spec(lambda: dict(), dict(), free=dict(device="any torch device (torch checks it)"),
                                             target=_method("torch_loss")),
    D + "make_problem": Spec(lambda: dict(d=4, n=3, d_y=2, kappa=10.0, seed=0),
                             dict(d="pos_int", n=("pos_int", [5]), d_y="pos_int",
                                  kappa=[0.5, NAN, INF, "abc", True], w_noise="nonneg_real", seed="seed")),
    D + "source_problem": Spec(lambda: dict(seed=0), dict(seed="seed")),
    D + "torch_loss": Spec(lambda: dict(X=_prob().X, Y=_prob().Y),
                           dict(X=["abc", [[NAN]], np.ones(3), None], Y=_bad_Y),
                           free=dict(device="any torch device (torch checks it)")),
    # ---------------------------------------------------------------- theory
    T + "lemma13_gram": Spec(lambda: dict(X=_prob().X, d_y=2, depth=3),
                             dict(X=["abc", [[NAN]], np.ones(3), None, np.ones((4, 0))], d_y="pos_int",
                                  depth="pos_int")),
    T + "gram_at_init": Spec(lambda: dict(weights0=_w(), X=_prob().X),
                             dict(weights0=_bad_weights + [_not_orthogonal], X=_bad_X)),
    T + "product_singular_values": Spec(lambda: dict(weights=_w(), i=1, j=3),
                                        dict(weights=_bad_weights, i="pos_int", j=("pos_int", [4]))),
    T + "full_product_unit_count": Spec(lambda: dict(d=3, d_y=2, m=4),
                                        dict(d="pos_int", d_y="pos_int", m=("pos_int", [2]))),
    T + "full_product_nested": Spec(lambda: dict(weights=_w()), dict(weights=_bad_weights, rtol="nonneg_real")),
    T + "theorem10_printed_width": Spec(lambda: dict(X=_prob().X, d_y=2, w_star_norm=1.0, delta=0.1),
                                        dict(X=_bad_rank_X, d_y="pos_int", w_star_norm="nonneg_real",
                                             delta=("pos_real", [1.0]), C="pos_real")),
    T + "theorem10_corrected_width": Spec(lambda: dict(X=_prob().X, d_y=2, w_star_norm=1.0, delta=0.1),
                                          dict(X=_bad_rank_X, d_y="pos_int", w_star_norm="nonneg_real",
                                               delta=("pos_real", [1.0]), C="pos_real")),
    T + "gradient_bound_89": Spec(lambda: dict(X=_prob().X, d_y=2, spread=1.0, residual_norm=1.0),
                                  dict(X=_bad_rank_X, d_y="pos_int", spread="nonneg_real",
                                       residual_norm="nonneg_real")),
    T + "spread_limit_89": Spec(lambda: dict(), dict(stacked_factor="pos_real")),
    T + "data_condition_number": Spec(lambda: dict(X=_prob().X), dict(X=_bad_rank_X)),
    T + "theorem4_step": Spec(lambda: dict(X=_prob().X, d_y=2, depth=3),
                              dict(X=_bad_rank_X, d_y="pos_int", depth="pos_int")),
    T + "theorem10_parameters": Spec(lambda: dict(X=_prob().X, d_y=2, depth=3),
                                     dict(X=_bad_rank_X, d_y="pos_int", depth="pos_int")),
    T + "theorem10_rate": Spec(lambda: dict(kappa=10.0), dict(kappa=("real", [0.5]))),
    T + "theorem10_bound": Spec(lambda: dict(kappa=10.0, t=[0, 1, 2]), dict(kappa=("real", [0.5]), t=_bad_t)),
    T + "r_l_linear": Spec(lambda: dict(X=_prob().X, d_y=2, depth=3, nu_c0=2.0, b0=1.0),
                           dict(X=_bad_rank_X, d_y="pos_int", depth="pos_int", nu_c0="nonneg_real",
                                b0="nonneg_real")),
    T + "lemma14_bounds": Spec(lambda: dict(X=_prob().X, d_y=2, m=6, eta=0.1, lam=1.0, t=[0, 1], nu_c0=2.0,
                                            xi0_norm=1.0),
                               dict(X=_bad_rank_X, d_y="pos_int", m="pos_int", eta=("pos_real", [10.0]),
                                    lam=("pos_real", [100.0]), t=_bad_t, nu_c0="nonneg_real",
                                    xi0_norm="nonneg_real")),
    # ---------------------------------------------------------------- training
    R + "oracle": Spec(lambda: dict(problem=_prob(), weights0=_w()),
                       dict(problem=_bad_problem, weights0=_bad_weights + [[np.ones((6, 3)), np.ones((2, 6))]],
                            eta="pos_real", terms="bool", spread="bool")),
    R + "train": Spec(lambda: dict(problem=_prob(), weights0=_w(), eta=0.1, beta=0.5, n_iter=3),
                      dict(problem=_bad_problem, weights0=_bad_weights, eta="pos_real", beta="unit_open",
                           n_iter="nonneg_int", monitors=["loss", 3, ("spread",), None], record_loss="bool",
                           store=["sometimes", -1, 1.5, None], tol=[-1.0, NAN, "abc", True])),
    R + "run_with_decomposition": Spec(lambda: dict(problem=_prob(), weights0=_w(), eta=0.1, beta=0.5, n_iter=3),
                                       dict(problem=_bad_problem, weights0=_bad_weights, eta="pos_real",
                                            beta="unit_open", n_iter="nonneg_int",
                                            store=["sometimes", -1, 1.5, None], record_spread="bool")),
    R + "iterations_to_accuracy": Spec(lambda: dict(problem=_prob(), weights0=_w(), eta=0.1, beta=0.5, tol=0.1,
                                                    max_iter=5),
                                       dict(problem=_bad_problem, weights0=_bad_weights, eta="pos_real",
                                            beta="unit_open", tol=("pos_real", [1.0]), max_iter="nonneg_int")),
    R + "measured_rate": Spec(lambda: dict(values=0.5 ** np.arange(10.0)),
                              dict(values=["abc", [NAN], [], None, [1.0, -1.0]])),
    # ---------------------------------------------------------------- experiments
    E + "kappa_sweep": Spec(lambda: dict(kappas=[10.0], d=3, n=2, d_y=2, m=4, depth=2, tol=0.1),
                            dict(kappas=["abc", [], [0.5], [NAN], None], d=("pos_int", [1]), n=("pos_int", [4]),
                                 d_y="pos_int", m=("pos_int", [2]), depth="pos_int", tol=("pos_real", [1.0]),
                                 eta_scale="pos_real", seed="seed")),
    E + "depth_sweep": Spec(lambda: dict(problem=_prob(), depths=[2], m=4, n_iter=3),
                            dict(problem=_bad_problem, depths=["abc", [], [0], [2.5], None], m=("pos_int", [3]),
                                 n_iter="pos_int", eta_scale="pos_real", seed="seed")),
    E + "width_sweep": Spec(lambda: dict(problem=_prob(), widths=[4], depth=2, n_iter=3),
                            dict(problem=_bad_problem, widths=["abc", [], [3], [4.5], None], depth="pos_int",
                                 n_iter="pos_int", trials="pos_int", eta_scale="pos_real", seed="seed")),
    E + "theorem10_scaling_counterexample": Spec(
        lambda: dict(d=2, n=2, d_y=2, kappa=4.0, depth=3, n_iter=3, inits=1),
        dict(d="pos_int", n=("pos_int", [3]), d_y="pos_int", kappa=("real", [0.5]), depth="pos_int",
             n_iter="pos_int", inits="pos_int", C="pos_real", delta=("pos_real", [1.0]), seed="seed")),
    # ---------------------------------------------------------------- figures
    F + "residual_panel": Spec(lambda: dict(ax=_ax(), data=_frame()),
                               dict(ax=[None, 3], data=[None, {}, 3], bound_label=[3], ylabel=[3], title=[3],
                                    legend="bool")),
    F + "terms_panel": Spec(lambda: dict(ax=_ax(), data=_frame()), dict(ax=[None, 3], data=[None, {"t": [0]}, 3])),
    F + "divergence_note": Spec(lambda: dict(ax=_ax(), data=_frame()), dict(ax=[None, 3], data=[None, {}, 3])),
    # ---------------------------------------------------------------- explorer
    X_ + "deep_linear_explorer_data": Spec(
        lambda: dict(depth=3, width=8, kappa=10.0, t_max=10),
        dict(depth="pos_int", width=("pos_int", [3]), kappa=("real", [0.5]), d="pos_int", n=("pos_int", [5]),
             d_y="pos_int", t_max=[0, -1, 1.5, "3", True], with_terms="bool", eta_scale="pos_real", seed="seed")),
    X_ + "draw_deep_linear_explorer": Spec(lambda: dict(data=_frame(), fig=_fig()),
                                           dict(data=[None, {}, 3], fig=[None, 3, "fig"])),
    X_ + "deep_linear_explorer_summary": Spec(lambda: dict(data=_frame()), dict(data=[None, {}, 3])),
    X_ + "deep_linear_explorer_callback": Spec(lambda: dict(depth=3, width=8, kappa=10.0, fig=_fig()),
                                               dict(depth="pos_int", width=("pos_int", [3]),
                                                    kappa=("real", [0.5, 2000.0]), fig=[3, "fig"])),
    X_ + "deep_linear_explorer_static": Spec(lambda: dict(settings=[(2, 8, 10.0)], t_max=10, fig=_fig()),
                                             dict(settings=["abc", [], [(1, 2)], None, [(0, 8, 10.0)]],
                                                  t_max=[0, -1, 1.5, "3", True], fig=[3, "fig"])),
}

EXEMPT = {
    X_ + "deep_linear_explorer": "no parameters; opens ipywidgets sliders (needs a live kernel)",
}

assert dl_data  # the data module is imported so that its table entries resolve
