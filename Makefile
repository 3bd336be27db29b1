# Commands a reader needs: `make book`, `make student` and `make test` (see README.md); instructors:
# `make assignments` (otter-grader assignments from the chapters' exercises, into _build/assignments).
# Each creates and fills the virtual environment .venv itself, and installs MathJax from the npm
# registry into .vendor/ (served with the book: the HTML loads nothing from the internet).

PYTHON ?= python3
# The book's numerics are many small array operations: threaded BLAS only adds contention on the
# 2-core machines (5-10x slower under load). One thread each, for builds, tests and benchmarks.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
VENV   := .venv
PY     := $(VENV)/bin/python
JB     := $(VENV)/bin/jupyter-book
STAMP  := $(VENV)/.installed
CACHE  := _build/.jupyter_cache
STUDENT_CACHE := _build/student/.jupyter_cache
PKGHASH := _build/.accelbook-hash
MATHJAX := .vendor/static/mathjax/VERSION

.PHONY: book student test test-lane-build test-lane-rest unit build-strict student-strict browser binder assignments grade vendor bench lock clean help cache-guard mutation

help:
	@echo "make book     build the HTML book (instructor edition, with solutions) into _build/html"
	@echo "make student  build the student edition (every solution removed) into _build/student/html"
	@echo "make test     unit tests, strict builds of both editions, browser test, Binder test, grading test"
	@echo "make assignments  one otter-grader assignment per chapter into _build/assignments (instructors)"
	@echo "make bench    the benchmark suite (writes bench/results/bench.json and bench.md)"
	@echo "make mutation mutation testing of the theorem-bearing modules (slow; writes _build/mutation/)"

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[book,test,instructor]"
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

# MathJax 3 (pinned version and checksum in the script) from the npm registry; needs npm.
$(MATHJAX): tools/vendor_mathjax.py
	$(PYTHON) tools/vendor_mathjax.py --force

vendor: $(MATHJAX)

# jupyter-cache hashes only the notebooks' code cells, not the accelbook package:
# drop the execution caches whenever the package's source changes.
cache-guard: $(STAMP) $(MATHJAX)
	@mkdir -p _build
	@h=$$(find accelbook -name '*.py' | LC_ALL=C sort | xargs cat | sha256sum | cut -d' ' -f1); \
	if [ "$$(cat $(PKGHASH) 2>/dev/null)" != "$$h" ]; then \
	  rm -rf $(CACHE) $(STUDENT_CACHE); echo "accelbook changed: execution cache cleared"; echo $$h > $(PKGHASH); fi

book: cache-guard
	$(JB) build .
	@echo "The book is at file://$(CURDIR)/_build/html/index.html"

# The student edition: the same book with every solution removed (tools/student_edition.py).
student: cache-guard
	$(PY) tools/student_edition.py

unit: $(STAMP)
	$(PY) -m pytest -q

# Every chapter executed from scratch; any cell error or Sphinx warning fails the build.
build-strict: $(STAMP) $(MATHJAX)
	rm -rf $(CACHE) _build/html $(PKGHASH)
	$(JB) build . --all -W -n --keep-going
	$(PY) .ci/check_html.py _build/html

student-strict: $(STAMP) $(MATHJAX)
	$(PY) tools/student_edition.py --strict
	$(PY) .ci/check_html.py _build/student/html

# Every page of both built editions in headless Chromium, offline (tests/test_browser.py).
browser: $(STAMP)
	$(PY) -m pytest -q -m browser tests/test_browser.py

# A fresh virtual environment from binder/ alone executes a chapter (tests/test_binder.py).
binder: $(STAMP)
	$(PY) -m pytest -q -m binder tests/test_binder.py

# One otter-grader assignment per chapter from its graded exercises (tools/make_assignments.py):
# student notebook, solved notebook, autograder zip, README, in _build/assignments/<chapter>/.
assignments: $(STAMP)
	$(PY) tools/make_assignments.py

# Every assignment graded with `otter run` (no Docker): solved, unanswered, wrong answers
# (tests/test_assignments_grading.py).
grade: assignments
	$(PY) -m pytest -q -m assignments tests/test_assignments_grading.py

# Lanes on the two cores (the chapters run single-threaded): the instructor build and then the grading of the
# assignments in one, the unit tests and the student build in the other, and the Binder test (mostly installing
# a fresh environment: disk and network, little CPU) beside them; the browser test needs both builds.
test: $(STAMP) $(MATHJAX)
	$(MAKE) --no-print-directory -j3 test-lane-build test-lane-rest binder
	$(MAKE) --no-print-directory browser

test-lane-build:
	$(MAKE) --no-print-directory build-strict
	$(MAKE) --no-print-directory grade

test-lane-rest:
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory student-strict

bench: $(STAMP) $(MATHJAX)
	$(PY) bench/bench.py $(BENCH_ARGS)

# Mutation testing (README, "Mutation testing"): mutmut, pinned in the `mutation` extra, over the modules that
# carry theorems; score and surviving mutants go to _build/mutation/. Too slow for `make test` (well over
# an hour on 2 cores; `python tools/mutation.py --recheck ...` re-runs only a run's survivors).
# MUTATE lists paths or globs; those that match nothing are skipped, so a module can be listed before it exists. Extend it (or override: `make mutation MUTATE=accelbook/theory.py`).
MUTATE ?= accelbook/theory.py accelbook/residual.py accelbook/convex.py accelbook/lrp.py accelbook/quadratic.py \
          accelbook/relu/theory.py accelbook/relu/model.py \
          accelbook/deep_linear/theory.py accelbook/deep_linear/model.py \
          accelbook/partition/theory.py accelbook/partition/*model*.py accelbook/partition/network.py \
          accelbook/partition/lemmas.py
MUTATION_JOBS ?= 2
MUTSTAMP := $(VENV)/.mutation-installed

$(MUTSTAMP): $(STAMP) pyproject.toml constraints.txt
	$(PY) -m pip install --quiet -c constraints.txt -e ".[mutation]"
	touch $(MUTSTAMP)

mutation: $(MUTSTAMP)
	$(PY) tools/mutation.py --out _build/mutation --max-children $(MUTATION_JOBS) $(MUTATE)

# Freeze the full resolved set (every extra, the Binder, instructor and mutation ones included) into constraints.txt.
# The +cpu local version label is dropped so the pin also resolves from PyPI (Binder).
lock: $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[book,test,binder,instructor,mutation]"
	head -2 constraints.txt > constraints.new
	$(PY) -m pip freeze --exclude-editable | grep -v '^accelbook' | sed -E 's/^(torch==[^+]*)\+cpu$$/\1/' >> constraints.new && mv constraints.new constraints.txt

clean:
	rm -rf _build
