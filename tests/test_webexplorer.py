"""The in-page explorer's export (accelbook.webexplorer): what the page stores is what the explorer computes."""

import json

import numpy as np
import pytest

from accelbook import webexplorer as wx
from accelbook import webspecs, widgets
from accelbook.explorer import Explorer, Param


def _toy(n_a=3, n_b=4, length=1000, **kw):
    """A grid explorer: a long curve depending on a and b, a short one on a only, a summary."""
    def compute(a, b):
        t = np.arange(length)
        return {"curve": (1 + a) * np.exp(-b * t / length), "short": np.full(5, a), "label": f"a={a:g}",
                "m": np.stack([t * a, t * b], axis=1)}
    return Explorer("toy", "toy", (Param("a", "a", 0.0, 1.0, 0.0, 1.0 / (n_a - 1)),
                                   Param("b", "b", 1.0, 2.0, 1.0, 1.0 / (n_b - 1))),
                    compute, lambda d, f: None, summary=lambda d: {"first": float(d["curve"][0]), "label": d["label"]},
                    **kw)


SPEC = wx.WebSpec((wx.Panel((wx.Series("curve", method="gd"), wx.Series("short"),
                             wx.Series("m", columns=True))),), max_points=100)


def test_roundtrip_decimates_and_stores_each_key_once_per_dependency():
    ex = _toy()
    payload = wx.export(ex, SPEC)
    assert payload["fields"]["curve"]["dims"] == [0, 1] and payload["fields"]["short"]["dims"] == [0]
    assert payload["summary"]["label"]["dims"] == [0]
    points, stored = wx.decode(payload)
    assert len(points) == 12
    for point, got in zip(points, stored):
        data = ex.data(**point)
        n = len(data["curve"])
        stride = int(np.ceil((n - 1) / (SPEC.max_points - 1)))
        idx = np.unique(np.r_[np.arange(0, n, stride), n - 1])
        assert len(got["curve"]) <= SPEC.max_points + 1
        np.testing.assert_array_equal(got["curve"], data["curve"][idx].astype(np.float32))
        np.testing.assert_array_equal(got["m"], data["m"][idx].astype(np.float32))
        np.testing.assert_array_equal(got["short"], data["short"].astype(np.float32))
        assert {k: got[k] for k in ("first", "label")} == ex.quantities(data)


def test_the_lrp_page_stores_what_the_explorer_computes():
    payload = wx.export(widgets.LRP, webspecs.LRP)
    assert len(json.dumps(payload)) <= wx.MAX_BYTES
    assert payload["fields"]["gd_gap"]["dims"] == [0]            # gradient descent does not depend on beta
    points, stored = wx.decode(payload)
    rng = np.random.default_rng(0)
    for i in rng.choice(len(points), 40, replace=False):
        data = widgets.LRP.data(**points[i])
        np.testing.assert_array_equal(stored[i]["x"], data["x"].astype(np.float32))
        assert {k: stored[i][k] for k in widgets.LRP.quantities(data)} == widgets.LRP.quantities(data)


def test_mirror_payload_carries_no_data_and_the_parameter_ranges():
    payload = wx.export(widgets.HEAVY_BALL, webspecs.HEAVY_BALL)
    assert payload["mode"] == "mirror" and "blob" not in payload
    assert [p["name"] for p in payload["params"]] == ["eta_L", "beta", "kappa"]
    assert payload["params"][2]["scale"] == "log" and payload["colors"]["heavy_ball"] == "#D55E00"


def test_embedded_html_is_inert_and_escaped():
    ex = _toy(n_a=2, n_b=2, length=10)
    spec = wx.WebSpec((wx.Panel((wx.Series("curve"),), title="</script><b>"),))
    page = wx.embed(ex, spec)
    html = page._repr_html_()
    assert html.count("</script>") == 1 and "<\\/script>" in html
    assert 'class="accelbook-explorer"' in html and page.nbytes > 0


def test_over_budget_and_non_float32_data_are_refused(monkeypatch):
    monkeypatch.setattr(wx, "MAX_BYTES", 100)
    with pytest.raises(ValueError, match="over the budget"):
        wx.export(_toy(), SPEC)
    monkeypatch.undo()
    huge = Explorer("h", "h", (Param("a", "a", 0.0, 1.0, 0.0, 1.0),), lambda a: {"y": np.full(3, 1e300)},
                    lambda d, f: None)
    with pytest.raises(ValueError, match="finite in float32"):
        wx.export(huge, wx.WebSpec((wx.Panel((wx.Series("y"),)),)))


def test_a_missing_key_and_changing_summary_labels_are_refused():
    ex = _toy(n_a=2, n_b=2, length=10)
    with pytest.raises(KeyError, match="nope"):
        wx.export(ex, wx.WebSpec((wx.Panel((wx.Series("nope"),)),)))
    moving = Explorer("m", "m", (Param("a", "a", 0.0, 1.0, 0.0, 1.0),), lambda a: {"y": np.ones(3), "a": a},
                      lambda d, f: None, summary=lambda d: {f"label {d['a']}": 1})
    with pytest.raises(ValueError, match="same labels"):
        wx.export(moving, wx.WebSpec((wx.Panel((wx.Series("y"),)),)))


def test_batch_is_used_for_the_grid_and_must_match_its_length():
    calls = []

    def batch(a, b):
        calls.append(len(a))
        return [{"curve": np.ones(3) * x} for x in a]
    ex = Explorer("b", "b", (Param("a", "a", 0.0, 1.0, 0.0, 0.5), Param("b", "b", 0.0, 1.0, 0.0, 1.0)),
                  lambda a, b: {"curve": np.ones(3) * a}, lambda d, f: None, batch=batch)
    points, data = ex.grid_data()
    assert calls == [6] and [d["curve"][0] for d in data] == [p["a"] for p in points]
    bad = Explorer("b", "b", ex.params, ex.compute, ex.draw, batch=lambda a, b: [])
    with pytest.raises(ValueError, match="one dict per point"):
        bad.grid_data()


def test_param_grid_overrides_the_slider_values():
    p = Param("beta", "β", 0.0, 1.0, 0.5, 0.1, grid=(0.0, 0.5, 0.9, 0.99))
    np.testing.assert_array_equal(p.values(), [0.0, 0.5, 0.9, 0.99])
    assert len(p.values(3)) == 3
    with pytest.raises(ValueError, match="grid must hold"):
        Param("beta", "β", 0.0, 1.0, 0.5, 0.1, grid=(0.5, 0.2))
