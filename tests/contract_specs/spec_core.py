"""Contract tables for the core modules: methods, oracle, metrics, explorer."""

import numpy as np

from accelbook.explorer import Explorer, Param
from accelbook.oracle import CachedOracle

from . import INF, NAN, Spec

_grad = lambda w: w  # noqa: E731
_w = np.ones(2)
_run = dict(loss=[3, "f"], store=["sometimes", -1, 0, 1.5, None], tol=[-1.0, NAN, INF, "abc", True], max_norm="pos_real",
            monitors=[3, [np.linalg.norm], {"n": 3}, {"": np.linalg.norm}], record_every="pos_int",
            step_monitors=[3, [np.subtract], {"s": 3}, {"": np.subtract}])


def _explorer():
    return Explorer("demo", "demo", (Param("a", "a", 0.0, 1.0, 0.5, 0.1),), lambda a: {"a": a},
                    lambda data, fig: None)


def _summarised():
    return Explorer("demo", "demo", (Param("a", "a", 0.0, 1.0, 0.5, 0.1),), lambda a: {"a": a},
                    lambda data, fig: None, summary=lambda data: {"a": data["a"]})


SPECS = {
    "accelbook.methods.gradient_descent": Spec(
        lambda: dict(grad=_grad, w0=_w, eta=0.1, n_iter=3),
        dict(grad="callable", w0="array", eta="pos_real", n_iter="nonneg_int", **_run)),
    "accelbook.methods.heavy_ball": Spec(
        lambda: dict(grad=_grad, w0=_w, eta=0.1, beta=0.5, n_iter=3),
        dict(grad="callable", w0="array", eta="pos_real", beta="unit_open", n_iter="nonneg_int",
             form="str", w_prev=["abc", [NAN, 1.0], [], np.ones(3)], **_run)),
    "accelbook.methods.nesterov": Spec(
        lambda: dict(grad=_grad, x0=_w, eta=0.1, beta=0.5, n_iter=3),
        dict(grad="callable", x0="array", eta="pos_real", beta="unit_open", n_iter="nonneg_int",
             store_y="bool", **_run)),
    "accelbook.oracle.CachedOracle": Spec(
        lambda: dict(evaluate=lambda w: {"grad": w}), dict(evaluate="callable", maxsize="pos_int")),
    "accelbook.oracle.CachedOracle.monitor": Spec(
        lambda: dict(name="grad"), dict(name=[3, None]),
        target=lambda: CachedOracle(lambda w: {"grad": w}).monitor),
    "accelbook.oracle.CachedOracle.grad": Spec(
        lambda: dict(w=np.ones(2)), dict(), free=dict(w="any iterate evaluate accepts (checked by evaluate)"),
        target=lambda: CachedOracle(lambda w: {"grad": w}).grad),
    "accelbook.metrics.stacked_norms": Spec(
        lambda: dict(xi=np.ones((3, 2))), dict(xi=["abc", [[NAN]], np.ones(3), np.ones((0, 2)), None], xi_prev=["abc", [np.nan, 1.0], np.ones(3)])),
    "accelbook.metrics.measured_rate": Spec(
        lambda: dict(values=0.5 ** np.arange(10.0)),
        dict(values=("array", [[1.0, -1.0]]), start=("pos_real", [1.5]), stop=("pos_real", [1.0]),
             min_points=("pos_int", [1]))),
    "accelbook.metrics.iterations_to_tolerance": Spec(
        lambda: dict(values=0.5 ** np.arange(10.0), tol=1e-2),
        dict(values=("array", [[1.0, -1.0]]), tol="pos_real", relative="bool")),
    "accelbook.metrics.loglog_slope": Spec(
        lambda: dict(x=[1.0, 2.0, 4.0], y=[1.0, 2.0, 3.0]),
        dict(x=("array", [[0.0, 1.0, 2.0], [1.0]]), y=("array", [[1.0, 2.0], [-1.0, 1.0, 2.0]]))),
    "accelbook.explorer.Param": Spec(
        lambda: dict(name="a", label="a", lo=0.0, hi=1.0, default=0.5, step=0.1),
        dict(name=["1a", 3], lo="real", hi=("real", [-1.0]), default=("real", [2.0]), step="pos_real",
             scale="str", grid=[(0.5,), (0.5, 0.2), (0.0, 2.0), (0.0, NAN)]),
        free=dict(label="any text", integer="a flag read as truthy")),
    "accelbook.explorer.Param.check": Spec(
        lambda: dict(value=0.5), dict(value=("real", [2.0, -1.0])),
        target=lambda: Param("value", "v", 0.0, 1.0, 0.5, 0.1).check),
    "accelbook.explorer.Param.values": Spec(
        lambda: dict(n=3), dict(n=[1, 0, 1.5, "3"]),
        target=lambda: Param("a", "a", 0.0, 1.0, 0.5, 0.1).values),
    "accelbook.explorer.Explorer": Spec(
        lambda: dict(name="demo", title="demo", params=(Param("a", "a", 0.0, 1.0, 0.5, 0.1),),
                     compute=lambda a: {}, draw=lambda d, f: None),
        dict(params=[(), (3,), None], compute="callable", draw="callable", summary=[3, "f"], batch=[3, "f"]),
        free=dict(name="a label", title="a label", figsize="passed to matplotlib", options="free-form")),
    "accelbook.explorer.Explorer.grid": Spec(
        lambda: dict(n=2), dict(n=[1, 0, 1.5, "3"]), target=lambda: _explorer().grid),
    "accelbook.explorer.Explorer.grid_data": Spec(
        lambda: dict(n=2), dict(n=[1, 0, 1.5, "3"]), target=lambda: _explorer().grid_data),
    "accelbook.explorer.Explorer.quantities": Spec(
        lambda: dict(), dict(data=[3, "abc"]), target=lambda: _summarised().quantities),
    "accelbook.explorer.format_value": Spec(lambda: dict(value=0.5), dict(value=[None, [1.0], {}])),
    "accelbook.explorer.Explorer.frame": Spec(
        lambda: dict(), dict(), free=dict(fig="a matplotlib figure or None"), target=lambda: _explorer().frame),
    "accelbook.claims.claim": Spec(lambda: dict(condition=True, text="t"),
                                   dict(condition=["yes", 1.5], text=["", 3, None])),
    "accelbook.claims.claim_close": Spec(lambda: dict(value=1.0, expected=1.0, text="t"),
                                         dict(text=["", 3], rtol="nonneg_real", atol="nonneg_real"),
                                         free=dict(value="any number: a non-finite one fails the claim",
                                                   expected="any number: a non-finite one fails the claim")),
}

EXEMPT = {
    "accelbook.methods.RunResult": "the result record, built by the runners",
    "accelbook.explorer.Explorer.widget": "needs a live kernel (ipywidgets); frame() is tested",
}
