"""The student edition's solution stripping (tools/student_edition.py)."""

import importlib.util
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("student_edition", ROOT / "tools" / "student_edition.py")
student_edition = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(student_edition)
strip_solutions = student_edition.strip_solutions
SolutionSyntaxError = student_edition.SolutionSyntaxError

EXERCISE = """```{exercise} Find the rate
:label: ex-rate

Compute $\\rho(A)$ for $\\beta = 0.5$.
```
"""
SOLUTION = """```{solution} ex-rate
:class: dropdown

SECRET-PROSE: the rate is $1/\\sqrt2$.
```
"""
GATED = """````{solution-start} ex-rate
:class: dropdown
````

SECRET-GATED prose before the code.

```{code-cell} ipython3
secret_value = 42  # SECRET-CODE
```

+++

More SECRET-GATED prose.

````{solution-end}
````
"""
CODE_CELL = """```{code-cell} ipython3
---
tags: [hide-input]
---
rate = 0.5
```
"""


def test_plain_solution_removed_exercise_kept():
    text, n = strip_solutions("# Title\n\n" + EXERCISE + "\n" + SOLUTION + "\nAfter.\n")
    assert n == 1
    assert "SECRET" not in text and "{solution" not in text
    assert EXERCISE in text and text.startswith("# Title\n") and text.rstrip().endswith("After.")


def test_gated_solution_removed_with_its_code_cells():
    text, n = strip_solutions(EXERCISE + "\n" + GATED + "\n" + CODE_CELL + "\nThe end.\n")
    assert n == 1
    assert "SECRET" not in text and "secret_value" not in text and "{solution" not in text
    assert EXERCISE in text and CODE_CELL in text and "The end." in text


def test_colon_fence_and_long_fence_solutions():
    colon = ":::{solution} ex-rate\n:class: dropdown\nSECRET colon fence\n:::\n"
    long_fence = "`````{solution} ex-rate\n```python\nSECRET = 1\n```\n````{note}\nSECRET note\n````\n`````\n"
    text, n = strip_solutions("A\n\n" + colon + "\nB\n\n" + long_fence + "\nC\n")
    assert n == 2
    assert "SECRET" not in text
    assert [line for line in text.splitlines() if line.strip()] == ["A", "B", "C"]


def test_label_target_above_solution_goes_with_it():
    text, n = strip_solutions("Keep.\n\n(sol-rate)=\n" + SOLUTION + "\n(next-section)=\n## Next\n")
    assert n == 1
    assert "(sol-rate)=" not in text and "(next-section)=\n## Next" in text and "Keep." in text


def test_solution_nested_in_a_container_directive():
    doc = "``````{tab-set}\n`````{tab-item} One\n" + EXERCISE + SOLUTION + "`````\n``````\n"
    text, n = strip_solutions(doc)
    assert n == 1 and "SECRET" not in text
    assert text == "``````{tab-set}\n`````{tab-item} One\n" + EXERCISE + "`````\n``````\n"


def test_quoted_directives_in_code_are_not_solutions():
    quoted = "````markdown\n```{solution} ex\nexample of the syntax\n```\n````\n"
    cell = "```{code-cell} ipython3\ns = '{solution-start}'\n```\n"
    doc = quoted + "\n" + cell
    assert strip_solutions(doc) == (doc, 0)


def test_text_without_solutions_is_unchanged():
    doc = "---\njupytext: {}\n---\n# T\n\n" + EXERCISE + "\n" + CODE_CELL + "\n:::{note}\nN\n:::\n"
    assert strip_solutions(doc) == (doc, 0)


@pytest.mark.parametrize("doc, message", [
    ("```{solution} ex\nnever closed\n", "never closed"),
    ("````{solution-start} ex\n````\nno end\n", "without solution-end"),
    ("text\n````{solution-end}\n````\n", "without a matching solution-start"),
    ("````{solution-start} a\n````\n````{solution-start} b\n````\n", "inside the gated solution"),
    ("`````{note}\n````{solution-start} a\n````\n`````\n````{solution-end}\n````\n", "closed by its container"),
])
def test_malformed_solutions_are_reported(doc, message):
    with pytest.raises(SolutionSyntaxError, match=message):
        strip_solutions(doc)


# A document is a sequence of blocks; stripping must keep exactly the blocks that are not solutions.
prose = st.text(alphabet="abcdefgh $\\{}().\n", min_size=1, max_size=40).map(
    lambda s: "".join(line.lstrip(" `~:") + "\n" for line in s.splitlines() if line.strip()) or "x\n")
block = st.one_of(
    prose.map(lambda s: (s, True)),
    st.just((EXERCISE, True)),
    st.just((CODE_CELL, True)),
    st.just((SOLUTION, False)),
    st.just((GATED, False)),
    st.builds(lambda p: (":::{solution} ex\n" + p + ":::\n", False), prose),
    st.builds(lambda p: (GATED.replace("More SECRET-GATED prose.\n", p), False), prose),
)


@given(st.lists(block, max_size=12))
def test_stripping_keeps_exactly_the_non_solution_blocks(blocks):
    doc = "\n".join(text for text, _ in blocks)
    expected_removed = sum(not keep for _, keep in blocks)
    text, n = strip_solutions(doc)
    assert n == expected_removed
    assert "{solution" not in text and "SECRET" not in text
    kept = [text_ for text_, keep in blocks if keep]
    assert [line for line in text.splitlines() if line.strip()] == \
        [line for line in "\n".join(kept).splitlines() if line.strip()]


@pytest.mark.parametrize("page", sorted((ROOT / "chapters").glob("*.md")), ids=lambda p: p.name)
def test_chapters_strip_to_valid_notebooks(page):
    """Every chapter strips cleanly: no solution left, every exercise kept, still a valid notebook."""
    jupytext = pytest.importorskip("jupytext")
    source = page.read_text(encoding="utf-8")
    text, n = strip_solutions(source)
    n_solutions = len(re.findall(r"^[`:~]{3,}\{solution(-start)?\}", source, flags=re.M))
    assert n == n_solutions
    assert not re.search(r"\{solution(-start|-end)?\}", text)
    exercises = re.compile(r"^[`:~]{3,}\{exercise(-start)?\}", flags=re.M)
    assert len(exercises.findall(text)) == len(exercises.findall(source))
    before = jupytext.reads(source, fmt="md:myst")
    after = jupytext.reads(text, fmt="md:myst")
    code = [c.source for c in after.cells if c.cell_type == "code"]
    assert code == [c for c in (c.source for c in before.cells if c.cell_type == "code") if c in code]
    assert after.metadata.get("kernelspec") == before.metadata.get("kernelspec")
