"""Test overrides: real Postgres and Redis from DATABASE_URL/REDIS_URL (tests/servers.py starts them)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403
from config.settings import CACHES, REDIS_URL, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production keeps PBKDF2
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="restyle-media-"))
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                    "OPTIONS": {"location": MEDIA_ROOT}}}
# The cache gets its own Redis database so tests can flush it without touching the broker's queues.
CACHES = {"default": {**CACHES["default"], "LOCATION": REDIS_URL.rsplit("/", 1)[0] + "/1"}}
# The tiny random models on a CPU: fewer steps keep the suite fast; every stage still runs.
DESIGN_STEPS = 8
# Webhook tests call a receiver on 127.0.0.1, with waits short enough for a test.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
WEBHOOK_TIMEOUT_SECONDS = 1.0
WEBHOOK_BACKOFF_SECONDS = 0.2
WEBHOOK_BACKOFF_MAX_SECONDS = 0.5
ALERTS_ENABLED = False  # tests/designs/test_alert_*.py turn it on; no stray alert mail in other tests
