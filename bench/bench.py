"""The benchmark suite (issue: performance and scale).  One command: ``make bench``.

Writes ``bench/results/bench.json`` and ``bench/results/bench.md`` (a Markdown table) and prints the
machine it ran on.  Sections (``--only NAME`` runs a subset; ``--skip-make-test`` skips the slowest):

build        cold build (execution cache cleared) and warm rebuild           budget: cold <= 120 s, warm <= 10 s
pages        chapter pages in headless Chromium (bench/pages.py): typeset from navigation <= 1 s (median),
             explorer input to next frame <= 16 ms (median), explorer data <= 2 MB per page
chapters     each chapter's execution time, from the cold build's cache      budget: <= 45 s each
make_test    `make test` wall time on a fresh clone, install included         budget: <= 8 min
widgets      every explorer callback (compute + draw), median over repeats    budget: <= 100 ms
vs_torch     accelbook runners against a plain torch.optim.SGD loop          budget: time ratio <= 1.0, same iterates
batched      batched trials against a Python loop over single trials          budget: >= 5x faster
scaling      time and memory per iteration against width / depth, fitted exponents, achieved matmul throughput,
             PEP (certified worst case) solve time against the number of steps

Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import fitted_exponent, peak_memory, row, timeit  # noqa: E402,F401  (shared with bench/cases.py)
VENV_BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"


def machine():
    info = {"platform": platform.platform(), "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__}
    try:
        info["cpu"] = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line)
    except (OSError, StopIteration):
        info["cpu"] = platform.processor()
    try:
        import torch
        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        pass
    return info


# ---------------------------------------------------------------- build and chapters
def _jb_build(extra=()):
    t = time.perf_counter()
    proc = subprocess.run([str(VENV_BIN / "jupyter-book"), "build", str(ROOT), *extra], cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"build failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return time.perf_counter() - t


def bench_build():
    build = ROOT / "_build"
    for path in (build / ".jupyter_cache", build / "html", build / "jupyter_execute", build / ".doctrees"):
        shutil.rmtree(path, ignore_errors=True)
    cold = _jb_build()
    warm = _jb_build()
    rows = [row("build", "cold build", cold, "s", ("<=", 120)), row("build", "warm rebuild", warm, "s", ("<=", 10))]
    from jupyter_cache import get_cache
    for rec in get_cache(str(build / ".jupyter_cache")).list_cache_records():
        seconds = rec.data.get("execution_seconds", float("nan"))
        rows.append(row("chapters", Path(rec.uri).stem, seconds, "s", ("<=", 45)))
    return rows


def bench_make_test():
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        t = time.perf_counter()
        proc = subprocess.run(["make", "test"], cwd=clone, capture_output=True, text=True)
        seconds = time.perf_counter() - t
    note = "passed" if proc.returncode == 0 else f"FAILED (exit {proc.returncode})"
    return [row("make_test", "make test on a fresh clone (install included)", seconds, "s", ("<=", 480),
                ok=(proc.returncode == 0 and seconds <= 480), note=note)]


# ---------------------------------------------------------------- pages in a browser
def bench_pages():
    """Typeset time, explorer input-to-frame time and explorer data size of every chapter page (needs a build)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import pages
    html = ROOT / "_build" / "html"
    if not (html / "index.html").is_file():
        _jb_build()
    load = os.getloadavg()[0]
    return [row(section, name, value, unit, budget, note=f"{note}; load average {load:.1f}".lstrip("; "))
            for section, name, value, unit, budget, note in pages.rows(pages.measure(html))]


# ---------------------------------------------------------------- widgets
def widget_cases():
    """(name, zero-argument callable that computes and draws one frame on a reused figure)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import accelbook as ab
    fig = plt.figure(figsize=(9, 3.4))
    cases = [("ch1 heavy-ball explorer", lambda: ab.widgets.heavy_ball_explorer_callback(1.0, 0.9, 100.0, fig=fig)),
             ("ch2 counterexample explorer", lambda: ab.widgets.lrp_explorer_callback(3.3, 4 / 9, fig=fig))]
    for module, fn, kwargs in EXTRA_WIDGETS:
        callback = getattr(getattr(ab, module), fn)
        cases.append((f"{module}.{fn}", lambda c=callback, k=kwargs: c(**k, fig=fig)))
    return cases


#: explorer callbacks of later chapters: (module, function, keyword arguments of a typical frame)
EXTRA_WIDGETS = []


def bench_widgets():
    rows = []
    for name, fn in widget_cases():
        rows.append(row("widgets", name, 1000 * timeit(fn, repeats=7), "ms", ("<=", 100)))
    return rows


# ---------------------------------------------------------------- accelbook against a plain torch loop
def torch_loop(loss_fn, w0, eta, beta, n_iter):
    """The loop a reader would write: torch.optim.SGD with momentum, float64, parameters collected."""
    import torch
    params = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (w0 if isinstance(w0, list) else [w0])]
    opt = torch.optim.SGD(params, lr=eta, momentum=beta)
    for _ in range(n_iter):
        opt.zero_grad()
        loss_fn(params if isinstance(w0, list) else params[0]).backward()
        opt.step()
    out = [p.detach().numpy() for p in params]
    return out if isinstance(w0, list) else out[0]


def vs_torch_cases():
    """(name, accelbook runner returning the final iterate, torch loss, w0, eta, beta, n_iter)."""
    import accelbook as ab
    q = ab.quadratic.make_quadratic(500, 100.0, seed=0)
    eta, beta = ab.theory.corollary1_parameters(q.mu, q.L)
    w0 = np.zeros(q.n)
    cases = [("quadratic n=500", lambda: ab.methods.heavy_ball(q.grad, w0, eta, beta, 300, store="last").x,
              ab.torch_bridge.quadratic_loss(q.H, q.b), w0, eta, beta, 300)]
    return cases + [make() for make in EXTRA_VS_TORCH]


#: later chapters add zero-argument factories returning a vs_torch case tuple
EXTRA_VS_TORCH = []


def bench_vs_torch():
    rows = []
    for name, ours, loss, w0, eta, beta, n_iter in vs_torch_cases():
        a, b = ours(), torch_loop(loss, w0, eta, beta, n_iter)
        pairs = zip(a, b) if isinstance(a, list) else [(a, b)]
        diff = max(float(np.max(np.abs(x - y)) / max(1.0, float(np.max(np.abs(y))))) for x, y in pairs)
        t_ours = timeit(ours, repeats=3)
        t_torch = timeit(lambda: torch_loop(loss, w0, eta, beta, n_iter), repeats=3)
        rows.append(row("vs_torch", f"{name}: time ratio accelbook/torch", t_ours / t_torch, "x", ("<=", 1.0),
                        ok=(t_ours <= t_torch and diff < 1e-9),
                        note=f"{1000 * t_ours:.1f} ms vs {1000 * t_torch:.1f} ms; max rel. iterate difference {diff:.1e}"))
    return rows


# ---------------------------------------------------------------- batched trials
def batched_cases():
    """(name, batched callable, looped callable) for the book's multi-trial figures."""
    import accelbook as ab
    q = ab.quadratic.make_quadratic(50, 100.0, seed=0)
    eta, beta = ab.theory.corollary1_parameters(q.mu, q.L)
    W0 = np.random.default_rng(0).standard_normal((10, q.n))
    cases = [("10 heavy-ball trials, quadratic n=50",
              lambda: ab.methods.heavy_ball(q.grad, W0, eta, beta, 500, loss=q.optimality_gap, store="none"),
              lambda: [ab.methods.heavy_ball(q.grad, w, eta, beta, 500, loss=q.optimality_gap, store="none") for w in W0]),
             ("kappa sweep, 13 problems",
              lambda: ab.quadratic.kappa_sweep(np.logspace(1, 3, 13)),
              lambda: [ab.quadratic.kappa_sweep([k]) for k in np.logspace(1, 3, 13)])]
    return cases + [make() for make in EXTRA_BATCHED]


EXTRA_BATCHED = []


def bench_batched():
    rows = []
    for name, batched, looped in batched_cases():
        t_b, t_l = timeit(batched, repeats=3), timeit(looped, repeats=3)
        rows.append(row("batched", f"{name}: speed-up over a loop", t_l / t_b, "x", (">=", 5.0),
                        note=f"{1000 * t_b:.1f} ms batched vs {1000 * t_l:.1f} ms looped"))
    return rows


# ---------------------------------------------------------------- scaling
def matmul_gflops(n=1024):
    a = np.random.default_rng(0).standard_normal((n, n))
    seconds = timeit(lambda: a @ a, repeats=5)
    return 2 * n ** 3 / seconds / 1e9


def bench_scaling():
    gflops = matmul_gflops()
    rows = [row("scaling", "measured float64 matmul throughput (1024^3)", gflops, "GFLOP/s")]
    for make in EXTRA_SCALING:
        rows.extend(make(gflops))
    return rows


#: later chapters add callables gflops -> list of rows
EXTRA_SCALING = []

SECTIONS = {"build": bench_build, "pages": bench_pages, "widgets": bench_widgets, "vs_torch": bench_vs_torch, "batched": bench_batched,
            "scaling": bench_scaling, "make_test": bench_make_test}


def markdown(rows, info):
    lines = [f"Machine: {info.get('cpu', '?')}, {info['cores']} cores, Python {info['python']}, "
             f"numpy {info['numpy']}, torch {info.get('torch', '-')}", "",
             "| section | measurement | value | budget | ok | note |", "|---|---|---|---|---|---|"]
    for r in rows:
        ok = "" if r["ok"] is None else ("yes" if r["ok"] else "**no**")
        lines.append(f"| {r['section']} | {r['name']} | {r['value']:.3g} {r['unit']} | {r['budget'] or ''} | {ok} | {r['note']} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    from bench import cases  # the network chapters' cases; cases imports bench.common, never this module
    cases.register(sys.modules[__name__])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=sorted(SECTIONS), help="run only these sections")
    parser.add_argument("--skip-make-test", action="store_true", help="skip the fresh-clone `make test` timing")
    args = parser.parse_args(argv)
    info = machine()
    print("machine:", json.dumps(info))
    names = args.only or [s for s in SECTIONS if not (s == "make_test" and args.skip_make_test)]
    rows = []
    for name in names:
        print(f"== {name}", flush=True)
        new = SECTIONS[name]()
        for r in new:
            flag = "" if r["ok"] is None else ("  ok" if r["ok"] else "  OVER BUDGET")
            print(f"   {r['name']}: {r['value']:.4g} {r['unit']}{flag} {r['note']}")
        rows.extend(new)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    (RESULTS / "bench.json").write_text(json.dumps({"date": stamp, "machine": info, "rows": rows}, indent=2) + "\n")
    (RESULTS / "bench.md").write_text(markdown(rows, info))
    print(f"written: {RESULTS.relative_to(ROOT)}/bench.json and bench.md")


if __name__ == "__main__":
    main()
