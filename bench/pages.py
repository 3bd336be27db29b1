"""Page timings of the built book in headless Chromium (Playwright), offline: the ``pages`` section of
``bench/bench.py`` (``make bench BENCH_ARGS="--only pages"``), or alone::

    python bench/pages.py [--html _build/html] [--repeats 5]

For each chapter page:

typeset      ms from navigation until every formula is typeset (pre-rendered ones count at once) and the
             page's web fonts are loaded; median over ``repeats`` navigations, each in a fresh browser
             context (nothing cached).                                          budget: <= 1000 ms
explorer     ms from a slider's input event (a real key press) to the next frame, i.e. until after the
             redraw has been painted (requestAnimationFrame, then a task); median over every slider of
             every in-page explorer of the page, 12 presses each.             budget: <= 16 ms
             (the note gives the median time of the redraw itself, the event handler)
data         bytes of explorer data embedded in the page.                      budget: <= 2 MB

Needs a build (``_build/html``), Debian's /usr/bin/chromium and the Python package playwright.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import statistics
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
BUDGETS = {"typeset": 1000.0, "explorer": 16.0, "data": 2_000_000}

# runs before the page's own scripts: records when the last formula is typeset and the fonts are in
TYPESET_PROBE = """(() => {
  window.__bench = {};
  const poll = () => {
    const math = Array.from(document.querySelectorAll('.math'));
    const done = document.readyState !== 'loading' && math.every(e => e.querySelector('mjx-container'));
    if (!done) { setTimeout(poll, 5); return; }
    requestAnimationFrame(() => document.fonts.ready.then(() => { window.__bench.typeset = performance.now(); }));
  };
  poll();
})();"""

# input event -> next frame painted, for every explorer slider
INPUT_PROBE = """(() => {
  window.__inputs = []; window.__handler = [];
  document.addEventListener('input', e => {
    if (!e.target.closest('.accelbook-explorer')) { return; }
    const t0 = e.timeStamp;
    window.__start = performance.now();
    requestAnimationFrame(() => setTimeout(() => window.__inputs.push(performance.now() - t0), 0));
  }, true);
  // bubbling back to the document after the explorer's own listener: the redraw itself
  document.addEventListener('input', e => {
    if (e.target.closest('.accelbook-explorer')) { window.__handler.push(performance.now() - window.__start); }
  });
})();"""


def serve(html: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(html))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def _offline(context):
    def route(r):
        host = r.request.url.split("/")[2].split(":")[0] if "://" in r.request.url else ""
        r.continue_() if host in ("127.0.0.1", "localhost", "") else r.abort("blockedbyclient")
    context.route("**/*", route)


def measure(html: Path, repeats: int = 5, presses: int = 12) -> dict:
    """{page: {"typeset": [ms...], "explorer": [ms...], "data": bytes}} for every chapter page."""
    from playwright.sync_api import sync_playwright
    server, base = serve(html)
    pages = sorted(p.relative_to(html).as_posix() for p in (html / "chapters").glob("*.html"))
    out = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for page in pages:
                rec = out.setdefault(page, {"typeset": [], "explorer": [], "data": 0})
                for k in range(repeats):
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    _offline(context)
                    context.add_init_script(TYPESET_PROBE)
                    context.add_init_script(INPUT_PROBE)
                    tab = context.new_page()
                    tab.goto(base + page, wait_until="domcontentloaded", timeout=120_000)
                    tab.wait_for_function("() => window.__bench && window.__bench.typeset", timeout=120_000, polling=50)
                    rec["typeset"].append(tab.evaluate("() => window.__bench.typeset"))
                    if k == 0:
                        rec["data"] = tab.evaluate("() => Array.from(document.querySelectorAll('script.abx-data'))"
                                                   ".reduce((n, s) => n + s.textContent.length, 0)")
                        rec["explorer"] = _explorer_inputs(tab, presses)
                        rec["handler"] = tab.evaluate("() => window.__handler")
                    context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return out


def _explorer_inputs(tab, presses):
    explorers = tab.query_selector_all("div.accelbook-explorer")
    if not explorers:
        return []
    tab.wait_for_function("() => Array.from(document.querySelectorAll('div.accelbook-explorer'))"
                          ".every(e => e.hasAttribute('data-ready'))", timeout=120_000)
    for slider in tab.query_selector_all("div.accelbook-explorer input[type=range]"):
        slider.scroll_into_view_if_needed()
        slider.focus()
        for i in range(presses):
            tab.keyboard.press("ArrowRight" if (i // 3) % 2 == 0 else "ArrowLeft")
            tab.wait_for_timeout(30)
    tab.wait_for_timeout(100)
    return tab.evaluate("() => window.__inputs")


def rows(results: dict) -> list:
    """Rows in bench.py's format: (section, name, value, unit, budget, note)."""
    out = []
    for page, rec in results.items():
        name = page.rsplit("/", 1)[-1].removesuffix(".html")
        out.append(("pages", f"{name}: typeset from navigation (median of {len(rec['typeset'])})",
                    statistics.median(rec["typeset"]), "ms", ("<=", BUDGETS["typeset"]),
                    f"min {min(rec['typeset']):.0f}, max {max(rec['typeset']):.0f}"))
        if rec["explorer"]:
            out.append(("pages", f"{name}: explorer input to next frame (median of {len(rec['explorer'])})",
                        statistics.median(rec["explorer"]), "ms", ("<=", BUDGETS["explorer"]),
                        f"90% quantile {sorted(rec['explorer'])[int(0.9 * (len(rec['explorer']) - 1))]:.1f} ms; "
                        f"the redraw itself {statistics.median(rec['handler']):.1f} ms"))
            out.append(("pages", f"{name}: explorer data in the page", rec["data"] / 1e6, "MB",
                        ("<=", BUDGETS["data"] / 1e6), ""))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the raw timings here")
    args = parser.parse_args(argv)
    if not (args.html / "index.html").is_file():
        sys.exit(f"no build at {args.html}: build the book first")
    results = measure(args.html, args.repeats)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    for section, name, value, unit, budget, note in rows(results):
        ok = value <= budget[1]
        print(f"{name}: {value:.4g} {unit} (budget {budget[0]} {budget[1]:g}: {'ok' if ok else 'OVER'}) {note}")


if __name__ == "__main__":
    main()
