"""Contract tables for accelbook.explorer_adapt (explorers from a data function)."""

import numpy as np

from accelbook import webexplorer as wx
from accelbook.explorer import Param

from . import Spec

_spec = wx.WebSpec((wx.Panel((wx.Series("y"),)),))
_params = (Param("a", "a", 0.0, 1.0, 0.5, 0.5),)

SPECS = {
    "accelbook.explorer_adapt.adapt": Spec(
        lambda: dict(name="t", title="t", params=_params, data=lambda a: {"y": np.ones(3)}, spec=_spec),
        dict(params=[(), None, (3,)], data=[3, None, "f"], spec=[3, None], summary=[3, "f"]),
        free=dict(name="a label", title="a label")),
    "accelbook.explorer_adapt.spec_drawer": Spec(lambda: dict(spec=_spec), dict(spec=[3, None, "spec"])),
}
