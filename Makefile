# The project's commands; developers and CI run exactly these.
# make run   API + front end on http://localhost:8000 (embedded PostgreSQL, sample data imported)
# make test  every test suite: lint, backend (unit, integration, contract, performance), front end, e2e
# make bench json-server and this API side by side with wrk, ~15 min: docs/benchmarks.md + charts

SHELL := /bin/bash
PYTHON ?= python3
VENV := backend/.venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
FRONTEND_SOURCES := $(shell find src -type f 2>/dev/null) index.html vite.config.ts package.json

.PHONY: run test test-backend test-frontend test-e2e lint bench clean

run: $(STAMP) dist/index.html
	cd backend && ../$(PY) -m app serve --host 127.0.0.1 --port 8000

$(STAMP): backend/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e 'backend[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# Rebuilt only when missing or older than a source file.
dist/index.html: node_modules/.package-lock.json $(FRONTEND_SOURCES)
	npm run build

test: lint test-backend test-frontend test-e2e

# Coverage of backend/app must stay at 80% or more.
test-backend: $(STAMP) node_modules/.package-lock.json
	cd backend && .venv/bin/pytest --cov=app --cov-report=term-missing:skip-covered --cov-fail-under=80 $(PYTEST_ARGS)

test-frontend: node_modules/.package-lock.json
	npm test

# Our own front end needs sign-in, so it runs on the API only; the API's contract tests still
# compare it with json-server (test-backend).
test-e2e: $(STAMP) dist/index.html
	npm run e2e

lint: $(STAMP) node_modules/.package-lock.json
	cd backend && .venv/bin/ruff check . && .venv/bin/black --check . && .venv/bin/mypy --strict app tests benchmarks
	npm run lint
	npm run typecheck

bench: $(STAMP) node_modules/.package-lock.json
	cd backend && .venv/bin/python -m benchmarks.run

clean:
	rm -rf $(VENV) node_modules dist backend/.data
