"""Sphinx extension: the in-page explorers' script and style, on the pages that hold one.

A chapter cell displays ``accelbook.webexplorer.embed(...)``: a ``<div class="accelbook-explorer">`` with
its data inside (computed when the notebook runs, so the execution cache keeps it).  This extension adds
``_ext/web/`` to the static files and, on the pages whose body holds such a div, the scripts
``accelbook-mirrors.js`` and ``accelbook-explorer.js`` (deferred) and ``accelbook-explorer.css``.  Nothing
is loaded from the internet; other pages get nothing of it.  Every page gets ``accelbook-page.css``
(sections below the first screen are rendered when they come near the viewport: a long chapter shows
its first screen at once).
"""

from __future__ import annotations

from pathlib import Path

WEB = Path(__file__).resolve().parent / "web"
MARKER = 'class="accelbook-explorer"'


def _config_inited(app, config):
    if str(WEB) not in [str(p) for p in config.html_static_path]:
        config.html_static_path = [*config.html_static_path, str(WEB)]


def _page(app, pagename, templatename, context, doctree):
    if MARKER not in (context.get("body") or ""):
        return
    app.add_css_file("accelbook-explorer.css")
    app.add_js_file("accelbook-mirrors.js", loading_method="defer")
    app.add_js_file("accelbook-explorer.js", loading_method="defer")


def _refresh(app, exception):
    """Sphinx copies static files only when it writes pages: keep the front end current in any build."""
    if exception is not None or app.builder.format != "html":
        return
    for source in WEB.iterdir():
        target = Path(app.outdir) / "_static" / source.name
        if source.is_file() and (not target.is_file() or target.read_bytes() != source.read_bytes()):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())


def setup(app):
    app.add_css_file("accelbook-page.css")
    app.connect("config-inited", _config_inited)
    app.connect("build-finished", _refresh)
    app.connect("html-page-context", _page)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
