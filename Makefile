# The two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help run test install lint typecheck assets lock clean

help:
	@echo "make run    install, build assets, migrate SQLite, load demo data, serve on 127.0.0.1:8000 with a worker"
	@echo "make test   install, then ruff, mypy, import rules, migration check and the whole pytest suite"
	@echo "make bench  region-scale data on local PostgreSQL, then p50/p95 of the main pages (docs/benchmarks.md)"
	@echo "make lock   re-pin requirements-dev.lock and requirements.lock from pyproject.toml"

$(BIN)/.installed: requirements-dev.lock pyproject.toml
	@python=$$(scripts/find-python) && echo "using $$python ($$($$python --version))" && \
		{ [ -x $(BIN)/python ] || $$python -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build/static/.built: node_modules/.installed scripts/build-assets.mjs $(wildcard scss/*.scss)
	npm run --silent build
	@touch $@

install: $(BIN)/.installed build/static/.built
assets: build/static/.built

run: install
	@scripts/write-dev-env
	@scripts/run-dev

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(BIN)/.installed
	$(BIN)/mypy .

# pytest's exit code 5 (no tests collected) is non-zero, so make fails on it as on any failure.
test: install lint typecheck
	DJANGO_SETTINGS_MODULE=iom.test_settings $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

# Two locks: requirements-dev.lock for make run and make test, requirements.lock (the same pins,
# runtime only) for the production image.
LOCK_FLAGS := --quiet --strip-extras --no-emit-index-url --no-emit-find-links
lock: $(BIN)/.installed
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra dev -o requirements-dev.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) -c requirements-dev.lock -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) node_modules build var .env

# Region-scale data on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/iom_bench),
# then p50/p95 of the key pages over HTTP against gunicorn. See docs/benchmarks.md.
.PHONY: bench
bench: install
	@scripts/bench
