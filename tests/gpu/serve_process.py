"""`python -m gpu.serve` as a real process on a loopback port, with the tiny models on the CPU, for the tests of
the server, of HttpBackend and of the drills that run designs through it."""
from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request

from tests.servers import ROOT, Process, free_port  # noqa: F401  (ROOT: the gpu tests import it from here)

TOKEN = "a-long-test-token-for-gpu-serve"
# Loading torch and the tiny models takes from 20 s to a minute and a half on a busy 2-core machine.
READY_TIMEOUT_S = 300


class ServeProcess:
    def __init__(self, *, token: str | None = TOKEN, queue: int = 4, args: tuple[str, ...] = (),
                 env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = token
        self.queue = queue
        self.args = args
        self.env = env or {}
        self.process = Process(self.command(), name="gpu.serve", stop_timeout=30)
        self.log = self.process.log

    def command(self) -> list[str]:
        return [sys.executable, "-m", "gpu.serve", "--port", str(self.port), "--profile", "tiny", "--device", "cpu",
                "--queue", str(self.queue), *self.args]

    def start(self) -> ServeProcess:
        env = {key: value for key, value in os.environ.items() if key != "RESTYLE_SERVE_TOKEN"}
        # No quality retry: the tiny models' random pictures would fail the layout check and run twice.
        env.update({"QUALITY_RETRY_BELOW": "0", "PYTHONUNBUFFERED": "1", **self.env})
        if self.token:
            env["RESTYLE_SERVE_TOKEN"] = self.token
        self.process.env = env
        self.process.start()
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> ServeProcess:
        self.process.wait_for_url(self.url + "/ready", timeout=timeout)
        return self

    def get(self, path: str) -> tuple[int | None, dict | None]:
        """(status, JSON body); (None, None) while nothing listens."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")
        except OSError:
            return None, None

    def load(self) -> dict:
        return self.get("/ready")[1]

    def wait_load(self, predicate, *, timeout: float = 30) -> dict:
        """Poll /ready until predicate(load) holds; the last load either way in the message."""
        deadline = time.monotonic() + timeout
        while True:
            load = self.load()
            if load is not None and predicate(load):
                return load
            if time.monotonic() > deadline:
                raise AssertionError(f"server load still {load} after {timeout:.0f} s")
            time.sleep(0.1)

    def kill(self) -> None:
        """kill -9: the server dies mid-instruction, as a VM that is preempted or a process the OOM killer took."""
        self.process.kill()

    def stop(self) -> None:
        self.process.stop()

    def alive(self) -> bool:
        return self.process.alive()

    def log_tail(self, lines: int = 60) -> str:
        return self.process.log_tail(lines)


def started(*servers: ServeProcess) -> list[ServeProcess]:
    """Start all, then wait for all: they load their models side by side."""
    for server in servers:
        server.start()
    return [server.wait_ready() for server in servers]


def post_restyle(server: ServeProcess, request, *, token: str | None = TOKEN):
    """A raw POST /v1/restyle: (connection, response), the stream left unread; close the connection to leave."""
    import http.client

    from gpu import wire

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    conn.request("POST", "/v1/restyle", wire.dumps(request.to_dict()), headers)
    return conn, conn.getresponse()


def first_message(response) -> dict:
    """The first `data:` message of an event stream (gpu.serve sends "started" at once)."""
    from gpu import wire

    while True:
        line = response.readline()
        assert line, "the stream ended"
        if line.startswith(b"data:"):
            return wire.loads(line[5:].strip())
