# `make run` serves the whole product; `make test` runs the whole suite on real Postgres and Redis.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Test processes (pytest-xdist), each with its own Postgres database and Redis databases; 1 runs in one.
TEST_PROCESSES ?= 2
# A stamp named after the requirements' hash: a second run installs nothing unless they changed.
REQ_HASH := $(shell cat requirements/*.txt | sha1sum | cut -c1-12)

.PHONY: run test lint install install-dev system-deps bench bench-submit bench-load drills clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.run-$(REQ_HASH): | $(PY)
	$(PY) -m pip install -q -r requirements/base.txt -r requirements/gpu.txt
	rm -f $(VENV)/.run-* && touch $@

$(VENV)/.dev-$(REQ_HASH): | $(PY)
	$(PY) -m pip install -q -r requirements/dev.txt
	rm -f $(VENV)/.dev-* $(VENV)/.run-* && touch $@ $(VENV)/.run-$(REQ_HASH)

install: $(VENV)/.run-$(REQ_HASH)
install-dev: $(VENV)/.dev-$(REQ_HASH) system-deps

# PostgreSQL server binaries for the test servers, Debian's Chromium for the browser tests and shellcheck
# for the entrypoint's lint test; installed only when missing.
system-deps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq postgresql)
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)
	@command -v shellcheck >/dev/null || (apt-get update -qq && apt-get install -y -qq shellcheck)

run: install
	PORT=$(PORT) $(PY) -m config.run

test: install-dev
	$(PY) -m tests.servers -- $(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile $(ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(PY) -m tools.imports

bench: install
	$(PY) -m gpu.bench --profile tiny

bench-load: install-dev
	$(PY) -m tests.load.bench $(ARGS)

# The drills also run in `make test`; this runs only them.
drills: install-dev
	$(PY) -m tests.servers -- $(PY) -m pytest tests/drills $(ARGS)

bench-submit: install-dev
	$(PY) -m tests.servers -- env DJANGO_SETTINGS_MODULE=config.settings_test $(PY) manage.py bench_submit

clean:
	rm -rf var staticfiles
