"""`make run` stops everything and exits non-zero when the worker, the web server or the embedded Redis stops."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import tempfile
import time
from pathlib import Path

import redis as redis_py

from tests.servers import RedisServer, free_port


def _child(parent: int, word: str, timeout: float = 60) -> int:
    """The pid of the child process of `parent` whose command line holds `word` (waiting for it to show up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                except (OSError, IndexError):
                    continue
                if ppid == parent and word in command:
                    return int(entry.name)
        time.sleep(0.2)
    raise AssertionError(f"no child of {parent} runs {word}")


def _stopped_with_error(run, name: str) -> None:
    assert run.wait_for(f"The {name} stopped")
    assert run.process.wait(60) != 0


def test_it_exits_non_zero_when_the_worker_stops(make_run):
    server = RedisServer().start()
    try:
        port = free_port()
        run = make_run(PORT=str(port), REDIS_URL=server.url)
        run.wait_for("Restyle is at")
        # manage.py rundramatiq execs dramatiq itself, which stops cleanly on SIGTERM, with code 0.
        os.kill(_child(run.process.pid, "bin/dramatiq"), signal.SIGTERM)
        _stopped_with_error(run, "worker")
        with socket.socket() as probe:  # and the web server went with it
            assert probe.connect_ex(("127.0.0.1", port)) != 0
    finally:
        server.stop()
        server.remove()


def test_it_exits_non_zero_when_the_web_server_stops(make_run):
    server = RedisServer().start()
    try:
        run = make_run(PORT=str(free_port()), REDIS_URL=server.url)
        run.wait_for("Restyle is at")
        os.kill(_child(run.process.pid, "uvicorn"), signal.SIGKILL)
        _stopped_with_error(run, "web server")
    finally:
        server.stop()
        server.remove()


def test_it_exits_non_zero_when_the_embedded_redis_stops(make_run):
    var = tempfile.mkdtemp(prefix="run-", dir="/tmp")  # a unix socket path has at most 107 characters
    try:
        run = make_run(PORT=str(free_port()), VAR_DIR=var)  # no REDIS_URL: the embedded Redis
        run.wait_for("Restyle is at")
        try:
            redis_py.Redis(unix_socket_path=f"{var}/redis/redis.sock").shutdown(nosave=True)
        except redis_py.ConnectionError:
            pass  # shutting down closes the connection
        _stopped_with_error(run, "embedded Redis")
    finally:
        shutil.rmtree(var, ignore_errors=True)


def test_it_stops_cleanly_on_ctrl_c_even_when_started_with_sigint_ignored(make_run):
    # A shell starts background jobs with SIGINT ignored, and a child inherits that: config.run sets its own.
    server = RedisServer().start()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        run = make_run(PORT=str(free_port()), REDIS_URL=server.url)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        run.wait_for("Restyle is at")
        os.kill(run.process.pid, signal.SIGINT)  # config.run alone: the children are stopped by it
        assert run.process.wait(60) == 0, "".join(run.lines)
    finally:
        server.stop()
        server.remove()
