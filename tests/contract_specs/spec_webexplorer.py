"""Contract tables for accelbook.webexplorer (the in-page HTML explorers)."""

import numpy as np

from accelbook import webexplorer as wx
from accelbook.explorer import Explorer, Param

from . import INF, NAN, Spec

_series = wx.Series("y")
_panel = wx.Panel((_series,))
_spec = wx.WebSpec((_panel,))


def _explorer():
    return Explorer("t", "t", (Param("a", "a", 0.0, 1.0, 0.0, 0.5),), lambda a: {"y": np.ones(4) * (1 + a)},
                    lambda d, f: None)


SPECS = {
    "accelbook.webexplorer.Series": Spec(
        lambda: dict(key="y"),
        dict(key=[3, None, ""], x=[3, ""], method=["sgd", 3], label=[3], style=["wavy", 3], color=[3],
             columns=["yes", None], label_key=[3, ""], last=[0, 1.5, "3"], scale=[0, -1.0, NAN, INF, "2", True])),
    "accelbook.webexplorer.Panel": Spec(
        lambda: dict(series=(_series,)),
        dict(series=[(), (3,), None, [_series]], xlabel=[3, None], ylabel=[3], logy=["yes", None], logx=["yes"],
             ymin=[0.0, -1.0, NAN, "a"], ymax=[-1.0, NAN, True], title=[3])),
    "accelbook.webexplorer.WebSpec": Spec(
        lambda: dict(panels=(_panel,)),
        dict(panels=[(), None, (3,), [_panel]], mirror=[3, ""], derive=[3, ""], keys=["y", (3,)], message=[3, ""],
             max_points=[1, 1.5, "3"], source=[3, ""])),
    "accelbook.webexplorer.export": Spec(lambda: dict(explorer=_explorer(), spec=_spec),
                                         dict(explorer=[3, None], spec=[3, None, _panel])),
    "accelbook.webexplorer.embed": Spec(lambda: dict(explorer=_explorer(), spec=_spec),
                                        dict(explorer=[3, None], spec=[3, None])),
    "accelbook.webexplorer.decode": Spec(lambda: dict(payload=wx.export(_explorer(), _spec)),
                                         dict(payload=[3, None, {"mode": "mirror"}])),
    "accelbook.webexplorer.EmbeddedExplorer": Spec(lambda: dict(payload=wx.export(_explorer(), _spec)),
                                                   dict(payload=[3, None, {"mode": "grid"}])),
}
