"""The web server as `make run` starts it (config.run.web_command: uvicorn with config/serve.py's options), on a
free loopback port, pointed at the test database and Redis, for tests that need real sockets."""
from __future__ import annotations

import contextlib
import os
import signal
import sys

import pytest
import redis
from django.conf import settings
from django.db import connection

from config.run import web_command
from tests.e2e.conftest import LiveServer
from tests.servers import Process, RedisServer, free_port


@pytest.fixture(scope="module")
def serve(django_db_setup, django_db_blocker):
    """Start a server with extra environment: `serve(REQUEST_BODY_TIMEOUT_SECONDS="2")`; stopped after the module."""
    servers: list[LiveServer] = []
    with django_db_blocker.unblock():
        db = connection.settings_dict

    def start(**env: str) -> LiveServer:
        port = free_port()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.e2e.settings", "E2E_MEDIA_ROOT": str(settings.MEDIA_ROOT),
               "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
               "PYTHONUNBUFFERED": "1", **env}
        servers.append(LiveServer(Process(web_command(str(port)), name="web", env=env), port).start())
        return servers[-1]

    yield start
    for server in servers:
        server.process.stop()


def photo_form(photo: bytes, *, style: str = "japandi", field: str = "image") -> tuple[bytes, str]:
    """A multipart body with a style and a photo, and its Content-Type."""
    body = (f'--x\r\nContent-Disposition: form-data; name="style"\r\n\r\n{style}\r\n'
            f'--x\r\nContent-Disposition: form-data; name="{field}"; filename="room.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n").encode() + photo + b"\r\n--x--\r\n"
    return body, "multipart/form-data; boundary=x"


@pytest.fixture
def own_redis(settings):
    """A Redis server of this test's own, as REDIS_URL and the cache: for tests that count or drop every connection
    the server has, which on the shared server would count and drop another test process's too."""
    server = RedisServer().start()
    settings.REDIS_URL = server.url
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url}}
    yield redis.Redis.from_url(server.url)
    server.stop()
    server.remove()


@pytest.fixture
def var_dir(tmp_path):
    """A VAR_DIR for a subprocess in development; an embedded Redis started there is stopped afterwards."""
    yield tmp_path
    socket_path = tmp_path / "redis" / "redis.sock"
    if socket_path.exists():
        with contextlib.suppress(redis.ConnectionError):
            redis.Redis(unix_socket_path=str(socket_path)).shutdown(nosave=True)


class MakeRun:
    """`python -m config.run` (what `make run` runs) with its output in a pipe, read line by line."""

    def __init__(self, process: Process) -> None:
        self.process = process
        self.lines: list[str] = []

    def wait_for(self, text: str, timeout: float = 90) -> str:
        """The first line of its output (stdout and stderr) holding `text`; every earlier one is in self.lines."""
        import selectors
        import time

        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                    break
                line = self.process.stdout.readline()
                if not line:
                    break
                self.lines.append(line)
                if text in line:
                    return line
        raise AssertionError(f"no line with {text!r} in:\n{''.join(self.lines)}")


@pytest.fixture
def make_run(django_db_setup, django_db_blocker, tmp_path):
    """Start config.run on the test database, in DJANGO_ENV=test (no demo account), with extra environment:
    `make_run(HOST="127.0.0.2", REDIS_URL=...)`. Killed with its process group after the test."""
    with django_db_blocker.unblock():
        db = connection.settings_dict
    runs: list[MakeRun] = []

    def start(**env: str) -> MakeRun:
        clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "HOST", "PORT"}}
        env = {**clean, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV": "test", "VAR_DIR": str(tmp_path),
               "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
               "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1", **env}
        # Stopped with Ctrl-C's SIGINT, as a developer stops it.
        process = Process([sys.executable, "-m", "config.run"], name="config.run", env=env, pipe=True,
                          stop_signal=signal.SIGINT, stop_timeout=30)
        runs.append(MakeRun(process.start()))
        return runs[-1]

    yield start
    for run in runs:
        run.process.stop()
