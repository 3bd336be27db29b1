"""Mutation testing of the theorem-bearing modules (``make mutation``; see README, "Mutation testing").

    python tools/mutation.py [--out _build/mutation] [--max-children N] [--recheck] MODULE_GLOB ...

For each module (a path or glob under accelbook/; globs that match nothing are skipped, so the list can
name modules that do not exist yet) the tests that exercise it are its mirror test file(s): accelbook/X.py ->
tests/test_X.py, accelbook/PKG/M.py -> tests/PKG/, plus the contract test (tests/test_contracts.py), whose
refusals are properties too.  mutmut (pinned in the ``mutation`` extra) runs in a scratch copy of the
package and tests under OUT/work, so the working tree is never touched; for every mutant it runs only the
selected tests that execute the mutated function.  ``--recheck`` (after adding tests) re-runs only the
previous run's survivors in the same work directory, against the current tests, and rewrites the report.

Writes to OUT:
  score.md / score.json   killed, survived, timeout, no-tests per module, the score, the date, the run time
  mutmut.log              mutmut's own output
  survivors.md            the diff of every mutant that survived (or that no test executes), with the
                          verdict recorded in tools/mutation_equivalent*.md where one was judged equivalent
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: the tables of mutants judged equivalent: tools/mutation_equivalent.md (flat modules) and one file per sub-package
#: or module, tools/mutation_equivalent_<name>.md, all with the same `| mutant | why |` rows
EQUIVALENT_GLOB = "tools/mutation_equivalent*.md"
KILLED = {"killed", "timeout", "caught by type check"}
#: the contract test's property tests (not its completeness check, which is about other modules' tables)
CONTRACT_TESTS = ["tests/test_contracts.py::test_bad_input_is_refused_by_name",
                  "tests/test_contracts.py::test_the_valid_call_succeeds"]


def modules_from(globs):
    found = []
    for pattern in globs:
        for path in sorted(glob.glob(str(ROOT / pattern))):
            rel = Path(path).relative_to(ROOT).as_posix()
            if rel.endswith(".py") and rel not in found:
                found.append(rel)
    return found


def tests_for(module):
    parts = Path(module).parts  # ("accelbook", "theory.py") or ("accelbook", "relu", "model.py")
    if len(parts) == 2:
        candidates = [f"tests/test_{Path(parts[1]).stem}.py"]
    else:
        candidates = [f"tests/{parts[1]}/"]
    return [c for c in candidates if (ROOT / c).exists()]


def equivalent_mutants():
    """name -> reason, from the tables in tools/mutation_equivalent*.md (`| name | reason |` rows)."""
    out = {}
    for path in sorted(ROOT.glob(EQUIVALENT_GLOB)):
        for line in path.read_text().splitlines():
            m = re.match(r"\|\s*`?(accelbook\.[\w.]+__mutmut_\d+)`?\s*\|\s*(.+?)\s*\|\s*$", line)
            if m:
                out[m.group(1)] = m.group(2)
    return out


def toml_list(items):
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def prepare(work, modules, tests):
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    shutil.copytree(ROOT / "accelbook", work / "accelbook", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
    pyproject = (ROOT / "pyproject.toml").read_text()
    pyproject += f"""

[tool.mutmut]  # written by tools/mutation.py for this run
source_paths = ["accelbook"]
only_mutate = {toml_list(modules)}
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]
pytest_add_cli_args_test_selection = {toml_list(tests)}
"""
    (work / "pyproject.toml").write_text(pyproject)


def mutmut(work, *args, log=None):
    """Run mutmut in ``work``; its output is captured, or appended to the file ``log``."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=str(work), ACCELBOOK_HYPOTHESIS_PROFILE="mutation")
    exe = [sys.executable, "-m", "mutmut", *args]
    if log is None:
        return subprocess.run(exe, cwd=work, env=env, text=True, capture_output=True, check=False)
    with open(log, "a") as handle:
        return subprocess.run(exe, cwd=work, env=env, text=True, stdout=handle, stderr=subprocess.STDOUT, check=False)


def collect(work):
    """mutant name -> status, from `mutmut results --all true`."""
    proc = mutmut(work, "results", "--all", "true")
    status = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"\s*(\S+__mutmut_\d+):\s*(.+?)\s*$", line)
        if m:
            status[m.group(1)] = m.group(2)
    return status


def module_of(name):
    # accelbook.theory.x_h__mutmut_3 / accelbook.quadratic.xǁQuadraticǁgrad__mutmut_1 -> accelbook/theory.py
    parts = name.split("__mutmut_")[0].split(".")
    for cut in range(len(parts), 1, -1):
        candidate = "/".join(parts[:cut]) + ".py"
        if (ROOT / candidate).exists():
            return candidate
    return "?"


def report(out, work, status, modules, seconds):
    equivalent = equivalent_mutants()
    per = defaultdict(Counter)
    for name, st in status.items():
        per[module_of(name)][st] += 1
    rows, summary = [], {}
    for module in modules + sorted(set(per) - set(modules)):
        c = per.get(module, Counter())
        killed = sum(c[s] for s in KILLED)
        equiv = sum(1 for n, s in status.items() if module_of(n) == module and s not in KILLED and n in equivalent)
        counted = sum(c.values()) - c["skipped"] - c["not checked"]
        score = killed / counted if counted else float("nan")
        score_eq = killed / (counted - equiv) if counted - equiv else float("nan")
        summary[module] = dict(c, killed_or_timeout=killed, equivalent=equiv, counted=counted, score=score,
                               score_without_equivalent=score_eq)
        rows.append(f"| {module} | {counted} | {killed} | {c['survived']} | {c['no tests']} | {c['timeout']} | "
                    f"{equiv} | {100 * score:.1f} % | {100 * score_eq:.1f} % |")
    date = dt.date.today().isoformat()
    text = [f"# Mutation score ({date}, mutmut, {seconds / 60:.1f} min)", "",
            "| module | mutants | killed (+timeout) | survived | no tests | timeout | judged equivalent | score | "
            "score without equivalent |", "|---|---|---|---|---|---|---|---|---|", *rows, ""]
    (out / "score.md").write_text("\n".join(text))
    (out / "score.json").write_text(json.dumps({"date": date, "seconds": seconds, "modules": summary}, indent=1))
    lines = [f"# Surviving mutants ({date})", ""]
    survivors = sorted(n for n, s in status.items() if s not in KILLED and s not in ("skipped", "not checked"))
    for name in (n for n in survivors if n not in equivalent):  # the diffs of those not judged equivalent
        diff = mutmut(work, "show", name).stdout.strip()
        lines += [f"## {name} ({status[name]}; NOT judged equivalent)", "", "```diff", diff, "```", ""]
    lines += ["## Judged equivalent (reasons in tools/mutation_equivalent*.md; `mutmut show NAME` in the work "
              "directory gives each diff)", ""]
    lines += [f"- `{n}`: {equivalent[n]}" for n in survivors if n in equivalent]
    (out / "survivors.md").write_text("\n".join(lines))
    print("\n".join(text))
    print(f"written: {out}/score.md, score.json, survivors.md")


def recheck(work, out, max_children):
    """Re-run the survivors of the run in ``work`` (not those judged equivalent) with the current tests and
    package: mutmut copies the tests in, collects coverage for the new ones and runs only the named mutants
    (after the undecided ones: mutants of functions whose source changed are regenerated and run first)."""
    if not (work / "mutants").exists():
        sys.exit(f"--recheck needs a previous run in {work}")
    for sub in ("accelbook", "tests"):
        shutil.rmtree(work / sub)
        shutil.copytree(ROOT / sub, work / sub, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
    log = out / "mutmut.log"
    with open(log, "a") as handle:
        handle.write(f"\n--- recheck, {dt.datetime.now().isoformat()} ---\n")
    proc = mutmut(work, "run", "--max-children", str(max_children), log=log)
    print(f"mutmut run (undecided mutants): exit code {proc.returncode}", flush=True)
    equivalent = equivalent_mutants()
    names = [n for n, st in collect(work).items() if st not in KILLED and st not in ("skipped", "not checked")
             and n not in equivalent]
    print(f"re-checking {len(names)} survivors against the current tests ...", flush=True)
    if names:
        proc = mutmut(work, "run", "--max-children", str(max_children), *names, log=log)
        print(f"mutmut run (recheck): exit code {proc.returncode}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="+", help="paths or globs under accelbook/")
    parser.add_argument("--out", default="_build/mutation")
    parser.add_argument("--max-children", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    parser.add_argument("--report-only", action="store_true", help="rewrite the report from the last run")
    parser.add_argument("--recheck", action="store_true",
                        help="re-run only the last run's survivors (those not judged equivalent) against the current "
                             "tests and package, in the same work directory, and rewrite the report")
    args = parser.parse_args(argv)
    out = (ROOT / args.out).resolve()
    work = out / "work"
    modules = modules_from(args.modules)
    if not modules:
        sys.exit("no module matched: " + " ".join(args.modules))
    tests = sorted({t for m in modules for t in tests_for(m)}) + CONTRACT_TESTS
    print("mutating:", *modules, "\ntests:", *tests, flush=True)
    start = time.time()
    if args.recheck:
        recheck(work, out, args.max_children)
    elif not args.report_only:
        prepare(work, modules, tests)
        log = out / "mutmut.log"
        log.write_text("")
        print(f"mutmut is running (progress in {log}) ...", flush=True)
        proc = mutmut(work, "run", "--max-children", str(args.max_children), log=log)
        print(f"mutmut run: exit code {proc.returncode}", flush=True)
    status = collect(work)
    if not status:
        sys.exit("mutmut produced no results (see its output above: the tests must pass unmutated)")
    report(out, work, status, modules, time.time() - start)


if __name__ == "__main__":
    main()
