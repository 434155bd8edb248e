# The two commands: `make site` builds the edition, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test setup test-setup system-packages messages bench clean

# Browser tests need Chromium, the HTML checker Java, axe-core and the checker come from npm.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHROMIUM := /usr/bin/chromium

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

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

system-packages:
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing="$$missing chromium"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

test-setup: system-packages $(VENV)/.test-installed node_modules/.installed

site: setup
	$(BIN)/python build.py

test: test-setup
	$(BIN)/python -m pytest -q

# Interface strings: gather them from templates and code, merge into each catalogue.
messages: setup
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output --project=edition --version=0.1 \
		--copyright-holder="the edition's editors" -o edition/locale/messages.pot edition templates
	$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete -i edition/locale/messages.pot \
		-d edition/locale

bench: setup
	$(BIN)/python -m bench.anchors
	$(BIN)/python -m bench.build

clean:
	rm -rf site .edition-cache tests/output
