"""Settings for the live server the browser tests start in a subprocess.

The test settings give every process its own temporary MEDIA_ROOT; the server must store uploads where the
in-process worker (and the test) read them, so it takes the test process's folder from the environment.
"""
from __future__ import annotations

import os
from pathlib import Path

from config.settings_test import *  # noqa: F403
from config.settings_test import STORAGES

MEDIA_ROOT = Path(os.environ["E2E_MEDIA_ROOT"])
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                    "OPTIONS": {"location": MEDIA_ROOT}}}
DEBUG = False  # as in production: our own 404 page, no debug pages
# Static files from the app folders, as `make run` serves them (no collectstatic in a test run).
WHITENOISE_USE_FINDERS = True
# The operations page reads itself every second, so that a design of a few seconds is seen running.
OPS_REFRESH_SECONDS = 1
