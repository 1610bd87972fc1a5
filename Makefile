# Two commands a newcomer needs: `make demo` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-focus test lint typecheck unit portability dist wheelhouse bench bench-web clean golden screenshots mutants fuzz

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# bytecode, as installing a wheel writes it: start-up stays quick even with PYTHONDONTWRITEBYTECODE
	$(BIN)/python -m compileall -q stc stages reports web
	touch $(STAMP)

# the same as `stc demo DIR` for someone who installed stc as a tool; replaced on every run
demo: $(STAMP)
	rm -rf demo-project
	$(BIN)/stc demo demo-project

# the second sample corpus: a focus group met three times, its time points compared
demo-focus: $(STAMP)
	$(BIN)/python corpora/demo_focus.py

test: $(STAMP) lint typecheck unit portability

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

# Windows' ways on Linux: worker processes spawned (not forked), no UTF-8 mode and a locale
# whose encoding is not UTF-8 (ASCII: stricter than Windows' cp1252), default encodings reported;
# over the tests of what reads and writes files. Arguments stay ASCII in these tests: Windows
# passes them as Unicode, Linux as bytes in the locale's encoding.
PORTABLE := tests/test_portability.py tests/test_lifecycle.py tests/test_import.py \
	tests/test_matrix.py tests/test_trail.py tests/test_erasure.py tests/test_replace.py \
	tests/test_pseudonymise_cli.py tests/test_bad_input.py
portability: $(STAMP)
	LC_ALL=C LANG=C PYTHONUTF8=0 PYTHONCOERCECLOCALE=0 STC_START_METHOD=spawn \
		$(BIN)/pytest -p no:cacheprovider $(PORTABLE)

golden: $(STAMP)
	$(BIN)/pytest tests/test_reports.py tests/test_thesis_reports.py -k "golden or one_category" --update-golden

# how many hand-made bugs the tests catch (tools/mutants.py): minutes, so not part of `test`
mutants: $(STAMP)
	$(BIN)/python tools/mutants.py

# the README's workbench pictures, from a Playwright run in /usr/bin/chromium
screenshots: $(STAMP)
	$(BIN)/pytest -m browser tests/test_web_browser.py tests/test_web_desk_browser.py -k screenshots \
		--workbench-screenshots docs/img

# The source distribution, and the wheel built from it (so the sdist is known to be whole), with
# the venv's setuptools.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .

# Every wheel an installation needs, in one folder, for a machine without internet:
#   pip install --no-index --find-links wheelhouse stc-condensation
# for this platform and Python by default; for another, e.g.
#   make wheelhouse PLATFORM=win_amd64 PYVERSION=3.12   (or macosx_11_0_arm64, manylinux2014_x86_64)
# pip weighs a dependency's platform conditions for this machine, so what only Windows needs
# (colorama, for click, tqdm, typer and wasabi) is named for it.
PLATFORM ?=
PYVERSION ?=
wheelhouse: dist
	rm -rf wheelhouse
	$(BIN)/python -m pip download --only-binary=:all: --dest wheelhouse \
		$(if $(PLATFORM),--platform $(PLATFORM)) $(if $(PYVERSION),--python-version $(PYVERSION)) \
		"$$(ls dist/*.whl)[encryption]" pip $(if $(findstring win,$(PLATFORM)),colorama)
	@echo "wheelhouse/: $$(ls wheelhouse | wc -l) wheels; on the other machine:"
	@echo "  python -m venv stc-env && stc-env/bin/pip install --no-index --find-links wheelhouse 'stc-condensation[encryption]'"

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# A few hundred mutated inputs of every kind stc reads (tests/fuzzing.py): each taken, or refused
# with one coded Error: line and the project unchanged; verify passing after each. The test
# suite runs a tenth of them (tests/test_fuzz.py).
FUZZ_CASES ?= 320
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzzing $(FUZZ_CASES)
# the workbench alone: a long transcript rendered, and coded by selection in Chromium
bench-web: $(STAMP)
	$(BIN)/python benchmarks/run.py web

clean:
	rm -rf $(VENV) build dist wheelhouse *.egg-info .pytest_cache .mypy_cache .ruff_cache
