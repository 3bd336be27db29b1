"""Time a cold build (execution cache and HTML removed, every chapter executed) and a warm rebuild
(nothing changed, outputs from the cache) of the book. Writes bench/results/build_times.json.

Run with `make bench` (not part of `make test`: speed is measured here, not asserted in tests).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JB = str(Path(sys.executable).with_name("jupyter-book"))


def timed_build(label):
    start = time.perf_counter()
    proc = subprocess.run([JB, "build", str(ROOT)], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{label} build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    print(f"{label:5s} build: {seconds:7.1f} s")
    return seconds


def main():
    build = ROOT / "_build"
    for path in (build / ".jupyter_cache", build / "html", build / "jupyter_execute", build / ".doctrees"):
        shutil.rmtree(path, ignore_errors=True)
    cold = timed_build("cold")
    warm = timed_build("warm")
    result = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "processor": platform.processor(), "cores": os.cpu_count(),
                    "python": platform.python_version()},
        "cold_build_s": round(cold, 2),
        "warm_build_s": round(warm, 2),
        "chapters": sorted(str(p.relative_to(ROOT)) for p in (ROOT / "chapters").glob("*.md")),
    }
    out = ROOT / "bench" / "results" / "build_times.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"machine: {result['machine']}\nwritten: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
