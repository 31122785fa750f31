# The project's commands; developers and CI run exactly these.
# make run   API + front end on http://localhost:8000 (embedded PostgreSQL, sample data imported)
# make test  every test suite: lint, backend (unit, integration, contract, performance), front end, e2e
# make check the quick tier for the inner loop (~1 min): lint, backend unit tests, front-end unit tests
# make bench json-server and this API side by side with wrk, ~15 min: docs/benchmarks.md + charts
# make lock  rewrite the hash-pinned Python locks from backend/pyproject.toml (README, Dependencies)
# make audit-deps  known vulnerabilities of the locked packages (needs the advisory databases online)

SHELL := /bin/bash
PYTHON ?= python3
VENV := backend/.venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Hash-pinned locks of backend/pyproject.toml for Python 3.11 on Linux x86_64, written by `make lock`:
# LOCK is what Render installs (render.yaml), DEV_LOCK (LOCK + the dev extra) what make and CI install,
# both by backend/scripts/install-lock with the installer of INSTALLER_LOCK (uv, pinned as in DEV_LOCK).
LOCK := backend/requirements.txt
DEV_LOCK := backend/requirements-dev.txt
INSTALLER_LOCK := backend/requirements-installer.txt
FRONTEND_SOURCES := $(shell find src -type f 2>/dev/null) index.html vite.config.ts package.json

.PHONY: run backup test check test-backend test-frontend test-e2e lint bench lock audit-deps clean

run: $(STAMP) dist/index.html
	cd backend && ../$(PY) -m app serve --host 127.0.0.1 --port 8000

# A backup of the registry into backend/.data/backups (README, Backing up and restoring).
backup: $(STAMP)
	cd backend && ../$(PY) -m app backup

# Every package comes from the lock, checked against its hashes, the installer itself first (the
# venv's own pip may be any version: backend/scripts/install-lock says why); the project is then
# installed alone, built by the locked setuptools (no build isolation, which would fetch whatever
# setuptools is newest). A changed lock or pyproject.toml reinstalls.
$(STAMP): $(DEV_LOCK) $(INSTALLER_LOCK) backend/pyproject.toml backend/scripts/install-lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	backend/scripts/install-lock $(PY) $(DEV_LOCK)
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# Rebuilt only when missing or older than a source file.
dist/index.html: node_modules/.package-lock.json $(FRONTEND_SOURCES)
	npm run build

test: lint test-backend test-frontend test-e2e

check: lint test-frontend
	cd backend && .venv/bin/pytest -q tests/unit

# One pytest worker per core (PYTEST_WORKERS=0: none), each with a database of its own; idle
# workers take queued tests from busy ones (worksteal). Coverage of backend/app, the processes the
# tests start included, must stay at 80% or more. dist/ is for the Render blueprint's test.
PYTEST_WORKERS ?= auto
test-backend: $(STAMP) node_modules/.package-lock.json dist/index.html
	cd backend && .venv/bin/pytest -n $(PYTEST_WORKERS) --dist worksteal --cov=app \
		--cov-report=term-missing:skip-covered --cov-fail-under=80 $(PYTEST_ARGS)

test-frontend: node_modules/.package-lock.json
	npm test

# Our own front end needs sign-in, so it runs on the API only; the API's contract tests still
# compare it with json-server (test-backend). Against dist/ as built here (same origin).
test-e2e: $(STAMP) dist/index.html
	npm run e2e

lint: $(STAMP) node_modules/.package-lock.json
	cd backend && .venv/bin/ruff check . && .venv/bin/black --check . && .venv/bin/mypy --strict app tests benchmarks
	npm run lint
	npm run typecheck

bench: $(STAMP) node_modules/.package-lock.json
	cd backend && .venv/bin/python -m benchmarks.run

# Rewrites the three locks, keeping every pinned version that still satisfies pyproject.toml (so after a
# new dependency only the new packages are added). Newer versions: `make lock LOCK_ARGS=--upgrade`
# (all) or `make lock LOCK_ARGS="--upgrade-package fastapi"` (one). Needs PyPI. Besides pyproject's
# dependencies, pip and the [build-system] requires (setuptools) are locked; the runtime lock is
# constrained to the dev lock, so both pin the same versions; the installer lock holds uv alone.
LOCK_COMPILE := $(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock"
LOCK_TOOLS := { echo pip; $(PY) -c 'import tomllib; \
	print(*tomllib.load(open("backend/pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'; }
lock: $(STAMP)
	$(LOCK_TOOLS) | $(LOCK_COMPILE) backend/pyproject.toml - --extra dev -o $(DEV_LOCK) $(LOCK_ARGS)
	$(LOCK_TOOLS) | $(LOCK_COMPILE) backend/pyproject.toml - --constraint $(DEV_LOCK) -o $(LOCK)
	echo uv | $(LOCK_COMPILE) - --constraint $(DEV_LOCK) -o $(INSTALLER_LOCK)

# Known vulnerabilities in the locked versions: pip-audit (PyPI's vulnerability data, for the dev
# lock, which holds the runtime lock; --strict, else a package it could not look up passes
# silently) and npm audit (the npm registry's advisory endpoint). Needs network access to both,
# which the build machine lacked: not part of `lint` (README, Dependencies).
audit-deps: $(STAMP)
	status=0; \
	$(VENV)/bin/pip-audit --strict --disable-pip --require-hashes -r $(DEV_LOCK) || status=1; \
	npm audit || status=1; \
	exit $$status

# Everything made here, the embedded database included, but never the backups.
clean:
	rm -rf $(VENV) node_modules dist
	find backend/.data -mindepth 1 -maxdepth 1 ! -name 'backups*' -exec rm -rf {} + 2>/dev/null || true
