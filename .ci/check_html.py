"""Fail if the built HTML shows MyST source that was not parsed (e.g. a directive whose fence broke),
a figure without alt text, an assignment's grading cell, or anything loaded from the internet (a script, stylesheet, font, image or
frame with an http(s) address: the book must render offline). Run after each strict build by
`make test`; the browser test (tests/test_browser.py) then checks the pages as a reader sees them."""

import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "_build/html")
pages = [p for p in root.rglob("*.html") if "_static" not in p.parts and "reports" not in p.parts]
# a resource the browser would fetch by itself (links to other sites, <a href>, are fine)
REMOTE = re.compile(r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc=[\"'](?:https?:)?//[^\"']+"
                    r"|<link\b[^>]*\bhref=[\"'](?:https?:)?//[^\"']+[^>]*>", flags=re.I)
problems = []
for page in pages:
    text = page.read_text(encoding="utf-8")
    for marker in ("```{", "{prf:", "{code-cell}", "{exercise}", "{solution", ":label:", "{glue:", "{footcite"):
        if marker in text:
            problems.append(f"{page}: unparsed MyST source '{marker}'")
    if "# otter:" in text or "{raw-cell}" in text:  # grading cells of the assignments stay out of the book
        problems.append(f"{page}: shows an assignment's grading cell (a raw cell, tools/assignment_source.py)")
    for tag in re.findall(r"<img\b[^>]*>", text):
        if not re.search(r'alt="[^"]+"', tag):
            problems.append(f"{page}: image without alt text: {tag[:80]}")
    for m in REMOTE.finditer(text):
        tag = m.group(0)
        if tag.lower().startswith("<link") and not re.search(r"rel=[\"'](?:stylesheet|preload|modulepreload|icon|manifest)", tag, re.I):
            continue  # canonical, alternate, ... : not fetched
        problems.append(f"{page}: loads a resource from the internet: {tag[:120]}")
if not pages:
    problems.append(f"no HTML pages under {root}")
print("\n".join(problems) if problems else
      f"HTML check: {len(pages)} pages, no unparsed MyST, every image has alt text, nothing loaded from the internet")
sys.exit(1 if problems else 0)
