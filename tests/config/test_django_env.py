"""DJANGO_ENV is development, test or production, exactly: anything else refuses to start instead of meaning
development (DEBUG on, the published secret key) on what was meant to be a production server."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _check(django_env: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV": django_env}
    return subprocess.run([sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("django_env", ["prod", "Production", "production ", "staging"])
def test_it_refuses_an_unknown_environment(django_env):
    result = _check(django_env)
    assert result.returncode != 0, result.stdout
    assert f"DJANGO_ENV={django_env!r} is not one of: development, test, production" in result.stderr


@pytest.mark.parametrize("django_env", ["development", "test"])
def test_it_starts_in_the_known_non_production_environments(django_env):
    result = _check(django_env)
    assert result.returncode == 0, result.stderr
