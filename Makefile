# The two commands: `make site` builds the edition, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test setup test-setup bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

test-setup: $(VENV)/.test-installed

site: setup
	$(BIN)/python build.py

test: test-setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m bench.anchors
	$(BIN)/python -m bench.build

clean:
	rm -rf site .edition-cache
