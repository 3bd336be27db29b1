"""Read the graded exercises of a chapter: prompt, solution code and grading specification.

A chapter's exercise is graded when its gated solution (```{solution-start} label``` ...
```{solution-end}```) contains a raw cell whose first line starts with ``# otter``: the grading
specification, in YAML, kept next to the solution it grades. myst-nb leaves raw cells out of the
HTML, and the student edition deletes the whole gated solution, so neither edition shows it.

    ````{raw-cell}
    # otter: grading of this exercise (tools/make_assignments.py); not shown in the book
    answer: Store the minimiser in `best_beta` and the minimum in `best_rho`.
    context: |                  # run before the answer cell (what the chapter had defined)
      import numpy as np
      import accelbook as ab
    tests:                      # otter-grader's exception-based tests, judged by properties
    - points: 1                 # public: students run it with grader.check(name)
      code: |
        def test_consistent(best_beta, best_rho): ...
    - points: 2
      hidden: true              # hidden: only when the assignment is graded
      code: |
        def test_minimal(best_beta, best_rho): ...
    wrong: |                    # a plausible wrong answer: passes the public tests, fails a hidden one
      best_beta, best_rho = 0.81, 0.9
    ````

Optional keys: ``name`` (the otter question name; default: the label without its ``chN-ex-`` prefix,
``-`` replaced by ``_``) and ``skeleton`` (code the student's answer cell starts with instead of ``...``).
The answer is the solution's code cells, run in order. ``parse_chapter`` is pure and unit-tested
(tests/test_assignments.py); tools/make_assignments.py writes the otter-grader notebooks from it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import yaml

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*?)\s*$")
DIRECTIVE = re.compile(r"^\{(?P<name>[^}\s]+)\}\s*(?P<arg>.*)$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
MARKER = re.compile(r"^#\s*otter\b")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SPEC_KEYS = {"name", "answer", "context", "skeleton", "tests", "wrong"}
TEST_KEYS = {"code", "points", "hidden"}


class GradingSpecError(ValueError):
    """A chapter's exercise or grading specification that cannot become an otter-grader question."""


@dataclass(frozen=True)
class Test:
    """One otter test case: a function ``def test_...(names)``; otter passes the notebook's variables."""

    code: str
    points: float
    hidden: bool


@dataclass(frozen=True)
class Question:
    """A graded exercise: where it comes from, what students see, the answer and how it is judged."""

    label: str
    name: str
    title: str
    prompt: str
    answer: str
    context: str
    solution: tuple[str, ...]
    skeleton: str
    tests: tuple[Test, ...]
    wrong: str

    @property
    def points(self) -> float:
        return sum(t.points for t in self.tests)

    @property
    def public_points(self) -> float:
        return sum(t.points for t in self.tests if not t.hidden)


def _fence(line):
    m = FENCE.match(line.rstrip("\r\n"))
    if m is None:
        return None
    info = m["info"].strip()
    d = DIRECTIVE.match(info)
    return m["fence"][0], len(m["fence"]), info, (d["name"] if d else None), (d["arg"].strip() if d else "")


def _block(lines, start):
    """(end index just past the closing fence, the lines inside) of the block opened at ``start``."""
    char, length = _fence(lines[start])[:2]
    for j in range(start + 1, len(lines)):
        f = _fence(lines[j])
        if f and f[0] == char and f[1] >= length and not f[2]:
            return j + 1, lines[start + 1:j]
    raise GradingSpecError(f"line {start + 1}: fence {char * length} is never closed")


def _split_options(body):
    """Directive options (``:key: value`` lines or a ``---`` YAML block) and the remaining body."""
    options, i = {}, 0
    if body and body[0].strip() == "---":
        end = next((k for k in range(1, len(body)) if body[k].strip() == "---"), None)
        if end is None:
            raise GradingSpecError("a '---' options block is never closed")
        options = yaml.safe_load("".join(body[1:end])) or {}
        i = end + 1
    while i < len(body) and OPTION.match(body[i].strip()):
        m = OPTION.match(body[i].strip())
        options[m["key"]] = m["value"]
        i += 1
    return options, "".join(body[i:]).strip("\n")


def _check_code(label, what, code):
    try:
        return ast.parse(code)
    except SyntaxError as err:
        raise GradingSpecError(f"{label}: {what} is not valid Python: {err.msg} (line {err.lineno})") from None


def parse_spec(text, label):
    """The grading specification in the raw cell ``text`` of the exercise ``label``, validated."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not isinstance(label, str) or not label:
        raise TypeError(f"label must be a non-empty str, got {label!r}")
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise GradingSpecError(f"{label}: the grading cell is not valid YAML: {err}") from None
    if not isinstance(spec, dict):
        raise GradingSpecError(f"{label}: the grading cell must be a YAML mapping, got {type(spec).__name__}")
    unknown = set(spec) - SPEC_KEYS
    if unknown:
        raise GradingSpecError(f"{label}: unknown keys {sorted(unknown)} in the grading cell (allowed: {sorted(SPEC_KEYS)})")
    for key in ("answer", "wrong"):
        if not isinstance(spec.get(key), str) or not spec[key].strip():
            raise GradingSpecError(f"{label}: '{key}' must be a non-empty string")
    for key in ("context", "skeleton"):
        if not isinstance(spec.get(key, ""), str):
            raise GradingSpecError(f"{label}: '{key}' must be a string, got {type(spec[key]).__name__}")
    default = re.sub(r"^ch\d+-ex-", "", label).replace("-", "_")
    name = spec.get("name", default)
    if not isinstance(name, str) or not IDENTIFIER.match(name):
        raise GradingSpecError(f"{label}: question name must be a Python identifier, got {name!r}")
    _check_code(label, "'context'", spec.get("context", ""))
    _check_code(label, "'wrong'", spec["wrong"])
    tests = spec.get("tests")
    if not isinstance(tests, list) or not tests:
        raise GradingSpecError(f"{label}: 'tests' must be a non-empty list")
    parsed = [_parse_test(label, k, t) for k, t in enumerate(tests)]
    if all(t.hidden for t in parsed):
        raise GradingSpecError(f"{label}: at least one test must be public (students check with it)")
    return {"name": name, "answer": spec["answer"].strip(), "context": spec.get("context", "").strip("\n"),
            "skeleton": spec.get("skeleton", "").strip("\n"), "tests": tuple(parsed), "wrong": spec["wrong"].strip("\n")}


def _parse_test(label, k, test):
    where = f"{label}: tests[{k}]"
    if not isinstance(test, dict) or set(test) - TEST_KEYS or "code" not in test or "points" not in test:
        raise GradingSpecError(f"{where} must be a mapping with 'code' and 'points' (and optionally 'hidden')")
    points, hidden, code = test["points"], test.get("hidden", False), test["code"]
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not points > 0:
        raise GradingSpecError(f"{where}: points must be a number > 0, got {points!r}")
    if not isinstance(hidden, bool):
        raise GradingSpecError(f"{where}: hidden must be true or false, got {hidden!r}")
    if not isinstance(code, str):
        raise GradingSpecError(f"{where}: code must be a string")
    tree = _check_code(label, f"tests[{k}] code", code)
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef) or not tree.body[0].name.startswith("test"):
        raise GradingSpecError(f"{where}: code must be exactly one function 'def test_...(...)' "
                               "(otter's exception-based format; its arguments are looked up in the notebook)")
    return Test(code=code.strip("\n"), points=float(points), hidden=hidden)


ROLE = re.compile(r"\{[\w:-]+\}`(?P<body>[^`]*)`")


def plain_markdown(text):
    """MyST roles rewritten for plain Jupyter Markdown: ``{ref}`text <label>``` becomes ``text``, a bare
    ``{role}`target``` becomes ``target`` in italics."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")

    def sub(m):
        explicit = re.match(r"^(?P<text>.*?)\s*<[^<>]+>$", m["body"], re.S)
        return explicit["text"] if explicit else f"*{m['body']}*"

    return ROLE.sub(sub, text)


def chapter_title(text):
    """The first level-1 heading of a chapter."""
    m = re.search(r"^# (.+)$", text, re.M)
    return m.group(1).strip() if m else ""


def parse_chapter(text, *, source="chapter"):
    """The graded exercises of a MyST chapter, in order: a list of :class:`Question`.

    An exercise is graded when its gated solution holds a grading raw cell (see the module docstring);
    the solution's code cells are the answer. ``source`` names the file in error messages.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    lines = text.splitlines(keepends=True)
    exercises, questions, names = {}, [], set()
    i = 0
    try:
        while i < len(lines):
            f = _fence(lines[i])
            if f is None or f[3] is None and not f[2]:
                i += 1
                continue
            name, arg = f[3], f[4]
            if name == "exercise":
                i, body = _block(lines, i)
                options, prompt = _split_options(body)
                if "label" in options:
                    title = re.sub(r"\s*\(computational\)\s*$", "", arg)
                    exercises[options["label"]] = (title, prompt)
            elif name == "solution-start":
                start = i + 1
                i, _ = _block(lines, i)
                i, question = _gated(lines, i, arg.split()[0] if arg else "", start, exercises)
                if question is not None:
                    if question.name in names:
                        raise GradingSpecError(f"{question.label}: question name {question.name!r} is used twice")
                    names.add(question.name)
                    questions.append(question)
            elif f[2] and name is None or name in {"code-cell", "raw-cell", "code", "math"}:
                i, _ = _block(lines, i)  # fenced code or a cell: nothing to look at inside
            else:
                i += 1
    except GradingSpecError as err:
        raise GradingSpecError(f"{source}: {err}") from None
    return questions


def _gated(lines, i, label, start, exercises):
    """Scan a gated solution from line ``i`` to its ``solution-end``: (index past it, Question or None)."""
    code, spec = [], None
    while i < len(lines):
        f = _fence(lines[i])
        if f and f[3] == "solution-end":
            i, _ = _block(lines, i)
            break
        if f and f[3] == "solution-start":
            raise GradingSpecError(f"line {i + 1}: solution-start inside the gated solution of line {start}")
        if f and f[2]:  # any block opened inside the solution: a cell, fenced code, a directive
            kind = f[3]
            i, body = _block(lines, i)
            if kind == "code-cell":
                code.append(_split_options(body)[1])
            elif kind == "raw-cell" and body and MARKER.match(body[0]):
                if spec is not None:
                    raise GradingSpecError(f"{label}: two grading cells in one solution")
                spec = "".join(body)
            continue
        i += 1
    else:
        raise GradingSpecError(f"line {start}: solution-start without solution-end")
    if spec is None:
        return i, None
    if label not in exercises:
        raise GradingSpecError(f"{label}: a graded solution needs an exercise labelled {label!r} before it")
    if not code:
        raise GradingSpecError(f"{label}: a graded solution needs at least one code cell (the answer)")
    title, prompt = exercises[label]
    s = parse_spec(spec, label)
    return i, Question(label=label, name=s["name"], title=title, prompt=plain_markdown(prompt), answer=s["answer"],
                       context=s["context"], solution=tuple(code), skeleton=s["skeleton"], tests=s["tests"],
                       wrong=s["wrong"])
