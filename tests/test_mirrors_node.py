"""The JavaScript mirrors of the in-page explorers (_ext/web/accelbook-mirrors.js) against accelbook, with node.

Python computes reference values (Chapter 1's explorer data and summary on parameter points chosen where
the behaviour changes: near critical damping, at the edge of Theorem 5's condition, divergent runs;
Python's number formatting; the counterexample's f) and ``node --test tests/js/mirrors.test.js`` checks
the mirrors against them.  Without node the test skips (it fails where the environment variable CI is set).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from accelbook import convex, quadratic, theory, widgets

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def _plain(v):
    if v is None or isinstance(v, (str, bool)):
        return v
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, np.ndarray):
        return v.ravel().tolist()
    return float(v)


def heavy_ball_points():
    rng = np.random.default_rng(1)
    points = [(1.0, 0.8, 100.0), (1.0, 0.9, 100.0), (1.0, 0.0, 1e4), (2.5, 0.99, 1e4), (3.9, 0.1, 10.0),
              (0.05, 0.999, 1.0), (2.0, 0.0, 50.0), (1.0, 0.81, 100.0), (1.0, 0.8100001, 100.0)]
    for kappa in (10.0, 100.0, 3e3):                         # at and around critical damping
        beta_c = float(theory.critical_damping_beta(1.0 / kappa))
        points += [(1.0, round(beta_c + d, 3), kappa) for d in (-0.002, 0.0, 0.002)]
    for _ in range(25):
        points.append((float(rng.uniform(0.05, 2.5)), float(rng.uniform(0.0, 0.999)), float(10 ** rng.uniform(0, 4))))
    return points


def references():
    out = {"fmtG": [], "fmtF": [], "spectrum": [], "blockRho": [], "heavyBall": [], "lrp": []}
    rng = np.random.default_rng(0)
    values = [0.0, 1.0, -1.0, 0.5, 1e-5, 9.9995e-5, 0.00012345, 123456.0, 1e16, 2.5e-30, 0.999995, 41.18, 1e-300,
              float("inf"), float("-inf"), float("nan")] + list(10 ** rng.uniform(-8, 8, 60) * rng.choice([-1, 1], 60))
    for v in values:
        j = v if np.isfinite(v) else repr(v)                   # JSON has no inf/nan: "inf", "-inf", "nan"
        for p in (3, 4, 6):
            out["fmtG"].append([j, p, format(v, f".{p}g")])
        out["fmtF"].append([j, 6, format(v, ".6f")])
    for n, kappa in ((6, 100.0), (6, 1e4), (2, 1.0), (20, 37.5)):
        out["spectrum"].append([n, kappa, quadratic.spectrum(n, kappa).tolist()])
    for z, beta in zip(rng.uniform(0, 4, 40), rng.uniform(0, 1, 40)):
        out["blockRho"].append([float(z), float(beta), float(theory.block_spectral_radius(z, beta))])
    for eta_L, beta, kappa in heavy_ball_points():
        data = widgets.heavy_ball_explorer_data(eta_L, beta, kappa)
        keys = ("t", "lam", "error", "gd_error", "per_direction", "bound", "rho", "gd_rate", "lower", "c0",
                "diverged", "iters_hb", "iters_gd", "message")
        out["heavyBall"].append({"values": {"eta_L": eta_L, "beta": beta, "kappa": kappa},
                                 "data": {k: _plain(data[k]) for k in keys},
                                 "summary": [list(kv) for kv in widgets.HEAVY_BALL.quantities(data).items()]})
    graph = np.array([-3 + 7 * i / 399 for i in range(400)])
    for x0, beta in ((3.3, 4 / 9), (0.1, 0.2), (-4.8, 0.04), (1.5, 0.9)):
        d = widgets.lrp_explorer_data(x0, beta)
        out["lrp"].append({"x": d["x"].tolist(), "gap": d["gap"].tolist(),
                           "graph_f": convex.lrp_function(graph).tolist()})
    return out


def test_mirrors_match_accelbook(tmp_path):
    node = shutil.which("node")
    if node is None:
        (pytest.fail if IN_CI else pytest.skip)("node (Node.js) is not installed")
    ref = tmp_path / "mirror-ref.json"
    ref.write_text(json.dumps(references(), allow_nan=False))
    proc = subprocess.run([node, "--test", str(ROOT / "tests" / "js" / "mirrors.test.js")], capture_output=True,
                          text=True, env={**os.environ, "ACCELBOOK_MIRROR_REF": str(ref)}, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "# fail 0" in proc.stdout
