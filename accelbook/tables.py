"""Tables for chapter cells: rows computed by ``accelbook``, shown as real tables.

A cell ends with ``ab.tables.table(rows, columns)`` (or calls ``display`` on it): the HTML book gets an
HTML ``<table>`` (styled by the theme, scrolling sideways on a narrow screen instead of being cut off),
Jupyter gets the same table, and plain-text front ends a fixed-width rendering.  No pandas needed.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence

from ._validation import instance_of, shown

__all__ = ["Table", "table", "partition_rate_table"]


class Table:
    """A table of already formatted cells: ``header`` (strings) and ``rows`` (lists of strings);
    ``numeric[j]`` right-aligns column j; ``caption`` is an optional line above it."""

    def __init__(self, header, rows, *, numeric=None, caption=None):
        self.header = [str(h) for h in _sequence("header", header)]
        self.rows = [[str(c) for c in _sequence("rows[i]", r)] for r in _sequence("rows", rows)]
        if any(len(r) != len(self.header) for r in self.rows):
            raise ValueError(f"rows must have {len(self.header)} cells each (one per header entry)")
        self.numeric = [False] * len(self.header) if numeric is None else [bool(v) for v in _sequence("numeric", numeric)]
        if len(self.numeric) != len(self.header):
            raise ValueError(f"numeric must have one entry per column ({len(self.header)}), got {len(self.numeric)}")
        if caption is not None:
            instance_of("caption", caption, str)
        self.caption = caption

    def _cell(self, tag, text, j):
        align = ' style="text-align: right"' if self.numeric[j] else ""
        return f"<{tag}{align}>{html.escape(text)}</{tag}>"

    def _repr_html_(self):
        head = "".join(self._cell("th", h, j) for j, h in enumerate(self.header))
        body = "".join("<tr>" + "".join(self._cell("td", c, j) for j, c in enumerate(r)) + "</tr>" for r in self.rows)
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (f'<div class="pst-scrollable-table-container"><table class="table accelbook-table">{caption}'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")

    def __str__(self):
        widths = [max(len(r[j]) for r in [self.header] + self.rows) for j in range(len(self.header))]
        lines = [self.caption] if self.caption else []
        for r in [self.header] + self.rows:
            lines.append("  ".join(c.rjust(w) if self.numeric[j] else c.ljust(w) for j, (c, w) in enumerate(zip(r, widths))))
        return "\n".join(lines)

    def __repr__(self):
        return str(self)


def _sequence(name, value):
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a list, got {type(value).__name__} {shown(value)}")
    return value


def _format(value, fmt):
    if callable(fmt):
        return fmt(value)
    if isinstance(value, float) and math.isnan(value):
        return "–"
    return format(value, fmt)


def table(rows, columns, *, caption=None) -> Table:
    """A :class:`Table` from ``rows`` (dicts) and ``columns``: a list of ``(key, header, fmt)``, ``fmt`` a
    format spec (``".5f"``; NaN shows as "–") or a function of the value.  Columns whose values are
    numbers are right-aligned."""
    rows = _sequence("rows", rows)
    columns = _sequence("columns", columns)
    for k, col in enumerate(columns):
        if not (isinstance(col, (tuple, list)) and len(col) == 3 and isinstance(col[1], str)
                and (isinstance(col[2], str) or isinstance(col[2], Callable))):
            raise TypeError(f"columns must hold (key, header, format) triples, got {shown(col)} at {k}")
    for i, r in enumerate(rows):
        instance_of(f"rows[{i}]", r, Mapping)
        missing = [c[0] for c in columns if c[0] not in r]
        if missing:
            raise ValueError(f"rows[{i}] lacks the columns {missing}")
    cells = [[_format(r[key], fmt) for key, _, fmt in columns] for r in rows]
    numeric = [bool(rows) and all(isinstance(r[key], (int, float)) and not isinstance(r[key], bool) for r in rows)
               for key, _, _ in columns]
    return Table([c[1] for c in columns], cells, numeric=numeric, caption=caption)


def partition_rate_table(rows, *, caption=None) -> Table:
    """Chapter 5's table of measured rates (the rows of :func:`accelbook.partition.rate_table`), the
    columns of :func:`accelbook.partition.format_rate_table`."""
    return table(rows, [("sigma", "σmax(A₂)", "g"), ("method", "method", "s"), ("c", "c", ".4f"),
                        ("median", "median rate", ".5f"), ("q10", "10% rate", ".5f"), ("q90", "90% rate", ".5f"),
                        ("spread", "spread", ".2f"), ("proven", "proven", ".5f")], caption=caption)
