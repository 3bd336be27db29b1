"""Contract tables for accelbook.tables."""

from accelbook import tables

from . import Spec

_rows = [{"sigma": 0.01, "method": "gd", "c": 1.0, "median": 0.99, "q10": 0.98, "q90": 0.995, "spread": 1.5,
          "proven": 0.995}]

SPECS = {
    "accelbook.tables.Table": Spec(
        lambda: dict(header=["a"], rows=[["1"]]),
        dict(header=[3, "a", None], rows=[3, "x", None, [["1", "2"]]], numeric=[3, [True, False]], caption=[3])),
    "accelbook.tables.table": Spec(
        lambda: dict(rows=[{"a": 1}], columns=[("a", "A", "d")]),
        dict(rows=[3, "x", None, [3], [{"b": 1}]], columns=[3, None, [("a", "A")], [("a", 3, "d")]], caption=[3])),
    "accelbook.tables.partition_rate_table": Spec(
        lambda: dict(rows=_rows), dict(rows=[3, None, [{"sigma": 1}]], caption=[3])),
}
