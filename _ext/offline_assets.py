"""Sphinx extension: the book loads nothing from the internet.

- MathJax 3 is served from the book itself. `tools/vendor_mathjax.py` (run by the Makefile) installs it
  from the npm registry into `.vendor/static/mathjax/`; this extension adds `.vendor/static` to
  `html_static_path` and points `mathjax_path` at the copy, so a page with mathematics gets one
  deferred script, `_static/mathjax/tex-mml-chtml.js`, which finds its fonts and TeX extensions next to
  itself. (The folder is deliberately not the book's `_static/`: Jupyter Book 1 adds every *.js/*.css
  found there to every page.)
- Widget views: the chapters keep live ipywidgets explorers out of the HTML (cells tagged
  `remove-output`, with a static figure before them), so the RequireJS and @jupyter-widgets/html-manager
  scripts that myst-nb would load from CDNs are not needed: `nb_ipywidgets_js` is emptied.
- Thebe (live code on the page) is off (`launch_buttons.thebe` is false; Binder is the way to run a
  chapter), but sphinx-thebe still adds its configuration script to every page, twice under Jupyter
  Book 1, and the second copy is a JavaScript error ("Identifier 'THEBE_JS_URL' has already been
  declared"); the thebe bundle itself would come from a CDN. Those scripts are dropped, and any other
  script added twice is kept once.

The browser test (tests/test_browser.py) blocks every request that is not for localhost and fails if
any page attempts one.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.errors import ConfigError

MATHJAX_ENTRY = "mathjax/tex-mml-chtml.js"


def _config_inited(app, config):
    static = Path(app.srcdir) / ".vendor" / "static"
    if not (static / MATHJAX_ENTRY).is_file():
        raise ConfigError(
            f"MathJax is not installed in {static / 'mathjax'}: build the book with `make book` "
            "(or run `python tools/vendor_mathjax.py` first); the book never loads MathJax from a CDN."
        )
    if str(static) not in [str(p) for p in config.html_static_path]:
        config.html_static_path = [*config.html_static_path, str(static)]
    config.mathjax_path = MATHJAX_ENTRY
    config.nb_ipywidgets_js = {}


def _page_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts or app.config.html_theme_options.get("launch_buttons", {}).get("thebe"):
        return
    kept, seen = [], set()
    for js in scripts:
        filename = str(getattr(js, "filename", js) or "")
        attributes = getattr(js, "attributes", {})
        if "THEBE_JS_URL" in attributes.get("body", "") or filename.endswith("sphinx-thebe.js"):
            continue
        key = (filename, tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(js)
    context["script_files"] = kept


def setup(app):
    app.connect("config-inited", _config_inited)
    app.connect("html-page-context", _page_scripts, priority=900)  # after every asset is added
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
