"""Build the student edition of the book: every solution removed, not merely collapsed.

    python tools/student_edition.py [--strict] [--out _build/student/html]

sphinx-exercise's `hide_solutions` crashes on gated solutions, so this copies the book's source to a
temporary folder, deletes from every MyST Markdown page

- each ```{solution}``` directive (backtick or colon fence, with everything inside it), and
- each gated solution: the ```{solution-start}``` block, everything after it (prose and code cells)
  and the closing ```{solution-end}``` block,

together with a `(label)=` target written directly above either, then builds the copy with
`jupyter-book` and moves its HTML to `--out`. Exercises stay. The edition has no Binder button (Binder
opens the repository, solutions included); its download buttons give the stripped notebooks. `--strict` builds as `make test` does
(`--all -W -n --keep-going`, execution cache emptied first). `make student` runs this.

The stripping is `strip_solutions`, unit-tested in tests/test_student_edition.py.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# An opening or closing fence: ``` / ~~~ (code and directives) or ::: (MyST colon-fence directives).
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*?)\s*$")
DIRECTIVE = re.compile(r"^\{(?P<name>[^}\s]+)\}")
TARGET = re.compile(r"^\s*\([^()\s]+\)=\s*$")
# Directives whose body is literal text: a fence inside them is content, not structure.
LITERAL = {"code-cell", "code", "code-block", "sourcecode", "raw-cell", "raw", "math", "literalinclude"}


class SolutionSyntaxError(ValueError):
    """A solution block that cannot be removed safely (unclosed fence, unbalanced gate)."""


def _fence(line: str):
    m = FENCE.match(line.rstrip("\r\n"))
    if m is None:
        return None
    info = m["info"].strip()
    d = DIRECTIVE.match(info)
    return m["fence"][0], len(m["fence"]), info, (d["name"] if d else None)


def _block_end(lines: list[str], start: int, char: str, length: int) -> int:
    """Index just past the fence that closes the block opened at `start`."""
    for j in range(start + 1, len(lines)):
        f = _fence(lines[j])
        if f and f[0] == char and f[1] >= length and not f[2]:
            return j + 1
    raise SolutionSyntaxError(f"line {start + 1}: fence {char * length} is never closed")


def _drop_target(out: list[str]) -> None:
    """Remove a `(label)=` target that sits directly above a removed block (blank lines allowed)."""
    k = len(out)
    while k and not out[k - 1].strip():
        k -= 1
    if k and TARGET.match(out[k - 1]):
        del out[k - 1:]


def strip_solutions(text: str) -> tuple[str, int]:
    """Return `text` with every solution removed, and how many solutions were removed.

    Handles ```{solution}``` / :::{solution} directives of any fence length (with nested fences inside),
    gated `{solution-start}` ... `{solution-end}` regions (with the code cells between them), and leaves
    fenced code alone (a ```{solution}``` quoted inside a code block or code cell is not a solution).
    """
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    stack: list[tuple[str, int]] = []  # open container directives: (fence char, fence length)
    gate: int | None = None  # inside a gated solution: the container depth at its {solution-start}
    gate_line = 0
    removed = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        f = _fence(line)
        dropping = gate is not None
        if f is None:
            if not dropping:
                out.append(line)
            i += 1
            continue
        char, length, info, name = f
        if not info and stack and stack[-1][0] == char and length >= stack[-1][1]:
            stack.pop()  # closes a container directive
            if dropping and len(stack) < gate:
                raise SolutionSyntaxError(f"line {gate_line}: solution-start is closed by its container "
                                          "before its solution-end")
            if not dropping:
                out.append(line)
            i += 1
            continue
        if name == "solution":
            j = _block_end(lines, i, char, length)
            if not dropping:
                _drop_target(out)
                removed += 1
            i = j
            continue
        if name == "solution-start":
            if dropping:
                raise SolutionSyntaxError(f"line {i + 1}: solution-start inside the gated solution of line {gate_line}")
            i = _block_end(lines, i, char, length)
            _drop_target(out)
            removed += 1
            gate, gate_line = len(stack), i
            continue
        if name == "solution-end":
            if gate is None or gate != len(stack):
                raise SolutionSyntaxError(f"line {i + 1}: solution-end without a matching solution-start")
            i = _block_end(lines, i, char, length)
            gate = None
            continue
        if (name is None and char != ":") or name in LITERAL:
            j = _block_end(lines, i, char, length)  # fenced code: copied (or dropped) whole
            if not dropping:
                out.extend(lines[i:j])
            i = j
            continue
        if name is not None:
            stack.append((char, length))  # any other directive may contain solutions: look inside
        if not dropping:
            out.append(line)
        i += 1
    if gate is not None:
        raise SolutionSyntaxError(f"line {gate_line}: solution-start without solution-end")
    return "".join(out), removed


IGNORE = shutil.ignore_patterns(".git", ".venv", ".vendor", "_build", ".hypothesis", ".pytest_cache",
                                "node_modules", "__pycache__", "*.egg-info", ".ipynb_checkpoints", "results")


def prepare_source(dest: Path, cache: Path) -> tuple[int, int]:
    """Copy the book's source to `dest` with solutions stripped; returns (files changed, solutions removed)."""
    import yaml

    shutil.copytree(ROOT, dest, ignore=IGNORE, symlinks=True)
    if (ROOT / ".vendor").exists():
        (dest / ".vendor").symlink_to(ROOT / ".vendor", target_is_directory=True)
    files = removed = 0
    for page in sorted(dest.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        try:
            new, n = strip_solutions(text)
        except SolutionSyntaxError as err:
            sys.exit(f"{page.relative_to(dest)}: {err}")
        if n:
            page.write_text(new, encoding="utf-8")
            files, removed = files + 1, removed + n
    for nb in dest.rglob("*.ipynb"):
        if "{solution" in nb.read_text(encoding="utf-8"):
            sys.exit(f"{nb.relative_to(dest)}: solutions in .ipynb pages are not stripped; write the page as MyST Markdown")
    config_path = dest / "_config.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["title"] = f"{config.get('title', 'accelbook')} (student edition)"
    config.setdefault("html", {})["announcement"] = "Student edition: the exercises are here, their solutions are not."
    config.setdefault("execute", {})["cache"] = str(cache)
    # Binder would open the repository's chapters, solutions included: the student edition offers the
    # download button instead (its .md/.ipynb are the stripped ones).
    config.setdefault("launch_buttons", {})["binderhub_url"] = ""
    config_path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return files, removed


def check_output(html: Path) -> None:
    """The built student edition must not contain a solution anywhere (pages, sources, notebooks)."""
    leaks = []
    for path in html.rglob("*"):
        if path.suffix not in {".html", ".md", ".ipynb", ".txt"} or "_static" in path.parts or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".html" and re.search(r'class="[^"]*\bsolution\b', text):
            leaks.append(f"{path}: a solution box")
        if path.suffix != ".html" and re.search(r"\{solution(-start|-end)?\}", text):
            leaks.append(f"{path}: a solution directive")
    if leaks:
        sys.exit("student edition contains solutions:\n" + "\n".join(leaks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "student" / "html")
    parser.add_argument("--strict", action="store_true", help="--all -W -n --keep-going, empty execution cache")
    args = parser.parse_args()
    out = args.out.resolve()
    cache = out.parent / ".jupyter_cache"
    if args.strict:
        shutil.rmtree(cache, ignore_errors=True)
    jb = Path(sys.executable).with_name("jupyter-book")
    with tempfile.TemporaryDirectory(prefix="accelbook-student-") as tmp:
        src = Path(tmp) / "book"
        files, removed = prepare_source(src, cache)
        print(f"student edition: removed {removed} solutions from {files} pages", flush=True)
        cmd = [str(jb), "build", str(src)] + (["--all", "-W", "-n", "--keep-going"] if args.strict else [])
        if subprocess.run(cmd).returncode != 0:
            reports = src / "_build" / "html" / "reports"
            for log in sorted(reports.glob("**/*.log")) if reports.exists() else []:
                print(f"--- {log.name}\n{log.read_text()[-3000:]}", file=sys.stderr)
            sys.exit("student edition: jupyter-book build failed")
        shutil.rmtree(out, ignore_errors=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(src / "_build" / "html", out)
    check_output(out)
    print(f"The student edition is at file://{out}/index.html")


if __name__ == "__main__":
    main()
