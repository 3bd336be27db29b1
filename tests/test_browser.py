"""Every page of the built book in a real browser, with no network but localhost.

Serves the built HTML of both editions (`_build/html`, the instructor edition, and
`_build/student/html`, the student edition) on 127.0.0.1 and opens every page in headless Debian
Chromium driven by Playwright. Every request for a host other than localhost is blocked and recorded.
For each page it asserts: no request left localhost (the book renders offline), no console error and
no uncaught page error, no local resource missing; every piece of mathematics typeset (pre-rendered at
build time, or by MathJax in the page) and no raw TeX (`$$`, `\\(`, `\\begin` ...) visible outside code; every image loaded; every theorem-like box
(sphinx-proof) and exercise box of the page's source rendered; a download button on notebook pages, and
a Binder button in the instructor edition only. Student pages must contain no solution and none of the
instructor edition's solution text.
The search page must find a term. A screenshot of each page goes to `_build/screenshots/`.
Every in-page explorer (accelbook.webexplorer): each slider is moved (to both ends by key presses, and to
inner positions), the drawing must change and the displayed parameter values and summary must equal what
accelbook computes for that point (the explorer named in the page's payload, recomputed here).

Steady on a loaded machine: the test waits for what it needs (the load event, formulas typeset, images
complete, fonts loaded, explorers drawn) with generous timeouts, never for network silence.

Slow and needing a build, so deselected by default: `make test` builds both editions and then runs
`pytest -m browser tests/test_browser.py`. Without a browser (no /usr/bin/chromium, or no playwright),
or without a build, the tests skip with the reason, except where the environment variable CI is set:
there they fail. BOOK_HTML, STUDENT_HTML and CHROMIUM override the default locations.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
import urllib.parse
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
EDITIONS = {
    "instructor": Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")),
    "student": Path(os.environ.get("STUDENT_HTML", ROOT / "_build" / "student" / "html")),
}
BUILD_HINT = {"instructor": "make book", "student": "make student"}
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IN_CI = os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
NOT_PAGES = {"_static", "_sources", "_images", "reports"}
# TeX that MathJax should have consumed: seen in the rendered text outside code, it was not typeset.
RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\\end\{|\$\\[A-Za-z]")
BOX_DIRECTIVE = re.compile(r"^\s*(`{3,}|:{3,})\{(?P<name>prf:[a-z]+|exercise|exercise-start|solution|solution-start)\}",
                           flags=re.M)


def unavailable(reason: str):
    """Skip on a reader's machine; fail in CI, where the browser test must run."""
    if IN_CI:
        pytest.fail(f"{reason} (the environment variable CI is set, so this fails instead of skipping)")
    pytest.skip(reason)


def built(edition: str) -> bool:
    return (EDITIONS[edition] / "index.html").is_file()


def pages(edition: str) -> list[str]:
    root = EDITIONS[edition]
    if not built(edition):
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html")
                  if not NOT_PAGES & set(p.relative_to(root).parts))


PARAMS = []
for _edition in EDITIONS:
    PARAMS += [pytest.param(_edition, page, id=f"{_edition}:{page}") for page in pages(_edition)] or \
              [pytest.param(_edition, None, id=f"{_edition}:not-built")]


def expected_boxes(edition: str, page: str) -> dict[str, int] | None:
    """How many theorem-like, exercise and solution boxes the page's MyST source asks for."""
    stem = page[:-len(".html")]
    source = EDITIONS[edition] / "_sources" / f"{stem}.md"
    if not source.is_file():
        return None
    counts = {"proof": 0, "exercise": 0, "solution": 0}
    for m in BOX_DIRECTIVE.finditer(source.read_text(encoding="utf-8")):
        name = m["name"]
        key = "proof" if name.startswith("prf:") else name.removesuffix("-start")
        counts[key] += 1
    return counts


# ---------------------------------------------------------------------------------------------------
# fixtures: one local HTTP server per edition, one browser for the whole module


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


@pytest.fixture(scope="module")
def servers():
    running, urls = [], {}
    for edition, root in EDITIONS.items():
        if not built(edition):
            continue
        handler = functools.partial(_QuietHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # a free port
        threading.Thread(target=server.serve_forever, daemon=True).start()
        running.append(server)
        urls[edition] = f"http://127.0.0.1:{server.server_address[1]}/"
    yield urls
    for server in running:
        server.shutdown()
        server.server_close()


class Browser:
    """A Chromium context whose non-localhost requests are aborted and remembered."""

    def __init__(self, context):
        self.context = context
        self.blocked: list[str] = []
        context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        parts = urllib.parse.urlsplit(url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOCAL_HOSTS:
            self.blocked.append(url)
            route.abort("blockedbyclient")
        else:
            route.continue_()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not Path(CHROMIUM).is_file():
        unavailable(f"no browser: {CHROMIUM} not found (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("no browser driver: the Python package playwright is not installed (pip install -e '.[test]')")
    manager = sync_playwright().start()
    try:
        context = manager.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900}, service_workers="block")
    except PlaywrightError as err:
        manager.stop()
        unavailable(f"Chromium could not be started: {str(err).splitlines()[0]}")
    context.set_default_timeout(180_000)
    yield Browser(context)
    context.close()
    manager.stop()


def static_text(element) -> str:
    return re.sub(r"\s+", " ", element.get_text(" ")).strip()


def solution_texts(page: str) -> list[str]:
    """The paragraphs, list items and code blocks of the instructor edition's solutions on `page`,
    read from the built HTML (before MathJax, so they compare with the student edition's HTML)."""
    from bs4 import BeautifulSoup

    source = EDITIONS["instructor"] / page
    if not source.is_file():
        return []
    soup = BeautifulSoup(source.read_text(encoding="utf-8"), "html.parser")
    texts = []
    for solution in soup.select("div.solution"):
        for element in solution.select("p, li, pre"):
            text = static_text(element)
            if len(text) >= 25:
                texts.append(text)
    return texts


def redirect_target(edition: str, page: str) -> str | None:
    """The page a redirect page (Jupyter Book's index.html) sends the browser to."""
    m = re.search(r'<meta http-equiv="Refresh" content="\d+;\s*url=([^"]+)"',
                  (EDITIONS[edition] / page).read_text(encoding="utf-8"), flags=re.I)
    return urllib.parse.urljoin(page, m[1]) if m else None


@pytest.fixture(scope="module")
def report():
    """What each page showed (blocked requests included), written to _build/screenshots/report.json."""
    results = {}
    yield results
    if results:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / "report.json").write_text(json.dumps(results, indent=1, sort_keys=True))


# ---------------------------------------------------------------------------------------------------

INSPECT = """() => {
  // sections below the first screen render when scrolled to (content-visibility): render them all to measure
  const force = document.createElement('style');
  force.textContent = 'article.bd-article section section { content-visibility: visible !important; }';
  document.head.appendChild(force);
  const all = (root, sel) => Array.from(root.querySelectorAll(sel));
  const box = e => ({id: e.id, height: e.getBoundingClientRect().height,
                     title: (e.querySelector('.admonition-title') || {textContent: ''}).textContent.trim()});
  const math = all(document, '.math');
  const visible = document.body.cloneNode(true);
  all(visible, 'pre, code, script, style, noscript, textarea, mjx-container, .highlight').forEach(e => e.remove());
  return {
    title: document.title,
    math: math.length,
    untypeset: math.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 80)),
    mjx: all(document, 'mjx-container').length,
    mathErrors: all(document, 'mjx-merror').map(e => e.textContent.slice(0, 80)),
    // a character MathJax's CSS draws (its ::before content) but that has no rule shows as nothing
    glyphless: all(document, 'mjx-c').filter(e => !e.textContent && getComputedStyle(e, '::before').content === 'none')
                   .map(e => e.className).slice(0, 10),
    text: visible.textContent.replace(/\\s+/g, ' '),
    fullText: document.body.textContent.replace(/\\s+/g, ' '),
    url: location.pathname,
    images: all(document, 'img').length,
    brokenImages: all(document, 'img').filter(i => !(i.complete && i.naturalWidth > 0))
                      .map(i => i.getAttribute('src')),
    proofs: all(document, 'div.proof').map(box),
    exercises: all(document, 'div.exercise').map(box),
    solutions: all(document, 'div.solution').map(box),
    binder: all(document, 'a[href*="mybinder.org/v2/gh/"]').map(a => a.href),
    downloads: all(document, 'a[href*="_sources/"]').map(a => a.getAttribute('href')),
  };
}"""

WAIT_FOR_MATHJAX = """async () => {
  if (document.querySelector('meta[name="accelbook-math"][content="prerendered"]')) {
    return 'prerendered';
  }
  if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
    await window.MathJax.startup.promise;
    return 'typeset';
  }
  return document.querySelector('script[src*="mathjax"]') ? 'not loaded' : 'no mathjax on this page';
}"""


EXPLORERS_READY = """() => Array.from(document.querySelectorAll('div.accelbook-explorer'))
  .every(e => e.hasAttribute('data-ready'))"""


@pytest.mark.parametrize("edition, page", PARAMS)
def test_page(browser, servers, report, edition, page):
    from bs4 import BeautifulSoup

    if page is None:
        unavailable(f"the {edition} edition is not built ({EDITIONS[edition]}/index.html missing): "
                    f"run `{BUILD_HINT[edition]}` first (`make test` does both)")
    console_errors, page_errors, http_errors, failed = [], [], [], []
    browser.blocked.clear()
    tab = browser.context.new_page()
    tab.on("console", lambda m: console_errors.append(f"{m.text} ({m.location.get('url', '')})")
           if m.type == "error" else None)
    tab.on("pageerror", lambda e: page_errors.append(str(e)))
    tab.on("response", lambda r: http_errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    tab.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
    try:
        tab.goto(servers[edition] + page, wait_until="load")
        target = redirect_target(edition, page)
        if target is not None:
            tab.wait_for_url(servers[edition] + target)
            tab.wait_for_load_state("load")
        mathjax = tab.evaluate(WAIT_FOR_MATHJAX)
        tab.wait_for_function("() => Array.from(document.images).every(i => i.complete)", polling=200)
        tab.wait_for_function(EXPLORERS_READY, polling=200)
        tab.evaluate("() => document.fonts.ready.then(() => document.fonts.status)")  # MathJax's webfonts
        shot = SCREENSHOTS / ("student" if edition == "student" else "") / (page[:-len(".html")].replace("/", "__") + ".png")
        shot.parent.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(shot), full_page=True)
        facts = tab.evaluate(INSPECT)
    finally:
        tab.close()
    blocked = list(browser.blocked)
    report[f"{edition}:{page}"] = {k: v for k, v in facts.items() if k not in {"text", "fullText"}} | {
        "blocked": blocked, "console_errors": console_errors, "page_errors": page_errors,
        "http_errors": http_errors, "mathjax": mathjax, "screenshot": str(shot.relative_to(ROOT))}

    # offline: nothing but localhost was requested, and nothing local was missing
    assert not blocked, f"{page} requested {len(blocked)} non-localhost resources: {blocked}"
    assert not http_errors and not failed, f"{page}: local resources failed: {http_errors + failed}"
    # no JavaScript errors
    assert not console_errors, f"{page}: console errors: {console_errors}"
    assert not page_errors, f"{page}: uncaught page errors: {page_errors}"
    # mathematics typeset
    if facts["math"]:
        assert mathjax in ("typeset", "prerendered"), f"{page} has {facts['math']} math elements but MathJax is '{mathjax}'"
        assert not facts["untypeset"], f"{page}: math not typeset: {facts['untypeset'][:5]}"
        assert facts["mjx"] >= facts["math"]
    assert not facts["mathErrors"], f"{page}: MathJax errors: {facts['mathErrors']}"
    assert not facts["glyphless"], f"{page}: characters without a glyph rule: {facts['glyphless']}"
    raw = [facts["text"][max(m.start() - 40, 0):m.end() + 40] for m in RAW_TEX.finditer(facts["text"])]
    assert not raw, f"{page}: raw TeX visible outside code: {raw[:5]}"
    # images
    assert not facts["brokenImages"], f"{page}: images not loaded: {facts['brokenImages']}"
    # theorem-like, exercise and solution boxes: as many as the page's source has, each with a title
    expected = expected_boxes(edition, page)
    if expected is not None:
        for kind, boxes in (("proof", facts["proofs"]), ("exercise", facts["exercises"]),
                            ("solution", facts["solutions"])):
            assert len(boxes) == expected[kind], \
                f"{page}: {len(boxes)} {kind} boxes rendered, the source has {expected[kind]}"
            for b in boxes:
                assert b["height"] > 0 and b["title"], f"{page}: {kind} box {b['id']} not rendered: {b}"
    # notebook pages: a download-as-notebook button, and in the instructor edition a Binder launch
    # button (not in the student edition: Binder opens the repository, solutions included)
    if (EDITIONS[edition] / "_sources" / page.replace(".html", ".ipynb")).is_file():
        md = page.replace(".html", ".md")
        if edition == "instructor":
            assert any(link.endswith(f"urlpath=lab/tree/{md}") for link in facts["binder"]), \
                f"{page}: no Binder launch button for {md}: {facts['binder']}"
        else:
            assert not facts["binder"], f"{page}: a Binder button in the student edition: {facts['binder']}"
        assert any(link.endswith(page.rsplit("/", 1)[-1].replace(".html", ".ipynb")) for link in facts["downloads"]), \
            f"{page}: no download-as-notebook button: {facts['downloads']}"
    # classroom: the student edition has no solution and none of the instructor edition's solution text
    if edition == "student":
        assert not facts["solutions"], f"{page}: the student edition shows solutions: {facts['solutions']}"
        assert "Solution to Exercise" not in facts["fullText"], f"{page}: a solution title in the student edition"
        if expected is not None:
            assert expected["solution"] == 0, f"{page}: the student edition's source still has solutions"
        soup = BeautifulSoup((EDITIONS["student"] / page).read_text(encoding="utf-8"), "html.parser")
        student_html = static_text(soup.body or soup)
        leaked = [t for t in solution_texts(page) if t in student_html]
        assert not leaked, f"{page}: the student edition contains solution text: {leaked[:3]}"
        instructor = expected_boxes("instructor", page) if built("instructor") else None
        if instructor is not None and expected is not None:
            assert expected["exercise"] == instructor["exercise"], f"{page}: exercises lost in the student edition"


@pytest.mark.parametrize("edition", list(EDITIONS))
def test_search_finds_a_term(browser, servers, edition):
    if not built(edition):
        unavailable(f"the {edition} edition is not built: run `{BUILD_HINT[edition]}` first")
    browser.blocked.clear()
    tab = browser.context.new_page()
    errors = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        tab.goto(servers[edition] + "search.html?q=momentum", wait_until="load")
        tab.wait_for_selector("#search-results ul.search li", timeout=30_000)
        results = tab.eval_on_selector_all("#search-results ul.search li a",
                                           "links => links.map(a => a.getAttribute('href'))")
        shot = SCREENSHOTS / ("student" if edition == "student" else "") / "search-momentum.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(shot), full_page=True)
    finally:
        tab.close()
    assert any(link.startswith("chapters/") for link in results), f"search for 'momentum' found no chapter: {results}"
    assert not errors and not browser.blocked, (errors, browser.blocked)


# ---------------------------------------------------------------------------------------------------
# the in-page explorers

def explorer_pages(edition: str) -> list[str]:
    root = EDITIONS[edition]
    return [page for page in pages(edition) if 'class="accelbook-explorer"' in (root / page).read_text(encoding="utf-8")]


EXPLORER_PARAMS = []
for _edition in EDITIONS:
    EXPLORER_PARAMS += [pytest.param(_edition, page, id=f"{_edition}:{page}") for page in explorer_pages(_edition)] \
        or [pytest.param(_edition, None, id=f"{_edition}:no-explorer-page")]

# what one explorer shows: its parameter values (as the page holds them and as it prints them), its
# summary, and its drawing
EXPLORER_STATE = """host => {
  const shadow = host.shadowRoot;
  return {
    values: JSON.parse(host.getAttribute('data-values')),
    frames: Number(host.getAttribute('data-frames')),
    shown: Array.from(shadow.querySelectorAll('.abx-param')).map(p => [p.querySelector('input').name,
                                                                     p.querySelector('output').textContent]),
    summary: Array.from(shadow.querySelectorAll('.abx-row')).map(r => [r.querySelector('dt').textContent,
                                                                      r.querySelector('dd').textContent]),
    drawing: Array.from(shadow.querySelectorAll('svg')).map(s => s.innerHTML).join('|'),
    sliders: Array.from(shadow.querySelectorAll('input[type=range]')).map(i => ({name: i.name, min: Number(i.min),
                                                                               max: Number(i.max), step: i.step})),
  };
}"""

SET_SLIDER = """(host, [name, value]) => {
  const input = host.shadowRoot.querySelector(`input[name="${name}"]`);
  input.value = String(value);
  input.dispatchEvent(new Event('input', {bubbles: true, composed: true}));
}"""


def _explorer(source: str):
    import importlib
    module, _, attr = source.partition(":")
    return getattr(importlib.import_module(module), attr)


def _check_state(explorer, state, where):
    params = {p.name: p for p in explorer.params}
    for name, text in state["shown"]:
        value = state["values"][name]
        expected = str(int(value)) if params[name].integer else format(float(value), ".4g")
        assert text == expected, f"{where}: parameter {name} shows {text!r}, the page holds {value!r}"
    expected = explorer.quantities(**state["values"])
    assert dict(state["summary"]) == expected, f"{where} at {state['values']}: the page shows {state['summary']}, " \
                                               f"accelbook computes {expected}"
    assert [k for k, _ in state["summary"]] == list(expected), f"{where}: summary order"


@pytest.mark.parametrize("edition, page", EXPLORER_PARAMS)
def test_explorers_move_and_show_accelbooks_values(browser, servers, edition, page):
    if page is None:
        unavailable(f"the {edition} edition has no page with an in-page explorer (not built, or no explorer)")
    errors = []
    browser.blocked.clear()
    tab = browser.context.new_page()
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    rng = __import__("numpy").random.default_rng(0)
    try:
        tab.goto(servers[edition] + page, wait_until="load")
        tab.wait_for_function(EXPLORERS_READY, polling=200)
        hosts = tab.query_selector_all("div.accelbook-explorer")
        assert hosts, f"{page}: no explorer"
        for host in hosts:
            payload = json.loads(host.evaluate("h => h.querySelector('script.abx-data').textContent"))
            explorer = _explorer(payload["source"])
            state = host.evaluate(EXPLORER_STATE)
            _check_state(explorer, state, f"{page} {payload['name']} (default)")
            for slider in state["sliders"]:
                handle = host.evaluate_handle(f"h => h.shadowRoot.querySelector('input[name=\"{slider['name']}\"]')")
                for key in ("Home", "End"):                   # real key presses: both ends of the slider
                    before = host.evaluate(EXPLORER_STATE)
                    handle.as_element().focus()
                    tab.keyboard.press(key)
                    after = host.evaluate(EXPLORER_STATE)
                    if after["values"] != before["values"]:
                        assert after["frames"] > before["frames"], f"{page} {slider['name']} {key}: no redraw"
                        assert after["drawing"] != before["drawing"], \
                            f"{page} {payload['name']}: moving {slider['name']} to {after['values']} changed nothing"
                    _check_state(explorer, after, f"{page} {payload['name']} {slider['name']} {key}")
                for _ in range(2):                            # inner positions
                    if payload["mode"] == "grid":
                        value = int(rng.integers(slider["min"], slider["max"] + 1))
                    else:
                        step = float(slider["step"])
                        value = slider["min"] + step * int(rng.integers(0, round((slider["max"] - slider["min"]) / step) + 1))
                    host.evaluate(SET_SLIDER, [slider["name"], value])
                    _check_state(explorer, host.evaluate(EXPLORER_STATE), f"{page} {payload['name']} {slider['name']}")
    finally:
        tab.close()
    assert not errors, f"{page}: console errors: {errors}"
    assert not browser.blocked, f"{page}: requests left localhost: {browser.blocked}"
