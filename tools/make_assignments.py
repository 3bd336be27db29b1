"""Build one otter-grader assignment per chapter from the chapter's graded exercises.

    python tools/make_assignments.py [--out _build/assignments] [--jobs 2] [CHAPTER.md ...]
    python tools/make_assignments.py --points-table      # the README's table of assignments and points

For each chapter (default: chapters/ch*.md) with graded exercises (tools/assignment_source.py reads
them: prompt, solution code cells, grading raw cell), this writes otter's master notebook (format v1:
``# ASSIGNMENT CONFIG``, ``# BEGIN QUESTION`` ...; exception-based tests, no saved outputs), runs
``otter assign`` on it and lays out

    <out>/<stem>/student/<stem>.ipynb            prompts, empty answer cells, public checks
    <out>/<stem>/autograder/<stem>.ipynb         the solved notebook
    <out>/<stem>/autograder/<stem>-autograder_*.zip   for Gradescope or `otter run -a`
    <out>/<stem>/source/<stem>.ipynb             the master notebook otter assign read
    <out>/<stem>/README.md                       questions, points, how to grade

plus ``<out>/assignments.json`` (every question, its points and public points) and ``<out>/README.md``.
The assignments carry a copy of the ``accelbook`` package (otter's ``files``), so the notebooks run
wherever its dependencies are installed (requirements.txt in the zip pins them for Gradescope).
``make assignments`` runs this; ``make grade`` grades with it (tests/test_assignments_grading.py).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assignment_source import Question, chapter_title, parse_chapter  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "assignments"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
# accelbook's own dependencies (pyproject.toml), pinned from constraints.txt for the grading image
RUNTIME = ("numpy", "scipy", "matplotlib", "ipywidgets")


def _fmt(points: float) -> str:
    return f"{points:g}"


def _pts(points: float) -> str:
    return f"{points:g} point" + ("" if points == 1 else "s")


def assignment_config(name: str) -> dict:
    """otter assign's configuration: exception-based tests stored in the notebooks, no PDFs."""
    if not isinstance(name, str) or not re.match(r"^[\w.-]+$", name):
        raise ValueError(f"name must be a non-empty string of letters, digits, '_', '.', '-', got {name!r}")
    return {
        "name": name,
        "requirements": "requirements.txt",
        "files": ["accelbook"],
        "python_version": "3.11",
        "run_tests": False,  # the grading test (make grade) grades the solved notebook instead
        "init_cell": True,
        "check_all_cell": True,
        "export_cell": {"pdf": False, "instructions": "Upload the zip file this cell makes to Gradescope."},
        "generate": {"pdf": False, "show_stdout": True},
        "tests": {"files": False, "ok_format": False},
    }


def _answer_cell(q: Question) -> str:
    """The solution as otter expects it: stripped to ``...`` (or to the skeleton) for students."""
    solution = "\n\n".join(q.solution)
    if not q.skeleton:
        return f"# BEGIN SOLUTION\n{solution}\n# END SOLUTION"
    if '"""' in q.skeleton:
        raise ValueError(f"{q.label}: a skeleton must not contain triple quotes")
    return f'# BEGIN SOLUTION NO PROMPT\n{solution}\n# END SOLUTION\n""" # BEGIN PROMPT\n{q.skeleton}\n"""  # END PROMPT'


def _test_cell(test) -> str:
    config = yaml.safe_dump({"points": test.points, "hidden": test.hidden}, sort_keys=False).strip()
    return f'""" # BEGIN TEST CONFIG\n{config}\n""" # END TEST CONFIG\n{test.code}'


def prompt_markdown(k: int, q: Question) -> str:
    """The Markdown cell students read for question ``k`` (1-based)."""
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}")
    hidden = q.points - q.public_points
    return (f"### Question {k}: {q.title} ({_pts(q.points)})\n\n{q.prompt}\n\n"
            f"**Your answer.** {q.answer} Then run the check cell below it: `grader.check(\"{q.name}\")` runs the "
            f"public tests ({_pts(q.public_points)}); hidden tests ({_pts(hidden)}) run only when "
            "the assignment is graded.")


def master_notebook(questions, *, name: str, title: str, chapter: str) -> nbformat.NotebookNode:
    """otter assign's master notebook for a chapter's graded ``questions`` (a list of Question)."""
    if not questions or not all(isinstance(q, Question) for q in questions):
        raise ValueError("questions must be a non-empty list of assignment_source.Question")
    for arg, value in (("title", title), ("chapter", chapter)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{arg} must be a non-empty string, got {value!r}")
    v4 = nbformat.v4
    total = sum(q.points for q in questions)
    config = yaml.safe_dump(assignment_config(name), sort_keys=False)
    cells = [v4.new_raw_cell("# ASSIGNMENT CONFIG\n" + config),
             v4.new_markdown_cell(
                 f"# {chapter}: {title} (assignment)\n\nThe computational exercises of {chapter} of *accelbook*, "
                 f"{len(questions)} question{'s' if len(questions) > 1 else ''}, {_pts(total)}. Run the cells in order. Each "
                 "question has an answer cell (`...`) for you to replace and a check cell that runs its public "
                 "tests; the hidden tests judge your answer by its properties when the assignment is graded. "
                 "Only the values a question asks you to store are graded, not the answers to its *why* parts.")]
    for k, q in enumerate(questions, 1):
        if q.context:
            cells += [v4.new_markdown_cell(f"What question {k} uses from the chapter (run this cell):"),
                      v4.new_code_cell(q.context)]
        cells += [v4.new_raw_cell(f"# BEGIN QUESTION\nname: {q.name}\npoints: {_fmt(q.points)}"),
                  v4.new_markdown_cell(prompt_markdown(k, q)),
                  v4.new_raw_cell("# BEGIN SOLUTION"), v4.new_code_cell(_answer_cell(q)), v4.new_raw_cell("# END SOLUTION"),
                  v4.new_raw_cell("# BEGIN TESTS"), *[v4.new_code_cell(_test_cell(t)) for t in q.tests],
                  v4.new_raw_cell("# END TESTS"), v4.new_raw_cell("# END QUESTION")]
    return v4.new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC, "language_info": {"name": "python"}})


def requirements() -> str:
    """accelbook's runtime dependencies at the versions of constraints.txt (the grading image installs them)."""
    pins = dict(line.strip().split("==", 1) for line in (ROOT / "constraints.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    pins = {k.lower(): v for k, v in pins.items()}
    return "".join(f"{p}=={pins[p]}\n" for p in RUNTIME)


def chapter_number(stem: str) -> str:
    m = re.match(r"ch0*(\d+)", stem)
    return f"Chapter {m.group(1)}" if m else stem


def build(chapter: Path, out: Path, otter: str) -> dict | None:
    """Write one chapter's assignment under ``out/<stem>``; its manifest entry, or None if nothing is graded."""
    text = chapter.read_text(encoding="utf-8")
    questions = parse_chapter(text, source=str(chapter.relative_to(ROOT) if chapter.is_relative_to(ROOT) else chapter))
    if not questions:
        return None
    stem = chapter.stem
    nb = master_notebook(questions, name=f"accelbook-{stem}", title=chapter_title(text), chapter=chapter_number(stem))
    dest = out / stem
    shutil.rmtree(dest, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix=f"assign-{stem}-") as tmp:
        src = Path(tmp) / "source"
        shutil.copytree(ROOT / "accelbook", src / "accelbook", ignore=shutil.ignore_patterns("__pycache__"))
        (src / "requirements.txt").write_text(requirements())
        nbformat.write(nb, src / f"{stem}.ipynb")
        proc = subprocess.run([otter, "assign", "--no-pdfs", "--no-run-tests", f"{stem}.ipynb", "../dist"],
                              cwd=src, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"otter assign failed for {stem}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        dest.mkdir(parents=True)
        for part in ("student", "autograder"):
            shutil.move(Path(tmp) / "dist" / part, dest / part)
        (dest / "source").mkdir()
        shutil.copy(src / f"{stem}.ipynb", dest / "source")
    entry = {"chapter": str(chapter.name), "stem": stem, "title": chapter_title(text), "notebook": f"{stem}.ipynb",
             "autograder": sorted(p.name for p in (dest / "autograder").glob(f"{stem}-autograder_*.zip"))[-1],
             "questions": [{"name": q.name, "label": q.label, "title": q.title, "points": q.points,
                            "public_points": q.public_points} for q in questions]}
    entry["points"] = sum(q["points"] for q in entry["questions"])
    (dest / "README.md").write_text(instructor_readme(entry))
    return entry


def instructor_readme(entry: dict) -> str:
    """The short README of one assignment: its questions, points and how to grade it."""
    rows = "\n".join(f"| `{q['name']}` | {q['title']} | {_fmt(q['points'])} | {_fmt(q['public_points'])} | "
                     f"{_fmt(q['points'] - q['public_points'])} |" for q in entry["questions"])
    nb, zipname = entry["notebook"], entry["autograder"]
    return f"""# {chapter_number(entry['stem'])}: {entry['title']} (assignment)

Generated by `make assignments` from the graded exercises of `chapters/{entry['chapter']}`; do not edit.

| question | exercise | points | public | hidden |
|---|---|---|---|---|
{rows}
| | **total** | **{_fmt(entry['points'])}** | | |

- `student/` is what students get: `{nb}` (prompts, empty answer cells, the public checks
  `grader.check(...)`) and a copy of the `accelbook` package next to it. It needs `otter-grader`, numpy,
  scipy and matplotlib (the book's Binder environment has them).
- `autograder/{nb}` is the solved notebook; `autograder/{zipname}` is the autograder.
- Grade one submission locally, without Docker, in an environment with otter-grader and the book's
  packages (`make assignments` makes one: `.venv`):
  `otter run -a autograder/{zipname} -o results/ submission.ipynb` writes `results/results.json`.
- Gradescope: create a *Programming Assignment*, upload `autograder/{zipname}` as its autograder
  (otter's image then installs accelbook's pinned dependencies, from `requirements.txt`, merged into the
  zip's `environment.yml`, and the zip carries `accelbook` itself); students upload the zip that the
  notebook's last cell exports, or the notebook.
- Hidden tests are not in the student notebook; the zip and the solved notebook have them.
"""


def points_table(entries) -> str:
    """The README's Markdown table of assignments: one row per chapter, its questions and points."""
    rows = []
    for e in entries:
        qs = ", ".join(f"`{q['name']}` {_fmt(q['public_points'])} + {_fmt(q['points'] - q['public_points'])}"
                       for q in e["questions"])
        rows.append(f"| `{e['stem']}` | {len(e['questions'])} | {qs} | {_fmt(e['points'])} |")
    return ("| assignment | questions | points per question (public + hidden tests) | total |\n|---|---|---|---|\n"
            + "\n".join(rows) + "\n")


def manifest(chapters) -> list[dict]:
    """What the assignments contain, from the chapters alone (no otter): as in assignments.json, less file names."""
    entries = []
    for chapter in chapters:
        questions = parse_chapter(chapter.read_text(encoding="utf-8"), source=chapter.name)
        if questions:
            entries.append({"stem": chapter.stem, "points": sum(q.points for q in questions),
                            "questions": [{"name": q.name, "points": q.points, "public_points": q.public_points}
                                          for q in questions]})
    return entries


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--jobs", type=int, default=2, help="otter assign runs at once (default 2)")
    parser.add_argument("--points-table", action="store_true", help="print the README's table and exit")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be >= 1, got {args.jobs}")
    chapters = [c.resolve() for c in args.chapters] or sorted((ROOT / "chapters").glob("ch*.md"))
    if args.points_table:
        print(points_table(manifest(chapters)), end="")
        return
    otter = shutil.which("otter", path=str(Path(sys.executable).parent)) or shutil.which("otter")
    if otter is None:
        sys.exit("otter-grader is not installed in this environment (pip install -e '.[instructor]')")
    args.out.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(args.jobs) as pool:
        entries = [e for e in pool.map(lambda c: build(c, args.out, otter), chapters) if e]
    (args.out / "assignments.json").write_text(json.dumps(entries, indent=1) + "\n")
    (args.out / "README.md").write_text("# Assignments (otter-grader)\n\nGenerated by `make assignments`; each folder "
                                        "has its own README.\n\n" + points_table(entries))
    for e in entries:
        print(f"{e['stem']}: {len(e['questions'])} question(s), {_pts(e['points'])}")
    print(f"The assignments are in {args.out}")


if __name__ == "__main__":
    main()
