"""Sphinx extension: every formula pre-rendered to MathJax CHTML at build time; pages load no MathJax script.

A page used to wait for MathJax (1.2 MB of script) to typeset a few hundred formulas in the browser: 2 s
and more on these machines.  After the HTML is written (``build-finished``), this extension reads every
page's ``\\(...\\)`` spans and ``\\[...\\]`` blocks (as Sphinx's MathJax renderer writes them), typesets
them with MathJax 3 in node (``_ext/math_prerender.js``, MathJax from ``.vendor/node/mathjax``: the same
version as the served one, assistive MathML included), puts the CHTML in place, drops the MathJax
scripts and puts in the page's head the part of MathJax's stylesheet that its characters need (MathJax's
"adaptive CSS", about 20 kB a page; the fonts are the vendored ones in ``_static/mathjax``).  A page so treated carries
``<meta name="accelbook-math" content="prerendered">`` and is skipped when an incremental build did not
rewrite it.  Typeset formulas are cached by their TeX in the doctree folder, so a warm rebuild calls
node only for new formulas; a cold build spreads the work over two node processes.

Off with ``accelbook_prerender_math = False`` (the browser then typesets, as before).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sphinx.errors import ConfigError, ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

SCRIPT = Path(__file__).resolve().parent / "math_prerender.js"
MARK = '<meta name="accelbook-math" content="prerendered">'
FONTS = "_static/mathjax/output/chtml/fonts/woff-v2"     # relative to the output folder
FONT_MARK = "@ACCELBOOK-FONTS@"
# MathJax writes "selector {\n  declarations\n}": a brace followed by a line break opens a rule and one at
# the start of a line closes it (a declaration may hold a brace, e.g. content: "{")
RULE = re.compile(r"(.*?)\{\n(.*?)\n\}", re.S)
CHAR = re.compile(r"\.?(mjx-c[0-9A-F]+)\b")
INLINE = re.compile(r'(<span class="math notranslate nohighlight">)\\\((.*?)\\\)(</span>)', re.S)
DISPLAY = re.compile(r'(<div class="(?:amsmath )?math notranslate nohighlight"[^>]*>\s*(?:<span class="eqno">.*?</span>)?)'
                     r'\s*\\\[(.*?)\\\]\s*(</div>)', re.S)
MATHJAX_SCRIPTS = re.compile(r'<script>window\.MathJax = .*?</script>\s*|<script [^>]*src="[^"]*mathjax/tex-mml-chtml\.js[^"]*"></script>\s*',
                             re.S)


def _node_dir(app):
    return Path(app.srcdir) / ".vendor" / "node" / "mathjax"


def _config_inited(app, config):
    if not config.accelbook_prerender_math:
        return
    if shutil.which("node") is None:
        raise ConfigError("node (Node.js) is needed to pre-render the book's mathematics (apt-get install nodejs), "
                          "or set accelbook_prerender_math = False")
    if not (_node_dir(app) / "startup.js").is_file():
        raise ConfigError(f"MathJax for node is not installed in {_node_dir(app)}: run `python tools/vendor_mathjax.py` "
                          "(`make book` does)")


def _typeset(app, items):
    """CHTML for each (tex, display), in order (two node processes when there are many)."""
    if not items:
        return []
    workers = 2 if len(items) > 200 and (os.cpu_count() or 1) > 1 else 1
    size = -(-len(items) // workers)
    chunks = [items[i:i + size] for i in range(0, len(items), size)]

    def run(chunk):
        proc = subprocess.run(["node", str(SCRIPT), str(_node_dir(app))], capture_output=True, text=True,
                              input=json.dumps({"items": [{"tex": t, "display": d} for t, d in chunk]}))
        if proc.returncode != 0:
            raise ExtensionError(f"math_prerender.js failed: {proc.stderr[-2000:]}")
        return json.loads(proc.stdout)["html"]

    with ThreadPoolExecutor(workers) as pool:
        return [h for part in pool.map(run, chunks) for h in part]


def _stylesheet(app, cache):
    """MathJax's whole CHTML stylesheet as (selector, body, characters it needs) rules (cached)."""
    if "css" not in cache:
        proc = subprocess.run(["node", str(SCRIPT), str(_node_dir(app)), "--css", FONT_MARK], capture_output=True, text=True)
        if proc.returncode != 0:
            raise ExtensionError(f"math_prerender.js --css failed: {proc.stderr[-2000:]}")
        cache["css"] = proc.stdout
    return [(m[1].strip(), m[2].strip(), set(re.findall(r"\.(mjx-c[0-9A-F]+)\b", m[1]))) for m in RULE.finditer(cache["css"])]


def page_css(rules, text, fonts_href):
    """The rules a page needs: every rule without a character class, and those of the characters it uses."""
    used = set(CHAR.findall(text))
    kept = [f"{sel}{{{body}}}" for sel, body, chars in rules if chars <= used]
    return "\n".join(kept).replace(FONT_MARK, fonts_href.replace(os.sep, "/"))


def _pages(outdir):
    for page in sorted(outdir.rglob("*.html")):
        if {"_static", "_sources", "_images"} & set(page.relative_to(outdir).parts):
            continue
        text = page.read_text(encoding="utf-8")
        if MARK not in text and "mathjax" in text:
            yield page, text


def rewrite(text, cache, rules, fonts_href):
    """The page with its formulas replaced by their CHTML from ``cache`` ({"I" or "D" + TeX: html}), the
    MathJax scripts removed, the mark and (if it has formulas) the stylesheet its characters need added."""
    text, n_inline = INLINE.subn(lambda m: m[1] + cache["I" + html.unescape(m[2])] + m[3], text)
    text, n_display = DISPLAY.subn(lambda m: m[1] + cache["D" + html.unescape(m[2])] + m[3], text)
    text = MATHJAX_SCRIPTS.sub("", text)
    head = ""
    if n_inline + n_display:
        css = page_css(rules, text, fonts_href)
        head = "".join(f'<link rel="preload" href="{url}" as="font" type="font/woff" crossorigin>\n'
                       for url in used_fonts(css, text)) + f'<style id="accelbook-math-css">{css}</style>\n'
    return text.replace("</head>", f"{MARK}\n{head}</head>", 1)


def used_fonts(css, text):
    """The font files of the TeX fonts the page's characters use (preloaded while the page parses)."""
    out = []
    for family, url in re.findall(r'@font-face[^{]*\{\s*font-family: (MJX[A-Z0-9-]*);\s*src: url\("([^"]+)"\)', css):
        variant = family[len("MJX"):]            # MJXTEX-I -> TEX-I, used as a class name by its characters
        if family in ("MJXZERO", "MJXTEX") or re.search(rf'class="[^"]*\b{re.escape(variant)}\b', text):
            out.append(url)
    return out


def _build_finished(app, exception):
    if exception is not None or app.builder.format != "html" or not app.config.accelbook_prerender_math:
        return
    outdir = Path(app.outdir)
    cache_file = Path(app.doctreedir) / "accelbook-math-cache.json"
    cache = json.loads(cache_file.read_text(encoding="utf-8")) if cache_file.is_file() else {}
    pages = list(_pages(outdir))
    wanted = {}
    for _, text in pages:
        for m in INLINE.finditer(text):
            wanted[("I", html.unescape(m[2]))] = None
        for m in DISPLAY.finditer(text):
            wanted[("D", html.unescape(m[2]))] = None
    todo = [k for k in wanted if k[0] + k[1] not in cache]
    for (kind, tex), out in zip(todo, _typeset(app, [(tex, kind == "D") for kind, tex in todo])):
        cache[kind + tex] = out
    rules = _stylesheet(app, cache)
    for page, text in pages:
        page.write_text(rewrite(text, cache, rules, os.path.relpath(outdir / FONTS, page.parent)), encoding="utf-8")
    cache_file.write_text(json.dumps(cache), encoding="utf-8")
    logger.info(f"math_prerender: {len(wanted)} formulas on {len(pages)} pages ({len(todo)} typeset, the rest cached)")


def setup(app):
    app.add_config_value("accelbook_prerender_math", True, "html")
    app.connect("config-inited", _config_inited)
    app.connect("build-finished", _build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
