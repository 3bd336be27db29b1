"""Contract tables for accelbook.plotting: every drawing function takes a matplotlib Axes ``ax``."""

import numpy as np
from matplotlib.figure import Figure

from . import NAN, Spec



def _new_ax():
    return Figure().subplots()  # a fresh figure outside pyplot: no figure manager, nothing to close


_ax = [None, 3, "ax"]
_t = ["abc", [NAN, 1.0], None, [[0.0, 1.0]], True]
_y = ["abc", None, [1.0], [[1.0, 2.0]]]
_curve = lambda: dict(ax=_new_ax(), t=[0.0, 1.0], y=[1.0, 0.5])  # noqa: E731

SPECS = {
    "accelbook.plotting.method_line": Spec(
        lambda: dict(_curve(), method="gd"),
        dict(ax=_ax, t=_t, y=_y, method="str", label=[3, ["a"]], markevery=[0, 1.5, "3", True])),
    "accelbook.plotting.bound_line": Spec(
        _curve, dict(ax=_ax, t=_t, y=_y, label=[3], color=["not-a-colour", 3.5])),
    "accelbook.plotting.quantile_band": Spec(
        lambda: dict(ax=_new_ax(), t=[0.0, 1.0], Y=np.ones((3, 2)), method="gd"),
        dict(ax=_ax, t=_t, Y=["abc", None, np.ones(2), np.ones((3, 3)), np.ones((0, 2))], method="str",
             q=[(0.6, 0.9), (0.1,), "ab", (0.1, 1.5), None, (NAN, 0.9)], label=[3])),
    "accelbook.plotting.log_axes": Spec(
        lambda: dict(ax=_new_ax(), xlabel="t", ylabel="error"),
        dict(ax=_ax, xlabel=[3, None], ylabel=[3, None], title=[3, ["a"]], logx="bool", legend="bool")),
    "accelbook.plotting.rho_plane": Spec(
        lambda: dict(ax=_new_ax(), n_grid=5), dict(ax=_ax, z_max="pos_real", n_grid=[1, 1.5, "3", True, None])),
}

EXEMPT = {}
