"""Contract tables for accelbook.partition (Chapter 5): model, network, theory, lemmas, training, experiments,
figures, explorer."""

from functools import lru_cache

import numpy as np
from matplotlib.figure import Figure

from accelbook import partition as P

from . import INF, NAN, Spec

M = "accelbook.partition."
_opt_real = [NAN, INF, "abc", True]           # None means "the default" for these parameters
_opt_pos_int = [0, -1, 1.5, "3", True]
_opt_seed = [-1, 1.5, "x", True]
_c = [0.0, -1.0, 17.0, NAN, INF, "abc", True]
_c_rate = [0.0, -1.0, 5.0, NAN, INF, "abc", True]
_c_opt = [0.0, -1.0, 17.0, NAN, "abc", True]
_methods = [3, "gd", (), ("adam",), None]


@lru_cache(maxsize=None)
def _additive():
    return P.make_additive(10.0, 0.1, dim_x=2, dim_u=3, n_trials=2, seed=0)


def _model():
    return _additive()[0]


def _w0():
    return [a.copy() for a in _additive()[1]]


_bad_w = ["abc", None, [np.ones((2, 2))], [np.ones((2, 2)), np.ones((2, 2))], [np.full((2, 2), NAN), np.ones((2, 3))],
          [np.ones((2, 2)), np.ones((1, 3))]]
_bad_u = ["abc", None, np.ones((2, 2)), np.ones(3), np.full((2, 3), NAN)]


@lru_cache(maxsize=None)
def _network():
    X, Y = P.make_regression_data(6, 3, seed=0)
    return P.ReluNetwork(X, Y), P.init_network([3, 4, 8], n_trials=2, seed=1)


def _net():
    return _network()[0]


def _W():
    return [a.copy() for a in _network()[1]]


_bad_W = ["abc", None, [np.ones((2, 3, 4))], [np.ones((2, 3, 4)), np.ones((2, 5, 1))],
          [np.ones((2, 3, 4)), np.full((2, 4, 1), NAN)], [np.ones((2, 3, 4)), np.ones((2, 4, 2))],
          [np.ones((0, 3, 4)), np.ones((0, 4, 1))], [np.ones((2, 3, 0)), np.ones((2, 0, 1))],
          [np.ones((2, 3)), np.ones((2, 4, 1))]]


@lru_cache(maxsize=None)
def _run():
    m, w0 = _additive()
    return P.train(m, w0, "nesterov", 5, eta=0.5, beta=0.5)


@lru_cache(maxsize=None)
def _regimes():
    return {0.1: P.regime_runs(0.1, n_iter=5, n_trials=2, seed=0)}


@lru_cache(maxsize=None)
def _diags():
    m, w0 = _additive()
    return {0.1: P.run_diagnostics(m, w0, 0.5, 0.5, 5)}, {0.1: m}


@lru_cache(maxsize=None)
def _study():
    return P.width_study((20,), n_iter=10, n_trials=1, tol=0.9)


_model_method = lambda name: (lambda: getattr(_model(), name))  # noqa: E731
_net_method = lambda name: (lambda: getattr(_net(), name))  # noqa: E731

SPECS = {
    # ------------------------------------------------------------------ model
    M + "model.relu": Spec(lambda: dict(z=np.array([-1.0, 2.0])), dict(z=["abc", [NAN], [INF], None])),
    M + "model.make_A1": Spec(
        lambda: dict(dim=3, kappa=10.0, seed=0),
        dict(dim="pos_int", kappa=("real", [0.5]), n_trials="pos_int", seed="seed", rows=[2, 1.5, "3", True],
             sigma_max="pos_real")),
    M + "model.make_A2": Spec(
        lambda: dict(dim_out=3, dim_u=2, sigma_max=1.0, seed=0),
        dict(dim_out="pos_int", dim_u="pos_int", sigma_max="nonneg_real", n_trials="pos_int", seed="seed")),
    M + "model.make_additive": Spec(
        lambda: dict(kappa=10.0, sigma_A2=0.1, dim_x=2, dim_u=2, n_trials=1, seed=0),
        dict(kappa=_opt_real + [0.5], sigma_A2=_opt_real + [-0.1], dim_x=_opt_pos_int, dim_u=_opt_pos_int,
             dim_out=[1, 1.5, "3", True], n_trials=_opt_pos_int, seed=_opt_seed, sigma_A1="pos_real")),
    M + "model.AdditiveModel": Spec(
        lambda: dict(A1=np.eye(2)[None], A2=np.ones((1, 2, 2)), b=np.ones((1, 2))),
        dict(A1=["abc", np.ones((2, 2)), np.ones((1, 2, 3)), np.zeros((1, 2, 2)), [[[NAN]]], None, np.ones((0, 2, 2)),
                 np.ones((1, 2, 0)), np.diag([1.0, 0.0])[None]],
             A2=["abc", np.ones((1, 3, 2)), np.ones((1, 2, 0)), None, np.full((1, 2, 2), INF)],
             b=["abc", np.ones((1, 3)), None, [[NAN, 1.0]]], B="pos_real")),
    M + "model.AdditiveModel.check_params": Spec(
        lambda: dict(w=_w0()), dict(w=_bad_w), free=dict(name="the label used in error messages"),
        target=_model_method("check_params")),
    **{M + f"model.AdditiveModel.{name}": Spec(lambda: dict(w=_w0()), dict(w=_bad_w), target=_model_method(name))
       for name in ("split", "output", "residual", "loss", "grad")},
    **{M + f"model.AdditiveModel.{name}": Spec(lambda: dict(u=_w0()[1]), dict(u=_bad_u), target=_model_method(name))
       for name in ("x_star", "min_x_loss", "active_fraction")},
    # ------------------------------------------------------------------ network
    M + "network.ReluNetwork": Spec(
        lambda: dict(X=np.ones((4, 2)), Y=np.arange(4.0)),
        dict(X=["abc", np.ones(3), [[NAN]], None, np.ones((0, 2)), np.ones((4, 0))], Y=["abc", np.ones(5), None, [NAN, 1.0, 2.0, 3.0]])),
    M + "network.ReluNetwork.check_params": Spec(
        lambda: dict(W=_W()), dict(W=_bad_W), free=dict(name="the label used in error messages"),
        target=_net_method("check_params")),
    **{M + f"network.ReluNetwork.{name}": Spec(lambda: dict(W=_W()), dict(W=_bad_W), target=_net_method(name))
       for name in ("split", "features", "output", "loss", "grad", "penultimate_singular_values",
                    "partition_constants")},
    M + "network.init_network": Spec(
        lambda: dict(widths=[3, 4, 8], n_trials=2, seed=0),
        dict(widths=["abc", 3, [3], [3, 0], [3, 1.5], None], n_trials="pos_int", seed="seed", scheme="str")),
    M + "network.ReluNetwork.local_coupling": Spec(lambda: dict(W=_W()), dict(W=_bad_W, eps="pos_real"),
                                                   target=_net_method("local_coupling")),
    M + "network.make_regression_data": Spec(
        lambda: dict(n=4, d0=2, seed=0), dict(n=[1, 1.5, "3", True], d0=_opt_pos_int, seed="seed")),
    M + "network.torch_network_loss": Spec(lambda: dict(net=_net()), dict(net=[None, 3, "net", _model()])),
    # ------------------------------------------------------------------ theory
    M + "theory.nesterov_beta": Spec(lambda: dict(kappa=10.0), dict(kappa=("real", [0.5, [], [1.0, NAN]]), c=_c)),
    M + "theory.theorem6_rate": Spec(lambda: dict(kappa=10.0), dict(kappa=("real", [0.5]), c=_c_rate)),
    M + "theory.theorem7_rate": Spec(lambda: dict(kappa=10.0), dict(kappa=("real", [0.5]), c=_c_rate)),
    M + "theory.theorem6_bound": Spec(lambda: dict(kappa=10.0, k=3),
                                      dict(kappa=("real", [0.5]), k=[-1, 1.5, "3", None, NAN, [0, -1]], c=_c_rate)),
    M + "theory.theorem7_bound": Spec(lambda: dict(kappa=10.0, k=[0, 3]),
                                      dict(kappa=("real", [0.5]), k=[-1, 1.5, "3", None, INF], c=_c_rate)),
    M + "theory.method_parameters": Spec(lambda: dict(method="nesterov", kappa=10.0, L1=1.0),
                                         dict(method="str", kappa=("real", [0.5]), L1="pos_real", c=_c)),
    M + "theory.safe_c": Spec(lambda: dict(model=_model()), dict(model=[None, 3, "m", _net()])),
    M + "theory.theorem_conditions": Spec(
        lambda: dict(mu=0.01, L1=1.0, L2=1.0, G1=0.1, G2=0.1, gap=1.0),
        dict(mu=("pos_real", [2.0]), L1="pos_real", L2="pos_real", G1="nonneg_real", G2="nonneg_real",
             gap="pos_real", c=_c_rate, R_x=[0.0, -1.0, NAN, "abc", True, None, [1.0, None], [], [1.0, "a"]],
             R_u=[0.0, NAN, "abc", None, [1.0, None], [[1.0], [1.0, 2.0]]],
             constant="pos_real")),
    M + "theory.conditions_hold": Spec(
        lambda: dict(ratios={"thm6_G1": 0.5}, keys=["thm6_G1"]),
        dict(ratios=[None, 3, {}], keys=[None, "thm6_G1", [], ["nope"], 3, {"thm6_G1"}])),
    # ------------------------------------------------------------------ lemmas
    M + "lemmas.block_grad_norms": Spec(lambda: dict(problem=_model(), w=_w0()),
                                        dict(problem=[None, 3, "p"], w=_bad_w)),
    M + "lemmas.gradient_dominance_ratio": Spec(lambda: dict(problem=_model(), w=_w0()),
                                                dict(problem=[None, 3, "p"], w=_bad_w)),
    M + "lemmas.lemma8_ratio": Spec(lambda: dict(model=_model(), u1=_w0()[1], u2=_w0()[1] + 1.0),
                                    dict(model=[None, _net()], u1=_bad_u, u2=_bad_u + [_w0()[1]])),
    M + "lemmas.lipschitz_ratios": Spec(lambda: dict(model=_model(), n_pairs=2, seed=0),
                                        dict(model=[None, _net()], n_pairs="pos_int", seed="seed", scale="pos_real")),
    M + "lemmas.pattern_G2": Spec(lambda: dict(model=_model()),
                                  dict(model=[None, _net()], n_starts="pos_int", seed="seed", exhaustive=["yes", 2])),
    # ------------------------------------------------------------------ training
    M + "training.train": Spec(
        lambda: dict(problem=_model(), w0=_w0(), method="nesterov", n_iter=3, eta=0.5, beta=0.5),
        dict(problem=[None, 3, "p"], w0=_bad_w, method="str", n_iter="nonneg_int", eta="pos_real", beta="unit_open",
             tol=[-1.0, 0.0, NAN, INF, "abc", True], track_every=_opt_pos_int, max_norm="pos_real",
             block_steps="bool", null_space=("bool", [True]))),
    M + "training.run_diagnostics": Spec(
        lambda: dict(model=_model(), w0=_w0(), eta=0.5, beta=0.5, n_iter=3),
        dict(model=[None, _net()], w0=_bad_w, eta="pos_real", beta="unit_open", n_iter="pos_int",
             min_step="nonneg_real")),
    M + "training.iterations_to_tol": Spec(
        lambda: dict(rel_losses=0.5 ** np.arange(5.0), tol=0.1),
        dict(rel_losses=["abc", [NAN, 1.0], [], None, [1.0, -1.0]], tol="pos_real")),
    M + "training.measured_rate": Spec(
        lambda: dict(rel_losses=0.5 ** np.arange(5.0)),
        dict(rel_losses=["abc", [NAN, 1.0, 0.5], [1.0], None, [1.0, -1.0, 0.5]], floor=("pos_real", [1.0, 2.0]))),
    # ------------------------------------------------------------------ experiments
    M + "experiments.kappa_sweep": Spec(
        lambda: dict(kappas=[10.0], n_trials=1, max_iter=20),
        dict(kappas=["abc", [], [0.5], [NAN], 5.0, [[10.0]]], sigma_A2=_opt_real + [-1.0],
             tol=_opt_real + [0.0, 1.0], c=_c_opt, n_trials=_opt_pos_int, seed=_opt_seed, methods_=_methods,
             max_iter="pos_int")),
    M + "experiments.regime_runs": Spec(
        lambda: dict(sigma_A2=0.1, n_iter=3, n_trials=1),
        dict(sigma_A2=("nonneg_real", []), kappa=_opt_real + [0.5], c=_c_opt, n_iter=_opt_pos_int,
             n_trials=_opt_pos_int, seed=_opt_seed, methods_=_methods)),
    M + "experiments.bound_ratio": Spec(
        lambda: dict(run=_run(), kappa=10.0, c=1.0),
        dict(run=[None, 3, _regimes()[0.1][0]["heavy_ball"]], kappa=("real", [0.5]), c=_c_rate)),
    M + "experiments.theorem_check_sweep": Spec(
        lambda: dict(sigmas=[0.1], n_iter=3, n_trials=1),
        dict(sigmas=["abc", [], [-1.0], [NAN]], kappa=_opt_real + [0.5], c=_c_rate + ["unstable"], n_iter=_opt_pos_int,
             n_trials=_opt_pos_int, seed=_opt_seed)),
    M + "experiments.network_runs": Spec(
        lambda: dict(penultimate_width=20, n_iter=2, n_trials=1, methods_=("gd",)),
        dict(penultimate_width=[0, -1, 1.5, "3", True, 8], n_iter=_opt_pos_int, n_trials=_opt_pos_int, c=_c_opt,
             seed=_opt_seed, methods_=_methods, track_every=[0, 1.5, "3", None], init=[3, "xavier"],
             null_space="bool")),
    M + "experiments.width_study": Spec(
        lambda: dict(widths=(20,), n_iter=2, n_trials=1),
        dict(widths=["abc", 3, (), [0], [1.5], [True]], n_iter=_opt_pos_int, n_trials=_opt_pos_int,
             tol=[0.0, 1.0, NAN, "abc", None], c=_c_opt, seed=_opt_seed, init=[3, "xavier"])),
    M + "experiments.rate_table": Spec(
        lambda: dict(regimes=_regimes()), dict(regimes=[None, 3, {}, {0.1: 3}, {0.1: ({}, None, 1.0)}],
                                               kappa=_opt_real + [0.5])),
    M + "experiments.format_rate_table": Spec(
        lambda: dict(rows=P.rate_table(_regimes())), dict(rows=[None, 3, "abc", [{"sigma": 1.0}]])),
    M + "experiments.conditions_map": Spec(
        lambda: dict(sigmas=[0.01, 0.1], kappas=[10.0, 100.0], studies=[_study()]),
        dict(sigmas=["abc", [], [-1.0], [NAN]], kappas=["abc", [], [0.5]], studies=[None, 3, {}, [3], [{}]],
             kappa=_opt_real + [0.5], sigma_A2=_opt_real + [-1.0], c=_c_rate, constant="pos_real")),
    # ------------------------------------------------------------------ figures
    M + "figures.draw_block_steps": Spec(
        lambda: dict(ax=Figure().subplots(), run=_run()),
        dict(ax=[None, 3, Figure()], run=[None, 3, "run"], kmax=[0, 1.5, "3", True])),
    M + "figures.draw_regimes": Spec(
        lambda: dict(regimes=_regimes(), fig=Figure()),
        dict(regimes=[None, 3, {}, {0.1: 3}], fig=[None, 3, "fig"], methods_=_methods, kmax=[0, 1.5, "3"],
             steps="bool")),
    M + "figures.draw_lemma_checks": Spec(
        lambda: dict(diags=_diags()[0], models=_diags()[1], fig=Figure()),
        dict(diags=[None, 3, {}, {0.1: 3}], models=[None, {}, {0.1: 3}, {0.2: _model()}], fig=[None, 3])),
    M + "figures.draw_network": Spec(
        lambda: dict(runs=_study()["runs"][20], fig=Figure()),
        dict(runs=[None, 3, {}, {"gd": 3}, {"nesterov": _run()}], fig=[None, 3], kmax=[0, 1.5, "3"])),
    M + "figures.draw_width_study": Spec(
        lambda: dict(study=_study(), fig=Figure()), dict(study=[None, 3, {}, {"widths": [1]}], fig=[None, 3])),
    M + "figures.draw_conditions": Spec(
        lambda: dict(cmap=P.conditions_map(studies=[_study()]), fig=Figure()), dict(cmap=[None, 3, {}], fig=[None, 3])),
    M + "figures.draw_theorem_check": Spec(
        lambda: dict(checks={"c = 1": P.theorem_check_sweep([0.1, 1.0], n_iter=3, n_trials=1)}, fig=Figure()),
        dict(checks=[None, 3, {}, {"a": 3}], fig=[None, 3])),
    # ------------------------------------------------------------------ explorer
    M + "explorer.partition_explorer_data": Spec(
        lambda: dict(kappa=10.0, sigma_A2=0.01, max_iter=50),
        dict(kappa=("real", [0.5]), sigma_A2=_opt_real + [-0.1], c=_c_opt, tol=_opt_real + [0.0, 1.0],
             seed=[-1, 1.5, "x", True, None], max_iter="pos_int")),
    M + "explorer.draw_partition_explorer": Spec(
        lambda: dict(data=P.partition_explorer_data(10.0, max_iter=50), fig=Figure()),
        dict(data=[None, 3, {}, "abc"], fig=[None, 3, "fig"])),
    M + "explorer.partition_explorer_callback": Spec(
        lambda: dict(kappa=10.0, sigma_A2=0.01, fig=Figure()),
        dict(kappa=("real", [0.5, 1e6]), sigma_A2=[NAN, INF, "abc", True, -0.1, 100.0], fig=[3, "fig"])),
    M + "explorer.partition_explorer_static": Spec(
        lambda: dict(kappas=(10.0,), fig=Figure()),
        dict(kappas=["abc", (), [0.5], [NAN], None], sigma_A2=_opt_real + [-0.1], fig=[3, "fig"])),
}

EXEMPT = {
    M + "defaults.PartitionDefaults": "a frozen record of the chapter's choices; each value is checked where used",
    M + "training.PartitionRun": "the result record, built by train",
}
