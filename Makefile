# Two commands a reader needs: `make book` and `make test` (see README.md).
# Each creates and fills the virtual environment .venv itself.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
JB     := $(VENV)/bin/jupyter-book
STAMP  := $(VENV)/.installed
CACHE  := _build/.jupyter_cache
PKGHASH := _build/.accelbook-hash

.PHONY: book test unit build-strict bench lock clean help

help:
	@echo "make book   build the HTML book into _build/html"
	@echo "make test   unit/property tests, then a strict full build (-W, every chapter executed)"
	@echo "make bench  time a cold and a warm build (writes bench/results/build_times.json)"

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[book,test]"
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

# jupyter-cache hashes only the notebooks' code cells, not the accelbook package:
# drop the execution cache whenever the package's source changes.
cache-guard: $(STAMP)
	@mkdir -p _build
	@h=$$(cat accelbook/*.py | sha256sum | cut -d' ' -f1); \
	if [ "$$(cat $(PKGHASH) 2>/dev/null)" != "$$h" ]; then \
	  rm -rf $(CACHE); echo "accelbook changed: execution cache cleared"; echo $$h > $(PKGHASH); fi

book: cache-guard
	$(JB) build .
	@echo "The book is at file://$(CURDIR)/_build/html/index.html"

unit: $(STAMP)
	$(PY) -m pytest -q

# Every chapter executed from scratch; any cell error or Sphinx warning fails the build.
build-strict: $(STAMP)
	rm -rf $(CACHE) _build/html $(PKGHASH)
	$(JB) build . --all -W -n --keep-going
	$(PY) .ci/check_html.py _build/html

test: unit build-strict

bench: $(STAMP)
	$(PY) bench/build_times.py

lock: $(STAMP)
	head -2 constraints.txt > constraints.new
	$(PY) -m pip freeze --exclude-editable | grep -v '^accelbook' >> constraints.new && mv constraints.new constraints.txt

clean:
	rm -rf _build
