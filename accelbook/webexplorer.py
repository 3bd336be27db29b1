r"""The in-page HTML front end of an :class:`~accelbook.explorer.Explorer`: live in the page, no kernel, no network.

At build time a chapter cell calls :func:`embed` with an explorer and a :class:`WebSpec` (which data keys
to draw in which panel, log axes, the methods' colours and markers from :mod:`accelbook.plotting`).
:func:`export` then evaluates the *same* explorer definition on its parameter grid
(:meth:`~accelbook.explorer.Explorer.grid_data`) and stores the result compactly: float32, curves
decimated to at most ``max_points`` rows, every key stored once per combination of the parameters it
actually depends on, the summary as a table of distinct strings; the whole is gzip-compressed and base64
encoded inside the page.  The browser decodes it once; moving a slider looks up the grid point and
redraws plain SVG (``_ext/web/accelbook-explorer.js``, added to the pages that hold an explorer by the
Sphinx extension ``_ext/web_explorer.py``).

Cheap closed forms need no grid: with ``WebSpec(mirror="name")`` the page recomputes each frame with
the JavaScript function ``name`` of ``_ext/web/accelbook-mirrors.js``, which mirrors an ``accelbook``
function and is tested against it with node (``tests/test_mirrors_node.py``).  ``derive`` names a mirror
that adds keys to a stored frame (e.g. f(x) from the stored iterates x).
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np

from . import plotting
from ._validation import choice, flag, instance_of, int_scalar, shown
from .explorer import Explorer

__all__ = ["Series", "Panel", "WebSpec", "export", "embed", "decode", "EmbeddedExplorer", "MAX_BYTES"]

#: the budget for one explorer's embedded data (bytes, after compression and base64)
MAX_BYTES = 2_000_000
STYLES = ("line", "dashed", "dotted", "points")


def _key(name, value, optional=False):
    if optional and value is None:
        return None
    if not isinstance(value, str) or not value:
        raise TypeError(f"{name} must be a non-empty str (a data key), got {shown(value)}")
    return value


@dataclass(frozen=True)
class Series:
    """One curve of a panel: ``data[key]`` against ``data[x]`` (against 0, 1, 2, ... when ``x`` is None).

    ``method`` ('gd', 'heavy_ball', 'nesterov') gives the book's colour, marker and label; ``style`` is
    'line', 'dashed' (bounds), 'dotted' or 'points'; ``columns=True`` draws each column of a 2-d key as its
    own curve, labelled ``label`` with "{}" replaced by the matching entry of ``data[label_key]``;
    ``last=k`` keeps the last k entries; ``scale`` multiplies the values (e.g. 100 for per cent).
    """

    key: str
    x: str | None = None
    method: str | None = None
    label: str | None = None
    style: str = "line"
    color: str | None = None
    columns: bool = False
    label_key: str | None = None
    last: int | None = None
    scale: float = 1.0

    def __post_init__(self):
        _key("key", self.key)
        _key("x", self.x, optional=True)
        _key("label_key", self.label_key, optional=True)
        if self.method is not None:
            choice("method", self.method, ("gd", "heavy_ball", "nesterov"))
        choice("style", self.style, STYLES)
        flag("columns", self.columns)
        if self.label is not None:
            instance_of("label", self.label, str)
        if self.color is not None:
            instance_of("color", self.color, str)
        if self.last is not None:
            int_scalar("last", self.last, lo=1)
        if not (isinstance(self.scale, (int, float)) and not isinstance(self.scale, bool) and math.isfinite(self.scale)
                and self.scale > 0):
            raise ValueError(f"scale must be a finite number > 0, got {shown(self.scale)}")


@dataclass(frozen=True)
class Panel:
    """One chart: its series, axis labels, log or linear axes, optional fixed y limits."""

    series: tuple
    xlabel: str = "iteration t"
    ylabel: str = ""
    logy: bool = True
    logx: bool = False
    ymin: float | None = None
    ymax: float | None = None
    title: str = ""

    def __post_init__(self):
        if not isinstance(self.series, tuple) or not self.series or not all(isinstance(s, Series) for s in self.series):
            raise TypeError(f"series must be a non-empty tuple of Series, got {shown(self.series)}")
        for name in ("xlabel", "ylabel", "title"):
            instance_of(name, getattr(self, name), str)
        flag("logy", self.logy)
        flag("logx", self.logx)
        for name in ("ymin", "ymax"):
            v = getattr(self, name)
            if v is not None and not (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                                      and (v > 0 or not self.logy)):
                raise ValueError(f"{name} must be a finite number (> 0 on a log axis) or None, got {shown(v)}")


@dataclass(frozen=True)
class WebSpec:
    """How an explorer appears in the page.

    panels : tuple of Panel
    mirror : str, optional
        A JavaScript function of ``accelbook-mirrors.js`` that computes a whole frame from the parameters
        (no grid is stored).
    derive : str, optional
        A JavaScript function that adds keys to each stored frame.
    keys : tuple of str, optional
        The data keys to store (default: those the panels and ``message`` use).
    message : str, optional
        A data key holding text drawn instead of the curves when it is not empty (e.g. "diverges").
    max_points : int
        Curves longer than this are decimated (every s-th entry and the last one).
    source : str, optional
        ``"module:ATTRIBUTE"`` where the explorer is defined (the browser test recomputes from it).
    """

    panels: tuple
    mirror: str | None = None
    derive: str | None = None
    keys: tuple | None = None
    message: str | None = None
    max_points: int = 256
    source: str | None = None

    def __post_init__(self):
        if not isinstance(self.panels, tuple) or not self.panels or not all(isinstance(p, Panel) for p in self.panels):
            raise TypeError(f"panels must be a non-empty tuple of Panel, got {shown(self.panels)}")
        for name in ("mirror", "derive", "message", "source"):
            _key(name, getattr(self, name), optional=True)
        if self.keys is not None and (not isinstance(self.keys, tuple) or not all(isinstance(k, str) for k in self.keys)):
            raise TypeError(f"keys must be a tuple of str or None, got {shown(self.keys)}")
        int_scalar("max_points", self.max_points, lo=2)

    def stored_keys(self):
        """The data keys :func:`export` stores: ``keys``, or every key the panels and ``message`` read."""
        if self.keys is not None:
            return list(self.keys)
        out = []
        for panel in self.panels:
            for s in panel.series:
                out += [k for k in (s.key, s.x, s.label_key) if k is not None]
        if self.message:
            out.append(self.message)
        return list(dict.fromkeys(out))


# ---------------------------------------------------------------- export
def _rows(value):
    """(rows, cols, float64 2-d array) of an array value, or None for a scalar / None."""
    if value is None or isinstance(value, (str, bool, np.bool_)):
        return None
    arr = np.asarray(value)
    if arr.ndim == 0 or arr.dtype.kind not in "fiu":
        return None
    return arr.reshape(arr.shape[0], -1).astype(np.float64)


def _decimated(arr, max_points):
    n = arr.shape[0]
    stride = max(1, math.ceil((n - 1) / (max_points - 1))) if n > max_points else 1
    idx = np.arange(0, n, stride)
    if idx[-1] != n - 1:
        idx = np.append(idx, n - 1)
    return arr[idx], n, stride


def _depends(values, shape):
    """The grid axes along which ``values`` (one entry per grid point, row-major) change."""
    flat = np.arange(len(values)).reshape(shape)
    dims = []
    for axis in range(len(shape)):
        base = np.take(flat, [0], axis=axis)
        if any(not _same(values[i], values[j]) for i, j in zip(flat.ravel(), np.broadcast_to(base, shape).ravel())):
            dims.append(axis)
    return dims


def _same(a, b):
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return a == b
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.array_equal(a, b))


def _reduce(values, shape, dims):
    flat = np.arange(len(values)).reshape(shape)
    index = tuple(slice(None) if a in dims else 0 for a in range(len(shape)))
    return [values[i] for i in flat[index].ravel()]


def _plain(v):
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if np.isfinite(v) else str(v)
    return v


class _Blob:
    def __init__(self):
        self.parts, self.size = [], 0

    def add(self, arr):
        raw = np.ascontiguousarray(arr).tobytes()
        offset = self.size
        self.parts.append(raw)
        self.size += len(raw)
        return offset


def _field(key, values, shape, blob, max_points):
    dims = _depends(values, shape)
    reduced = _reduce(values, shape, dims)
    if all(_rows(v) is not None or v is None for v in reduced) and any(_rows(v) is not None for v in reduced):
        meta, chunks, cols, start = [], [], None, 0
        for v in reduced:
            arr = _rows(v)
            if arr is None:
                meta.append((start, 0, 0, 1))
                continue
            cols = arr.shape[1] if cols is None else cols
            if arr.shape[1] != cols:
                raise ValueError(f"data[{key!r}] must have the same number of columns at every grid point")
            dec, n, stride = _decimated(arr, max_points)
            if not np.all(np.abs(dec) <= np.finfo(np.float32).max):
                raise ValueError(f"data[{key!r}] must be finite in float32 (|values| < 3.4e38) at every grid point")
            f32 = dec.astype(np.float32)
            chunks.append(f32.ravel())
            meta.append((start, dec.shape[0], n, stride))
            start += f32.size
        data = blob.add(np.concatenate(chunks) if chunks else np.zeros(0, np.float32))
        return {"kind": "array", "dims": dims, "cols": cols, "meta": blob.add(np.array(meta, dtype=np.int32)),
                "data": data}
    table = []
    codes = []
    for v in reduced:
        if _rows(v) is not None:
            raise TypeError(f"data[{key!r}] must be an array at every grid point or a scalar at every one")
        p = _plain(v)
        if p not in table:
            table.append(p)
        codes.append(table.index(p))
    return {"kind": "category", "dims": dims, "table": table, "codes": blob.add(np.array(codes, dtype=np.int32))}


def _param_json(p, mirror):
    out = {"name": p.name, "label": p.label, "scale": p.scale, "integer": bool(p.integer)}
    if mirror:
        out.update(lo=float(p.lo), hi=float(p.hi), step=float(p.step), default=float(p.default))
    else:
        values = [float(v) for v in p.values()]
        out.update(values=values, default=int(np.argmin(np.abs(np.array(values) - p.default))))
    return out


def export(explorer, spec) -> dict:
    """The payload the page reads: parameters, panels, colours, and (unless ``spec.mirror``) the explorer's
    data and summary text on its whole grid, compressed.  Raises ``ValueError`` when the stored data exceed
    :data:`MAX_BYTES`."""
    instance_of("explorer", explorer, Explorer)
    instance_of("spec", spec, WebSpec)
    payload = {"v": 1, "name": explorer.name, "title": explorer.title, "source": spec.source,
               "mode": "mirror" if spec.mirror else "grid", "mirror": spec.mirror, "derive": spec.derive,
               "message": spec.message, "params": [_param_json(p, spec.mirror) for p in explorer.params],
               "panels": [asdict(p) for p in spec.panels],
               "colors": dict(plotting.COLORS), "markers": dict(plotting.MARKERS), "labels": dict(plotting.LABELS),
               "cycle": [plotting.OKABE_ITO[k] for k in ("orange", "reddish_purple", "sky_blue", "black", "blue",
                                                         "vermillion", "bluish_green")]}
    if spec.mirror:
        return payload
    points, data = explorer.grid_data()
    shape = [len(p.values()) for p in explorer.params]
    blob = _Blob()
    fields = {}
    for key in spec.stored_keys():
        missing = [i for i, d in enumerate(data) if key not in d]
        if missing:
            raise KeyError(f"spec asks for data[{key!r}], which compute does not return (e.g. at {points[missing[0]]})")
        fields[key] = _field(key, [d[key] for d in data], shape, blob, spec.max_points)
    texts = [explorer.quantities(d) for d in data]
    labels = list(texts[0])
    if any(list(t) != labels for t in texts):
        raise ValueError("summary must return the same labels, in the same order, at every grid point")
    summary = {label: _field(label, [t[label] for t in texts], shape, blob, spec.max_points) for label in labels}
    raw = b"".join(blob.parts)
    packed = base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")
    if len(packed) > MAX_BYTES:
        raise ValueError(f"the explorer {explorer.name!r} stores {len(packed)} bytes, over the budget of {MAX_BYTES}: "
                         "use a coarser grid, fewer keys or a smaller max_points")
    payload.update(shape=shape, fields=fields, summary=summary, labels_order=labels, blob=packed, raw_bytes=len(raw))
    return payload


def decode(payload) -> tuple[list, list]:
    """The stored data back, as ``(points, [{key: value}])`` (float32 arrays as stored; for tests)."""
    instance_of("payload", payload, Mapping)
    if payload.get("mode") != "grid":
        raise ValueError(f"payload must be a grid payload (mode 'grid'), got mode {shown(payload.get('mode'))}")
    raw = gzip.decompress(base64.b64decode(payload["blob"]))
    shape = payload["shape"]
    axes = [p["values"] for p in payload["params"]]
    out = []
    for flat in range(int(np.prod(shape))):
        idx = np.unravel_index(flat, shape)
        point = {p["name"]: axes[a][idx[a]] for a, p in enumerate(payload["params"])}
        values = {}
        for group in (payload["fields"], payload["summary"]):
            for key, f in group.items():
                values[key] = _read(raw, f, idx, shape)
        out.append((point, values))
    return [p for p, _ in out], [v for _, v in out]


def _read(raw, f, idx, shape):
    sub = [shape[a] for a in f["dims"]]
    j = int(np.ravel_multi_index([idx[a] for a in f["dims"]], sub)) if sub else 0
    if f["kind"] == "category":
        code = np.frombuffer(raw, dtype=np.int32, count=1, offset=f["codes"] + 4 * j)[0]
        return f["table"][code]
    start, rows, n, stride = np.frombuffer(raw, dtype=np.int32, count=4, offset=f["meta"] + 16 * j)
    if rows == 0:
        return None
    arr = np.frombuffer(raw, dtype=np.float32, count=rows * f["cols"], offset=f["data"] + 4 * int(start))
    return arr.reshape(rows, f["cols"]) if f["cols"] > 1 else arr


# ---------------------------------------------------------------- the page
class EmbeddedExplorer:
    """What a chapter cell displays: the explorer's HTML (``_repr_html_``) with its payload inside."""

    def __init__(self, payload):
        instance_of("payload", payload, Mapping)
        if not all(isinstance(payload.get(k), str) for k in ("name", "title")):
            raise ValueError(f"payload must be export()'s output, with a name and a title, got keys {sorted(payload)}")
        self.payload = payload
        text = json.dumps(payload, ensure_ascii=True, separators=(",", ":")).replace("</", "<\\/")
        self.nbytes = len(text)
        name = html.escape(payload["name"])
        self.html = (f'<div class="accelbook-explorer" id="accelbook-explorer-{name}" data-name="{name}">'
                     f'<p class="abx-fallback">{html.escape(payload["title"])}: this in-page explorer needs '
                     "JavaScript; in Jupyter or Binder, use the ipywidgets explorer of the next cell.</p>"
                     f'<script type="application/json" class="abx-data">{text}</script></div>')

    def _repr_html_(self):
        return self.html

    def __repr__(self):
        return f"<in-page explorer {self.payload['name']!r}: {self.nbytes} bytes; shown in the HTML book>"


def embed(explorer, spec) -> EmbeddedExplorer:
    """The in-page explorer for a chapter cell: ``embed(ab.widgets.HEAVY_BALL, ab.webspecs.HEAVY_BALL)``."""
    return EmbeddedExplorer(export(explorer, spec))

