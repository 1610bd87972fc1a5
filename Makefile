# Two commands a newcomer needs: `make demo` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-focus test lint typecheck unit bench clean golden screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# bytecode, as installing a wheel writes it: start-up stays quick even with PYTHONDONTWRITEBYTECODE
	$(BIN)/python -m compileall -q stc stages reports web
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python corpora/demo.py

# the second sample corpus: a focus group met three times, its time points compared
demo-focus: $(STAMP)
	$(BIN)/python corpora/demo_focus.py

test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check stc stages reports web tests benchmarks tools

# mypy (strict, over the tests too) reads the tree the wheel installs: a throw-away copy of stc/
# with stages/, reports/ and web/ copied in as stc/stages, stc/reports, stc/web; no symlinks
# needed. The benchmarks are on its path for the test that imports them.
TYPECHECK := build/typecheck
typecheck: $(STAMP)
	rm -rf $(TYPECHECK) && mkdir -p $(TYPECHECK)
	cp -R stc tests $(TYPECHECK)/
	for part in stages reports web; do cp -R $$part $(TYPECHECK)/stc/$$part; done
	cd $(TYPECHECK) && MYPYPATH=$(CURDIR)/benchmarks $(CURDIR)/$(BIN)/mypy \
		--config-file $(CURDIR)/pyproject.toml --cache-dir $(CURDIR)/.mypy_cache stc tests

unit: $(STAMP)
	$(BIN)/pytest

golden: $(STAMP)
	$(BIN)/pytest tests/test_reports.py --update-golden

# the README's workbench pictures, from a Playwright run in /usr/bin/chromium
screenshots: $(STAMP)
	$(BIN)/pytest -m browser tests/test_web_browser.py -k screenshots --workbench-screenshots docs/img

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
