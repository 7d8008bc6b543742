# Fieldline: `make run` brings the platform up with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test lint format pwa clean-db help

help:
	@echo "make run    start Fieldline with demo data on http://127.0.0.1:$(PORT)"
	@echo "make test   run every test (Python, web app unit tests, browser stories)"
	@echo "make lint   ruff check + ruff format --check"

# The venv is rebuilt only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

# The web apps are rebuilt only when their sources or lock file change.
PWA_SOURCES := $(shell find pwa/src pwa/*.html pwa/*/index.html pwa/vite.config.* pwa/package.json pwa/public -type f 2>/dev/null)

pwa/node_modules/.package-lock.json: pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

pwa/dist/.built: pwa/node_modules/.package-lock.json $(PWA_SOURCES)
	cd pwa && npm run --silent build
	@touch $@

pwa: pwa/dist/.built

run: $(VENV)/.installed pwa/dist/.built
	PORT=$(PORT) $(PY) -m server.serve

test: $(VENV)/.installed pwa/dist/.built
	cd pwa && npm test --silent
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Stops and deletes the embedded database cluster (var/pg); the next `make run` recreates it.
clean-db: $(VENV)/.installed
	$(PY) -m server.embedded_pg stop
	rm -rf var/pg
