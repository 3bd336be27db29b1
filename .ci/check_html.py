"""Fail if the built HTML shows MyST source that was not parsed (e.g. a directive whose fence broke),
or a figure without alt text. Run after the strict build by `make test`."""

import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "_build/html")
pages = [p for p in root.rglob("*.html") if "_static" not in p.parts and "reports" not in p.parts]
problems = []
for page in pages:
    text = page.read_text(encoding="utf-8")
    for marker in ("```{", "{prf:", "{code-cell}", "{exercise}", "{solution", ":label:", "{glue:", "{footcite"):
        if marker in text:
            problems.append(f"{page}: unparsed MyST source '{marker}'")
    for tag in re.findall(r"<img\b[^>]*>", text):
        if not re.search(r'alt="[^"]+"', tag):
            problems.append(f"{page}: image without alt text: {tag[:80]}")
if not pages:
    problems.append(f"no HTML pages under {root}")
print("\n".join(problems) if problems else f"HTML check: {len(pages)} pages, no unparsed MyST, every image has alt text")
sys.exit(1 if problems else 0)
