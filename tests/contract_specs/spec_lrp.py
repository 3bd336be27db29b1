"""Contract tables for accelbook.lrp's certificate, gain and orbit multipliers (Chapter 2's claims, issue 14)."""

from . import NAN, Spec

_orbit = [-1.8024489795918367, 2.1159183673469385, 0.6465306122448979]  # the 3-cycle at eta = 1/9, beta = 4/9

SPECS = {
    "accelbook.lrp.lrp_linear_piece_gain": Spec(
        lambda: dict(eta=1 / 9, beta=0.5), dict(eta="pos_real", beta="unit_open", horizon="pos_int")),
    "accelbook.lrp.lrp_certified_convergence": Spec(
        lambda: dict(x_last=0.01, x_prev=0.01, eta=1 / 9, beta=0.5),
        dict(x_last=["abc", [], None], x_prev=["abc", [], None], eta=["abc", [NAN], [0.0], None],
             beta=["abc", [NAN], [1.0], [-0.1], None], horizon="pos_int"),
        free={}),
    "accelbook.lrp.lrp_orbit_multipliers": Spec(
        lambda: dict(orbit=_orbit, eta=1 / 9, beta=4 / 9),
        dict(orbit=("array", [[1.0], [0.5, 0.7]]), eta="pos_real", beta="unit_open", tol="pos_real")),
}
