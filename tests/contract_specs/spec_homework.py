"""Contract tables for accelbook.homework (self-checks: a bad *answer* is a FAIL verdict, a bad argument an error)."""

import numpy as np

from . import NAN, Spec

_H = np.diag([0.01, 1.0])


def _worst_cases():
    from accelbook import pep
    return pep.worst_cases("gd", 1.0, 10.0, [1, 2], eta=0.1, function_class="quadratic")

SPECS = {
    "accelbook.homework.check_gradient": Spec(
        lambda: dict(f=lambda x: float(x @ x), grad=lambda x: 2 * x, x=np.ones(2)),
        dict(f="callable", grad="callable", x="array", n_directions="nonneg_int", h="pos_real",
             rtol="nonneg_real", atol="nonneg_real", seed="seed")),
    "accelbook.homework.check_theorem5_parameters": Spec(
        lambda: dict(H=_H, eta=1.0, beta=0.95),
        dict(H=["abc", [[NAN]], np.ones(3), np.ones((2, 3)), None, np.diag([1.0, -1.0])], eta="pos_real",
             beta="real")),
    "accelbook.homework.check_rate_bound": Spec(
        lambda: dict(errors=0.5 ** np.arange(5.0), rate=0.5),
        dict(errors=("array", [np.ones((2, 2))]), rate="nonneg_real", constant="nonneg_real", rtol="nonneg_real")),
    "accelbook.homework.check_monte_carlo": Spec(
        lambda: dict(closed_form=np.zeros(2), samples=np.random.default_rng(0).standard_normal((50, 2))),
        dict(closed_form=["abc", [NAN, 0.0], None],
             samples=["abc", [[NAN, 1.0], [1.0, 1.0]], [1.0], None, np.ones((1, 2)), np.ones((3, 0))],
             n_sigma="pos_real")),
    "accelbook.homework.check_slope": Spec(
        lambda: dict(x=[1.0, 10.0, 100.0], y=[1.0, 3.0, 10.0], expected=0.5),
        dict(x=["abc", [NAN, 1.0, 2.0], [1.0], [0.0, 1.0, 2.0], None, [1.0, 1.0, 1.0]],
             y=["abc", [NAN, 1.0, 2.0], [1.0, -1.0, 2.0], [1.0, 2.0], None], expected="real", tol="nonneg_real")),
    "accelbook.homework.check_worst_case_bound": Spec(
        lambda: dict(worst_cases=_worst_cases(), rate=0.9),
        dict(worst_cases=[[], [0.5, 0.25], 3, None], rate="nonneg_real", constant="nonneg_real",
             tight=[0.0, 1.0, -0.5, NAN, "abc"], rtol="nonneg_real")),
}

EXEMPT = {"accelbook.homework.Check": "the verdict record the checks return (passed, message, details)"}
