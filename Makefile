# Two entry points (see README): `make demo` runs the whole product offline, `make test` runs the suite.
# Both create/update .venv at the project root first; a second run with nothing changed takes seconds.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Rebuilt when the project's dependencies change.
INSTALLED := $(VENV)/.pantau-installed
PYTEST_ARGS ?=

.PHONY: setup demo test models clean-venv

setup: $(INSTALLED) models

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "pantau needs Python >= 3.11; run: make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# pip 23 ignores the lxml[html_clean] extra that trafilatura needs: upgrade pip first.
	$(BIN)/python -m pip install --quiet --upgrade pip
	# The CPU build of torch, before sentence-transformers pulls a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# Converts the bundled embedding model once into data/models (seconds when already done).
models: $(INSTALLED)
	@$(BIN)/pantau models prepare

demo: setup
	$(BIN)/pantau demo

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean-venv:
	rm -rf $(VENV)
