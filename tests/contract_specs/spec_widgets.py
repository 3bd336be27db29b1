"""Contract tables for accelbook.widgets (the explorers of Chapters 1 and 2)."""

import matplotlib.pyplot as plt
import numpy as np

from accelbook import widgets

from . import INF, NAN, Spec

_kappa = [0.5, NAN, INF, "abc", True, None]
_eta_L = ("pos_real", [4.5])
_data_bad = [3, None, {}, {"rho": 1.0}]
_fig_bad = [3, "f"]


def _hb():
    return widgets.heavy_ball_explorer_data(1.0, 0.9, 100.0)


def _lrp():
    return widgets.lrp_explorer_data(3.3, 4 / 9)


def _fig():
    fig = plt.figure()
    plt.close(fig)
    return fig


SPECS = {
    "accelbook.widgets.draw_frame": Spec(
        lambda: dict(draw=widgets.draw_heavy_ball_explorer, data=_hb(), fig=_fig()),
        dict(draw="callable", fig=_fig_bad, figsize=[(0, 3), "big", (1, 2, 3), None]),
        free=dict(data="passed to draw, which checks it")),
    "accelbook.widgets.heavy_ball_explorer_data": Spec(
        lambda: dict(eta_L=1.0, beta=0.9, kappa=100.0),
        dict(eta_L=_eta_L, beta="unit_open", kappa=_kappa, n=[1, 1.5, "3", True, None], t_max="pos_int")),
    "accelbook.widgets.heavy_ball_summary": Spec(lambda: dict(data=_hb()), dict(data=_data_bad)),
    "accelbook.widgets.draw_heavy_ball_explorer": Spec(
        lambda: dict(data=_hb(), fig=_fig()), dict(data=_data_bad, fig=_fig_bad + [None])),
    "accelbook.widgets.heavy_ball_explorer_callback": Spec(
        lambda: dict(eta_L=1.0, beta=0.9, kappa=100.0, fig=_fig()),
        dict(eta_L=_eta_L, beta="unit_open", kappa=_kappa, fig=_fig_bad)),
    "accelbook.widgets.heavy_ball_explorer_static": Spec(
        lambda: dict(betas=[0.0, 0.9], kappa=100.0, t_max=20, fig=_fig()),
        dict(betas=[[], [1.5], [NAN], 3, "abc"], kappa=_kappa, eta_L=_eta_L, t_max="pos_int", fig=_fig_bad)),
    "accelbook.widgets.lrp_explorer_batch": Spec(
        lambda: dict(x0=np.array([3.3]), beta=np.array([0.4])),
        dict(x0="array", beta=["abc", [NAN], [1.5], [-0.1], [0.1, 0.2]], eta="pos_real", n_iter="pos_int")),
    "accelbook.widgets.lrp_explorer_data": Spec(
        lambda: dict(x0=3.3, beta=0.4),
        dict(x0="real", beta="unit_open", eta="pos_real", n_iter="pos_int")),
    "accelbook.widgets.lrp_summary": Spec(lambda: dict(data=_lrp()), dict(data=_data_bad)),
    "accelbook.widgets.draw_lrp_explorer": Spec(
        lambda: dict(data=_lrp(), fig=_fig()), dict(data=_data_bad, fig=_fig_bad + [None])),
    "accelbook.widgets.lrp_explorer_callback": Spec(
        lambda: dict(x0=3.3, beta=0.4, fig=_fig()),
        dict(x0="real", beta="unit_open", eta="pos_real", fig=_fig_bad)),
    "accelbook.widgets.lrp_outcome_map": Spec(
        lambda: dict(x0_grid=[0.1, 3.3], beta_grid=[0.2, 0.4], n_iter=300),
        dict(x0_grid=("array", [[[1.0]]]), beta_grid=("array", [[1.5], [-0.2], [[0.2]]]), eta="pos_real",
             n_iter=[249, 0, 1.5, "3", True, None])),
}

EXEMPT = {
    "accelbook.widgets.live_explorer": "ipywidgets front end that needs a live kernel; its construction is tested "
                                       "in tests/test_widgets.py::test_live_explorers_build_their_sliders",
}
