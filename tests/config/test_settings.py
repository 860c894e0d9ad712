from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import envbool, envint, envlist

PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k7#Qw2$zT9!mPx4&vL8@rN1^bY6*cH3%dJ5(fG0)sA-e4+uI7=oK2~wE9|tR5",
    "ALLOWED_HOSTS": "restyle.example.com",
    "DATABASE_URL": "postgresql://u:p@db.example.com:5432/restyle",
    "REDIS_URL": "redis://redis.example.com:6379/0",
    "S3_BUCKET": "restyle-media",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run([sys.executable, "manage.py", *args], env={**clean, **env}, capture_output=True, text=True,
                          timeout=120)


def test_it_fails_loudly_on_malformed_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        envbool("X_BOOL", False)
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        envint("X_INT", 1)


def test_it_parses_lists(monkeypatch):
    monkeypatch.setenv("X_LIST", "a.example, b.example,,")
    assert envlist("X_LIST") == ["a.example", "b.example"]


def test_it_passes_the_deploy_check_in_production():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "S3_BUCKET"])
def test_it_requires_production_settings(missing):
    env = {**PRODUCTION, missing: ""}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr
