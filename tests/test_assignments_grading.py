"""Every chapter's otter-grader assignment, graded locally with `otter run` (no Docker).

For each assignment that `make assignments` built into _build/assignments, three notebooks are graded
with its autograder zip: the solved notebook (full score on every question), the student notebook as
handed out (no points: the answer cells hold `...`), and the student notebook with every answer cell
filled with that question's deliberately wrong answer (the grading cell's `wrong`: a plausible mistake
that passes the public tests and that a hidden test catches; so each question keeps its public points
and loses some hidden ones). Expected points come from the chapters (tools/assignment_source.py).

Slow (about 15 s of CPU per grading), so deselected by default: `make grade` (run by `make test`)
builds the assignments and runs `pytest -m assignments tests/test_assignments_grading.py`. Without
a build it skips, except when the environment variable CI is set, where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "assignments"
sys.path.insert(0, str(ROOT / "tools"))
from assignment_source import parse_chapter  # noqa: E402

pytestmark = pytest.mark.assignments
CHAPTERS = {p.stem: p for p in sorted((ROOT / "chapters").glob("ch*.md"))}
QUESTIONS = {stem: parse_chapter(p.read_text(encoding="utf-8"), source=p.name) for stem, p in CHAPTERS.items()}
STEMS = [stem for stem, qs in QUESTIONS.items() if qs]
KINDS = ("solved", "unanswered", "wrong")


def _manifest():
    path = OUT / "assignments.json"
    if not path.is_file():
        message = f"no assignments built ({path} missing): run `make assignments` first"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {e["stem"]: e for e in json.loads(path.read_text())}


def wrong_notebook(student: Path, questions, dest: Path) -> Path:
    """The student notebook with answer cell k replaced by question k's wrong answer."""
    nb = nbformat.read(student, as_version=4)
    answers = [c for c in nb.cells if "otter_answer_cell" in c.metadata.get("tags", []) and c.cell_type == "code"]
    assert len(answers) == len(questions), f"{student.name}: {len(answers)} answer cells for {len(questions)} questions"
    for cell, q in zip(answers, questions):
        cell.source = q.wrong
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)
    return dest


def otter_run(zip_path: Path, notebook: Path, workdir: Path) -> dict:
    """Grade ``notebook`` with `otter run`; the score of each question from results.json."""
    workdir.mkdir(parents=True, exist_ok=True)
    otter = shutil.which("otter", path=str(Path(sys.executable).parent)) or "otter"
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH"}} | {"JUPYTER_PREFER_ENV_PATH": "1"}
    proc = subprocess.run([otter, "run", "--no-logo", "-a", str(zip_path), "-o", str(workdir), str(notebook)],
                          cwd=workdir, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"otter run {notebook.name} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    results = json.loads((workdir / "results.json").read_text())
    return {t["name"]: t for t in results["tests"] if "score" in t}


@pytest.fixture(scope="module")
def grades(tmp_path_factory):
    """{(stem, kind): {question: otter's result}} for every assignment, two gradings at a time."""
    manifest = _manifest()
    tmp = tmp_path_factory.mktemp("grading")
    jobs = []
    for stem in STEMS:
        assert stem in manifest, f"{stem} has graded exercises but no assignment was built"
        entry, folder = manifest[stem], OUT / stem
        zip_path = folder / "autograder" / entry["autograder"]
        student = folder / "student" / entry["notebook"]
        wrong = wrong_notebook(student, QUESTIONS[stem], tmp / "wrong" / stem / entry["notebook"])
        for kind, nb in zip(KINDS, (folder / "autograder" / entry["notebook"], student, wrong)):
            jobs.append(((stem, kind), zip_path, nb, tmp / "results" / stem / kind))
    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(lambda job: otter_run(*job[1:]), jobs))
    return {job[0]: result for job, result in zip(jobs, done)}


def _scores(grades, stem, kind):
    result = grades[(stem, kind)]
    names = [q.name for q in QUESTIONS[stem]]
    assert sorted(result) == sorted(names), f"{stem} ({kind}): otter graded {sorted(result)}, the chapter has {names}"
    return {name: (result[name]["score"], result[name]["max_score"], result[name].get("output", "")) for name in names}


@pytest.mark.parametrize("stem", STEMS)
def test_solved_notebook_gets_full_score(grades, stem):
    scores = _scores(grades, stem, "solved")
    for q in QUESTIONS[stem]:
        score, max_score, output = scores[q.name]
        assert max_score == pytest.approx(q.points), f"{q.name}: otter counts {max_score} points, the chapter {q.points}"
        assert score == pytest.approx(q.points), f"{stem}: the solution of {q.name} scores {score}/{q.points}:\n{output}"


@pytest.mark.parametrize("stem", STEMS)
def test_unanswered_notebook_gets_nothing(grades, stem):
    scores = _scores(grades, stem, "unanswered")
    for q in QUESTIONS[stem]:
        assert scores[q.name][0] == 0, f"{stem}: {q.name} left unanswered scores {scores[q.name][0]}"


@pytest.mark.parametrize("stem", STEMS)
def test_wrong_answers_keep_public_points_and_lose_hidden_ones(grades, stem):
    scores = _scores(grades, stem, "wrong")
    for q in QUESTIONS[stem]:
        score, _, output = scores[q.name]
        assert score < q.points, f"{stem}: the wrong answer to {q.name} scores full points {score}: no test catches it"
        assert score >= q.public_points, (f"{stem}: the wrong answer to {q.name} scores {score} < its public points "
                                          f"{q.public_points}: a public test catches it, so no hidden test is needed\n{output}")
    total = sum(s[0] for s in scores.values())
    assert 0 < total < sum(q.points for q in QUESTIONS[stem]), f"{stem}: wrong answers score {total}: not partial"


@pytest.mark.parametrize("stem", STEMS)
def test_student_notebook_has_no_solution_and_no_hidden_test(stem):
    entry = _manifest()[stem]
    student = OUT / stem / "student" / entry["notebook"]
    text = student.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    answers = [c.source for c in nb.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    assert answers == [q.skeleton or "..." for q in QUESTIONS[stem]], f"{stem}: answer cells {answers}"
    for q in QUESTIONS[stem]:
        for test in q.tests:
            name = test.code.split("(")[0].removeprefix("def ").strip()
            assert (name in text) != test.hidden, f"{stem}: {name} (hidden: {test.hidden}) in the student notebook"
        for line in "\n".join(q.solution).splitlines():
            if len(line.strip()) > 30 and line.strip() not in q.context and line.strip() not in q.skeleton:
                assert json.dumps(line.strip())[1:-1] not in text, f"{stem}: solution line in the student notebook: {line}"
    zip_names = set(zipfile.ZipFile(OUT / stem / "autograder" / entry["autograder"]).namelist())
    assert {"environment.yml", "otter_config.json", "files/accelbook/__init__.py"} <= zip_names, sorted(zip_names)
    environment = zipfile.ZipFile(OUT / stem / "autograder" / entry["autograder"]).read("environment.yml").decode()
    assert "numpy==" in environment and "otter-grader" in environment, environment
    assert (OUT / stem / "student" / "accelbook" / "__init__.py").is_file(), "students get a copy of accelbook"
