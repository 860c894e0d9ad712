"""In development without REDIS_URL, manage.py starts the embedded Redis itself (settings no longer do); with
REDIS_URL set it starts none."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[2]


def _manage(var_dir: Path, **env: str) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120, env={**clean, "DJANGO_ENV": "development", "VAR_DIR": str(var_dir), **env})
    assert result.returncode == 0, result.stderr[-3000:]


def test_it_starts_the_embedded_redis_for_a_management_command(var_dir):
    _manage(var_dir)
    assert redis.Redis(unix_socket_path=str(var_dir / "redis" / "redis.sock"), socket_timeout=2).ping()


def test_it_starts_none_when_redis_url_is_set(var_dir):
    _manage(var_dir, REDIS_URL="redis://127.0.0.1:1/0")
    assert not (var_dir / "redis").exists()
