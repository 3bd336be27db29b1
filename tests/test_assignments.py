"""The assignments' pure parts: reading graded exercises from a chapter (tools/assignment_source.py) and
writing otter's master notebook (tools/make_assignments.py). Fast; no otter needed. The grading itself
is tests/test_assignments_grading.py (`make grade`)."""

import ast
import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import assignment_source as src  # noqa: E402

_spec = importlib.util.spec_from_file_location("make_assignments", ROOT / "tools" / "make_assignments.py")
make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make)
_spec = importlib.util.spec_from_file_location("student_edition", ROOT / "tools" / "student_edition.py")
student_edition = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(student_edition)

CHAPTERS = sorted((ROOT / "chapters").glob("ch*.md"))

SPEC = """# otter: grading
answer: Store it in `x`.
context: |
  import math
tests:
- points: 1
  code: |
    def test_public(x):
        assert x is not None
- points: 2
  hidden: true
  code: |
    def test_hidden(x):
        assert x == 2
wrong: |
  x = 3
"""


def chapter(spec=SPEC, *, label="ch9-ex-find-x", code="x = 1 + 1", extra=""):
    return f"""# Chapter nine

```{{exercise}} Find x (computational)
:label: {label}

Compute $x$; see {{prf:ref}}`the theorem <ch9-thm>` and {{ref}}`ch9-sec`.
```

````{{solution-start}} {label}
:class: dropdown
````

Prose of the solution.

```{{code-cell}} ipython3
:tags: [hide-output]
{code}
```

````{{raw-cell}}
{spec}````
{extra}
````{{solution-end}}
````

```{{exercise}} Not graded
:label: ch9-ex-other
Think.
```
"""


def test_parse_chapter_reads_prompt_solution_and_spec():
    (q,) = src.parse_chapter(chapter())
    assert q.label == "ch9-ex-find-x" and q.name == "find_x" and q.title == "Find x"
    assert q.prompt == "Compute $x$; see the theorem and *ch9-sec*."
    assert q.solution == ("x = 1 + 1",) and q.context == "import math" and q.wrong == "x = 3"
    assert q.answer == "Store it in `x`." and q.skeleton == ""
    assert [(t.points, t.hidden) for t in q.tests] == [(1.0, False), (2.0, True)]
    assert q.points == 3 and q.public_points == 1


def test_ungraded_solutions_and_raw_cells_without_marker_are_skipped():
    assert src.parse_chapter(chapter("just: a raw cell\n")) == []
    assert src.parse_chapter("# Nothing\n\n```python\nx = 1\n```\n") == []


def test_several_code_cells_and_an_explicit_name():
    text = chapter(SPEC.replace("answer:", "name: q1\nanswer:"), extra="\n```{code-cell} ipython3\ny = 2\n```\n")
    (q,) = src.parse_chapter(text)
    assert q.name == "q1" and q.solution == ("x = 1 + 1", "y = 2")


@pytest.mark.parametrize("spec, message", [
    ("# otter\n- a list\n", "must be a YAML mapping"),
    ("# otter\nanswer: [unclosed\n", "not valid YAML"),
    (SPEC + "extra: 1\n", r"unknown keys \['extra'\]"),
    (SPEC.replace("wrong: |\n  x = 3\n", ""), "'wrong' must be a non-empty string"),
    (SPEC.replace("answer: Store it in `x`.", "answer: ''"), "'answer' must be a non-empty string"),
    (SPEC.replace("answer:", "name: not-valid\nanswer:"), "must be a Python identifier"),
    (SPEC.replace("  import math", "  import (math"), "'context' is not valid Python"),
    (SPEC.replace("- points: 2\n  hidden", "- points: 0\n  hidden"), "points must be a number > 0, got 0"),
    (SPEC.replace("hidden: true", "hidden: 1"), "hidden must be true or false"),
    (SPEC.replace("    def test_hidden(x):", "    x = 1\n    def test_hidden(x):"), "exactly one function"),
    (SPEC.replace("def test_hidden", "def check_hidden"), "exactly one function"),
    (SPEC.replace("- points: 1\n  code", "- points: 1\n  hidden: true\n  code"), "at least one test must be public"),
    (SPEC.replace("tests:", "tests: []\nunused:"), "unknown keys"),
])
def test_bad_specs_are_rejected_with_the_exercise_named(spec, message):
    with pytest.raises(src.GradingSpecError, match=message) as err:
        src.parse_chapter(chapter(spec), source="chapters/ch09.md")
    assert "chapters/ch09.md" in str(err.value) and "ch9-ex-find-x" in str(err.value)


def test_structural_errors():
    no_exercise = chapter().replace(":label: ch9-ex-find-x", ":label: ch9-ex-renamed")
    with pytest.raises(src.GradingSpecError, match="needs an exercise labelled 'ch9-ex-find-x'"):
        src.parse_chapter(no_exercise)
    with pytest.raises(src.GradingSpecError, match="at least one code cell"):
        src.parse_chapter(chapter().replace("```{code-cell} ipython3\n:tags: [hide-output]\nx = 1 + 1\n```", ""))
    with pytest.raises(src.GradingSpecError, match="solution-start without solution-end"):
        src.parse_chapter(chapter().split("````{solution-end}")[0])
    with pytest.raises(src.GradingSpecError, match="two grading cells"):
        src.parse_chapter(chapter(extra=f"\n````{{raw-cell}}\n{SPEC}````\n"))
    twice = chapter() + chapter(label="ch9-ex-find-x").split("# Chapter nine")[1].replace("ch9-ex-other", "ch9-ex-o2")
    with pytest.raises(src.GradingSpecError, match="'find_x' is used twice"):
        src.parse_chapter(twice)


def test_bad_arguments_name_the_parameter():
    with pytest.raises(TypeError, match="text must be a str, got int"):
        src.parse_chapter(1)
    with pytest.raises(TypeError, match="source must be a str"):
        src.parse_chapter("", source=None)
    with pytest.raises(TypeError, match="label must be a non-empty str"):
        src.parse_spec(SPEC, "")
    with pytest.raises(TypeError, match="text must be a str"):
        src.plain_markdown(None)
    (q,) = src.parse_chapter(chapter())
    with pytest.raises(ValueError, match="k must be an integer >= 1, got 0"):
        make.prompt_markdown(0, q)
    with pytest.raises(ValueError, match="questions must be a non-empty list"):
        make.master_notebook([], name="a", title="t", chapter="Chapter 9")
    with pytest.raises(ValueError, match="title must be a non-empty string"):
        make.master_notebook([q], name="a", title="", chapter="Chapter 9")
    with pytest.raises(ValueError, match="name must be a non-empty string of letters"):
        make.assignment_config("two words")


def test_master_notebook_has_otters_structure():
    (q,) = src.parse_chapter(chapter(SPEC.replace("answer:", "skeleton: |\n  x = ...\nanswer:")))
    nb = make.master_notebook([q], name="accelbook-ch09", title="Chapter nine", chapter="Chapter 9")
    kinds = [(c.cell_type, c.source.splitlines()[0] if c.source else "") for c in nb.cells]
    config = yaml.safe_load(nb.cells[0].source.split("\n", 1)[1])
    assert kinds[0] == ("raw", "# ASSIGNMENT CONFIG")
    assert config["tests"] == {"files": False, "ok_format": False} and config["name"] == "accelbook-ch09"
    assert config["files"] == ["accelbook"] and config["export_cell"]["pdf"] is False
    raws = [first for kind, first in kinds if kind == "raw"][1:]
    assert raws == ["# BEGIN QUESTION", "# BEGIN SOLUTION", "# END SOLUTION", "# BEGIN TESTS", "# END TESTS",
                    "# END QUESTION"]
    begin = next(c for c in nb.cells if c.source.startswith("# BEGIN QUESTION"))
    assert yaml.safe_load(begin.source.split("\n", 1)[1]) == {"name": "find_x", "points": 3}
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert code[0] == "import math"  # the context, before the question
    assert code[1].startswith("# BEGIN SOLUTION NO PROMPT\nx = 1 + 1\n# END SOLUTION\n") and "x = ..." in code[1]
    tests = code[2:]
    configs = [yaml.safe_load(re.search(r'""" # BEGIN TEST CONFIG\n(.*)""" # END TEST CONFIG', t, re.S)[1]) for t in tests]
    assert configs == [{"points": 1.0, "hidden": False}, {"points": 2.0, "hidden": True}]
    for t in tests:
        ast.parse(t)
    prompt = next(c.source for c in nb.cells if c.source.startswith("### Question 1"))
    assert "(3 points)" in prompt and 'grader.check("find_x")' in prompt and "Store it in `x`." in prompt


def test_chapters_graded_exercises_are_complete():
    """Every exercise marked (computational) is graded; every answer, context and wrong answer is valid Python,
    and each question has public and hidden tests."""
    total = 0
    for path in CHAPTERS:
        text = path.read_text(encoding="utf-8")
        questions = {q.label: q for q in src.parse_chapter(text, source=path.name)}
        marked = re.findall(r"```\{exercise\}[^\n]*\(computational\)\n:label: (\S+)", text)
        assert set(marked) <= set(questions), f"{path.name}: computational exercises without grading: {set(marked) - set(questions)}"
        for q in questions.values():
            for code in q.solution:
                ast.parse(code)
            assert q.public_points > 0 and q.points > q.public_points, f"{q.label}: needs public and hidden tests"
            assert "{" not in re.sub(r"\$[^$]*\$|`[^`]*`", "", q.prompt), f"{q.label}: MyST left in the prompt"
        total += len(questions)
    assert total >= 10


def test_neither_edition_shows_the_grading_cells():
    """The grading cells sit inside gated solutions: the student edition deletes them with the solution, and
    they are raw cells without a format, which myst-nb leaves out of the HTML (.ci/check_html.py checks the
    built pages)."""
    for path in CHAPTERS:
        text = path.read_text(encoding="utf-8")
        stripped, _ = student_edition.strip_solutions(text)
        assert "# otter" not in stripped and "{raw-cell}" not in stripped, path.name
        for block in re.findall(r"````\{raw-cell\}\n(.*?)````", text, re.S):
            assert not block.startswith("---"), f"{path.name}: a grading raw cell must not set a format"


def test_readme_lists_the_assignments_and_their_points():
    table = make.points_table(make.manifest(CHAPTERS))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- assignments -->\n(.*?)<!-- /assignments -->", readme, re.S)
    assert block, "README.md needs the table of assignments between <!-- assignments --> and <!-- /assignments -->"
    assert block[1] == table, ("README's table of assignments is out of date; replace it with the output of "
                               "`python tools/make_assignments.py --points-table`:\n" + table)


def test_requirements_pin_accelbooks_dependencies():
    reqs = make.requirements().splitlines()
    assert [r.split("==")[0] for r in reqs] == list(make.RUNTIME) and all("==" in r for r in reqs)
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert {re.split(r"[<>=]", d)[0] for d in deps} == set(make.RUNTIME), "accelbook's dependencies changed"
