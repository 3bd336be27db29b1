"""Contract tables for accelbook.torch_bridge."""

import numpy as np

from accelbook import torch_bridge

from . import NAN, Spec

_mat = ["abc", [[NAN]], np.ones(3), np.ones((2, 3)), None]

SPECS = {
    "accelbook.torch_bridge.sgd_iterates": Spec(
        lambda: dict(loss_fn=torch_bridge.quadratic_loss(np.eye(2), np.ones(2)), w0=np.zeros(2), eta=0.1,
                     beta=0.5, n_iter=3),
        dict(loss_fn="callable", w0=("array", [[np.zeros(2), [NAN]], [], True]), eta="pos_real", beta="unit_open",
             n_iter="nonneg_int", nesterov="bool", device=["no-such-device", 3, 2.5], max_norm="pos_real",
             store=["some", 3, None])),
    "accelbook.torch_bridge.quadratic_loss": Spec(
        lambda: dict(H=np.eye(2), b=np.ones(2)),
        dict(H=_mat + [np.ones((0, 0))], b=["abc", [NAN, 1.0], np.ones(3), None])),
    "accelbook.torch_bridge.nesterov_x_from_y": Spec(
        lambda: dict(y_iterates=np.ones((3, 2)), grad=lambda w: w, eta=0.1),
        dict(y_iterates=["abc", [[NAN, 1.0], [1.0, 1.0]], np.ones((1, 2)), None, [[np.array([NAN])], [np.zeros(1)]],
                         [[np.zeros(1)]]],
             grad="callable", eta="pos_real")),
}

EXEMPT = {"accelbook.torch_bridge.SGDRun": "the result record, built by sgd_iterates"}
