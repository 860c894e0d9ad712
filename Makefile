# `make run` serves the whole product; `make test` runs the whole suite on real Postgres and Redis.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Test processes (pytest-xdist), each with its own Postgres database and Redis databases; 1 runs in one.
TEST_PROCESSES ?= 2
# A stamp named after the requirements' and lock files' hash: a second run installs nothing unless they changed.
REQ_HASH := $(shell cat requirements/*.txt requirements/*.lock | sha1sum | cut -c1-12)
UV := $(VENV)/bin/uv

.PHONY: run test lint install install-dev system-deps lock lock-check superuser bench bench-submit bench-load drills clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# uv installs the rest: pinned and hashed in requirements/bootstrap.lock, installed with the venv's own pip.
$(UV): requirements/bootstrap.lock | $(PY)
	$(PY) -m pip install --disable-pip-version-check --require-hashes --no-deps -r requirements/bootstrap.lock
	touch $@

# `uv pip sync` makes the venv exactly the lock file (hash-checked; anything else removed), with its download
# progress shown: the first install fetches about 4 GB (torch with CUDA). Byte-compiled, as pip does: a start
# then reads .pyc files instead of compiling torch's thousands of modules again. opencv-python-headless is put
# back every time: in a venv made before the locks, opencv-python was there too, and removing it deletes the cv2
# files the two packages share.
SYNC = $(UV) pip sync --python $(PY) --require-hashes --compile-bytecode --reinstall-package opencv-python-headless
$(VENV)/.run-$(REQ_HASH): | $(UV)
	@echo "Installing requirements/run.lock into $(VENV) (the first time: about 4 GB to download)"
	$(SYNC) requirements/run.lock
	rm -f $(VENV)/.run-* && touch $@

$(VENV)/.dev-$(REQ_HASH): | $(UV)
	@echo "Installing requirements/dev.lock into $(VENV) (the first time: about 4 GB to download)"
	$(SYNC) requirements/dev.lock
	rm -f $(VENV)/.dev-* $(VENV)/.run-* && touch $@ $(VENV)/.run-$(REQ_HASH)

install: $(VENV)/.run-$(REQ_HASH)
install-dev: $(VENV)/.dev-$(REQ_HASH) system-deps

# PostgreSQL server binaries for the test servers, Debian's Chromium for the browser tests and shellcheck
# for the entrypoint's lint test; installed only when missing.
system-deps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq postgresql)
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)
	@command -v shellcheck >/dev/null || (apt-get update -qq && apt-get install -y -qq shellcheck)

# The address: HOST (default 127.0.0.1) and PORT (default 8000), from the command line (make run HOST=0.0.0.0
# PORT=8080), the environment or .env, which config.run loads when there is one.
run: install
	$(PY) -m config.run

# An admin account of your own for /admin/ (asks for an e-mail address and a password).
superuser: install
	$(PY) manage.py createsuperuser

# Recompile the hashed lock files after editing requirements/*.txt (UPGRADE=1: newest unpinned versions too);
# lock-check fails when they are out of date (tests/ops/test_lock_files.py runs it in `make test`).
lock: $(UV)
	$(PY) requirements/lock.py $(if $(UPGRADE),--upgrade)

lock-check: $(UV)
	$(PY) requirements/lock.py --check

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
