"""_ext/math_prerender.py: formulas typeset at build time replace the TeX, and each page carries the CSS its
characters need (MathJax's own stylesheet, filtered)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
mp = pytest.importorskip("math_prerender")
NODE_MATHJAX = ROOT / ".vendor" / "node" / "mathjax"

PAGE = """<html><head><script>window.MathJax = {"options": {}}</script>
<script defer="defer" src="../_static/mathjax/tex-mml-chtml.js?v=1"></script></head><body>
<p>Let <span class="math notranslate nohighlight">\\(a &lt; b\\)</span> and</p>
<div class="amsmath math notranslate nohighlight" id="equation-x">
<span class="eqno">(2.1)<a class="headerlink" href="#equation-x">#</a></span>\\[x \\tag*{Wang et al. (12)}\\]</div>
</body></html>"""

CSS = """mjx-c {\n  display: inline-block;\n}\n\nmjx-c.mjx-c61.TEX-I::before {\n  content: "a";\n}\n\n""" \
      """mjx-c.mjx-c7B::before {\n  content: "{";\n}\n\nmjx-c.mjx-c62.TEX-I::before {\n  content: "b";\n}\n\n""" \
      """@font-face /* 1 */ {\n  font-family: MJXTEX;\n  src: url("@ACCELBOOK-FONTS@/Main.woff") format("woff");\n}\n\n""" \
      """@font-face /* 2 */ {\n  font-family: MJXTEX-I;\n  src: url("@ACCELBOOK-FONTS@/Italic.woff") format("woff");\n}"""


def _rules(css):
    return [(m[1].strip(), m[2].strip(), set(re.findall(r"\.(mjx-c[0-9A-F]+)\b", m[1]))) for m in mp.RULE.finditer(css)]


def test_rewrite_replaces_every_formula_and_drops_the_mathjax_scripts():
    cache = {"Ia < b": '<mjx-container><mjx-c class="mjx-c61 TEX-I"></mjx-c></mjx-container>',
             "Dx \\tag*{Wang et al. (12)}": '<mjx-container display="true"></mjx-container>'}
    out = mp.rewrite(PAGE, cache, _rules(CSS), "../fonts")
    assert "\\(" not in out and "\\[" not in out and "tex-mml-chtml" not in out and "window.MathJax" not in out
    assert out.count("<mjx-container") == 2 and '<span class="eqno">(2.1)' in out
    assert mp.MARK in out
    css = re.search(r'<style id="accelbook-math-css">(.*?)</style>', out, re.S)[1]
    assert 'content: "a"' in css and 'content: "b"' not in css          # only the characters the page uses
    assert 'url("../fonts/Main.woff")' in css
    preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="font"', out)
    assert preloads == ["../fonts/Main.woff", "../fonts/Italic.woff"]        # the fonts its characters use


def test_css_rules_with_braces_in_their_content_are_kept_whole():
    rules = _rules(CSS)
    assert [sel for sel, _, _ in rules][:3] == ["mjx-c", "mjx-c.mjx-c61.TEX-I::before", "mjx-c.mjx-c7B::before"]
    css = mp.page_css(rules, 'class="mjx-c7B"', "f")
    assert 'mjx-c.mjx-c7B::before{content: "{";}' in css and "mjx-c61" not in css


@pytest.mark.skipif(shutil.which("node") is None or not (NODE_MATHJAX / "startup.js").is_file(),
                    reason="node or .vendor/node/mathjax (tools/vendor_mathjax.py) missing")
def test_node_typesets_and_every_used_character_has_its_rule():
    import json
    items = [{"tex": r"\eta = c/L_1,\ \{x\}", "display": False}, {"tex": r"\sum_{s<t} A^s \tag*{(12)}", "display": True}]
    proc = subprocess.run(["node", str(mp.SCRIPT), str(NODE_MATHJAX)], input=json.dumps({"items": items}),
                          capture_output=True, text=True, check=True)
    html = json.loads(proc.stdout)["html"]
    assert all(h.startswith("<mjx-container") for h in html) and "mjx-merror" not in "".join(html)
    css = subprocess.run(["node", str(mp.SCRIPT), str(NODE_MATHJAX), "--css", mp.FONT_MARK], capture_output=True,
                         text=True, check=True).stdout
    page_css = mp.page_css(_rules(css), "".join(html), "f")
    for char in set(re.findall(r"mjx-c[0-9A-F]+", "".join(html))):
        assert re.search(rf"\.{char}\b[^{{]*::before\{{[^}}]*content:", page_css), f"no content rule for {char}"
