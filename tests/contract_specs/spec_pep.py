"""Contract tables for accelbook.pep (valid calls use the cheap exact quadratic class)."""

from accelbook import pep

from . import Spec

_q = dict(function_class="quadratic")
_common = dict(mu="pos_real", L=("pos_real", [0.5]), eta="pos_real", n_steps="pos_int",
               function_class="str", measure="str", solver=[3, ""])

SPECS = {
    "accelbook.pep.gd_worst_case": Spec(lambda: dict(mu=1.0, L=10.0, eta=0.1, n_steps=2, **_q), dict(_common)),
    "accelbook.pep.heavy_ball_worst_case": Spec(lambda: dict(mu=1.0, L=10.0, eta=0.1, beta=0.5, n_steps=2, **_q),
                                                dict(_common, beta="unit_open")),
    "accelbook.pep.nesterov_worst_case": Spec(lambda: dict(mu=1.0, L=10.0, eta=0.1, beta=0.5, n_steps=2, **_q),
                                              dict(_common, beta="unit_open")),
    "accelbook.pep.worst_cases": Spec(
        lambda: dict(method="heavy_ball", mu=1.0, L=10.0, n_steps=[1, 2], eta=0.1, beta=0.5, **_q),
        dict(_common, method="str", beta="unit_open", n_steps=[[], "12", [0], [1.5], None, 3])),
    "accelbook.pep.values": Spec(lambda: dict(results=[pep.gd_worst_case(1.0, 2.0, 0.5, 1, **_q)]),
                                 dict(results=[[1.0], ["x"], 3])),
}

EXEMPT = {"accelbook.pep.WorstCase": "the result record, built by the worst-case functions"}
