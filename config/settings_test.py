"""Test overrides: real Postgres and Redis from DATABASE_URL/REDIS_URL (tests/servers.py starts them)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

# `make test` runs the suite in several processes (pytest-xdist): each gets its own pair of Redis databases
# (broker and channels, then cache), set in the environment so the servers a test starts inherit them.
# Postgres needs nothing here: pytest-django gives each process its own test database.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = os.environ["REDIS_URL"].rsplit("/", 1)[0] + f"/{2 * int(_worker[2:])}"

from config.settings import *  # noqa: E402,F403
from config.settings import CACHES, EMBEDDED_REDIS_DIR, REDIS_URL, STORAGES  # noqa: E402

if EMBEDDED_REDIS_DIR is not None:  # no embedded Redis in tests, and none started here: a missing server says so
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("config.settings_test needs REDIS_URL: run the tests with `make test` "
                               "(tests/servers.py starts Postgres and Redis and sets it)")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production keeps PBKDF2
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="restyle-media-"))
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                    "OPTIONS": {"location": MEDIA_ROOT}}}
# The cache gets its own Redis database so tests can flush it without touching the broker's queues.
_redis, _broker_db = REDIS_URL.rsplit("/", 1)
CACHES = {"default": {**CACHES["default"], "LOCATION": f"{_redis}/{int(_broker_db) + 1}"}}
# The tiny random models on a CPU: fewer steps keep the suite fast; every stage still runs.
DESIGN_STEPS = 8
# Webhook tests call a receiver on 127.0.0.1, with waits short enough for a test.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
WEBHOOK_TIMEOUT_SECONDS = 1.0
WEBHOOK_BACKOFF_SECONDS = 0.2
WEBHOOK_BACKOFF_MAX_SECONDS = 0.5
ALERTS_ENABLED = False  # tests/designs/test_alert_*.py turn it on; no stray alert mail in other tests
