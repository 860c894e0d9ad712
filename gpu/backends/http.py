"""The pipeline on our own GPU servers (`python -m gpu.serve`, gpu/serve.py), over HTTP: one or more, least busy
first. The messages are gpu.wire's, as JSON, in a server-sent event stream.

Error mapping, decided here once so the worker only looks at `transient`:

- the server's pipeline raised a RestyleError: the same class (gpu.wire), transient as it says;
- every server busy (503 or 429, a full GPU queue, or models still loading): the backend waits what the
  servers' Retry-After says and asks again, so a full queue costs the design no attempt; past `busy_wait`
  it gives up with BackendUnavailable (transient), and the worker's retry (or the next engine) takes over;
- no server reachable, the connection lost mid-design (a server killed or restarted), any other 5xx, a stream
  that ended without a result: BackendUnavailable (transient): the worker's retry runs the design again, on
  another server when there is one;
- no byte for `read_timeout` (a live server sends a keepalive every second), or the attempt's own deadline:
  BackendTimeout (transient);
- 400 or 413: InvalidRequest; 401, 403 or 404: ModelUnavailable (permanent, and an error in the log: a wrong
  GPU_HTTP_TOKEN or URL does not fix itself by waiting).
"""
from __future__ import annotations

import http.client
import json
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from gpu import wire
from gpu.backends import ShouldCancel
from gpu.errors import (
    BackendTimeout,
    BackendUnavailable,
    Cancelled,
    GenerationFailed,
    InvalidRequest,
    ModelUnavailable,
)
from gpu.types import Event, RestyleRequest

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 420.0  # one attempt, queueing included; as the Modal backend's
DEFAULT_CONNECT_TIMEOUT_S = 5.0
DEFAULT_READ_TIMEOUT_S = 60.0
DEFAULT_BUSY_WAIT_S = 120.0
POLL_S = 0.5  # how often should_cancel is asked (it may hit the database)
MAX_RETRY_AFTER_S = 30.0

UNAVAILABLE = "The GPU service is busy or unreachable. Please try again in a moment."
MISCONFIGURED = "The GPU service is not available right now."

# Designs this process has running on each server: the tie-break between servers that report the same load.
_in_flight: Counter[str] = Counter()
_in_flight_lock = threading.Lock()


@dataclass(frozen=True)
class Server:
    url: str

    def connection(self, timeout: float) -> http.client.HTTPConnection:
        parts = urlsplit(self.url)
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        return kind(parts.hostname, parts.port, timeout=timeout)

    def path(self, route: str) -> str:
        return urlsplit(self.url).path.rstrip("/") + route


class _Busy(Exception):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after


class _Down(Exception):
    pass


class HttpBackend:
    name = "http"

    def __init__(
        self,
        urls: list[str] | tuple[str, ...],
        *,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_S,
        read_timeout: float = DEFAULT_READ_TIMEOUT_S,
        busy_wait: float = DEFAULT_BUSY_WAIT_S,
        poll_interval: float = POLL_S,
    ) -> None:
        if not urls:
            raise ValueError("the http GPU backend needs at least one server URL (GPU_HTTP_URLS)")
        for url in urls:
            if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                raise ValueError(f"{url!r} is not an http:// or https:// URL")
        self.servers = [Server(url) for url in urls]
        self.token = token
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.busy_wait = busy_wait
        self.poll_interval = poll_interval

    def restyle(self, request: RestyleRequest, *, should_cancel: ShouldCancel | None = None) -> Iterator[Event]:
        should_cancel = should_cancel or (lambda: False)
        deadline = time.monotonic() + self.timeout
        call = self._start(wire.dumps(request.to_dict()), should_cancel, deadline)
        try:
            yield from call.events(should_cancel, deadline)
        finally:
            call.close()  # cancels the remote call unless it finished

    def _start(self, body: bytes, should_cancel: ShouldCancel, deadline: float) -> _Call:
        """The first server, least busy first, that takes the design; waits while all are busy."""
        give_up_at = min(deadline, time.monotonic() + self.busy_wait)
        while True:
            retry_after: float | None = None
            for server in self.least_busy_first():
                if should_cancel():
                    raise Cancelled("The design was cancelled.")
                try:
                    return self._post(server, body)
                except _Busy as busy:
                    retry_after = min(retry_after or busy.retry_after, busy.retry_after)
                except _Down:
                    continue
            if retry_after is None:
                raise BackendUnavailable(UNAVAILABLE)  # nobody answered: the worker's retry waits longer than we should
            pause = max(0.2, random.uniform(0.5, 1.0) * retry_after)  # spread the herd of waiting workers
            if time.monotonic() + pause > give_up_at:
                log.warning("every GPU server stayed busy for %.0fs", self.busy_wait)
                raise BackendUnavailable(UNAVAILABLE)
            _sleep(pause, should_cancel, self.poll_interval)

    def least_busy_first(self) -> list[Server]:
        """Servers ordered by their /ready answer: ready ones by load, then loading ones, then silent ones
        (still tried: they may be back)."""
        if len(self.servers) == 1:
            return list(self.servers)
        with ThreadPoolExecutor(len(self.servers)) as pool:
            loads = list(pool.map(self._probe, self.servers))

        def rank(pair: tuple[Server, dict[str, Any] | None]) -> tuple:
            server, load = pair
            with _in_flight_lock:
                ours = _in_flight[server.url]
            if load is None:
                return (2, 0, ours, random.random())
            pending = int(load.get("running", 0)) + int(load.get("queued", 0))
            return (0 if load.get("ready") else 1, pending, ours, random.random())

        return [server for server, _ in sorted(zip(self.servers, loads, strict=True), key=rank)]

    def _probe(self, server: Server) -> dict[str, Any] | None:
        conn = server.connection(min(self.connect_timeout, 2.0))
        try:
            conn.request("GET", server.path("/ready"))
            response = conn.getresponse()
            load = json.loads(response.read())
            return load if isinstance(load, dict) else None
        except (OSError, http.client.HTTPException, ValueError):
            return None
        finally:
            conn.close()

    def _post(self, server: Server, body: bytes) -> _Call:
        conn = server.connection(self.connect_timeout)
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream", **self._auth()}
        try:
            conn.connect()
            conn.sock.settimeout(self.read_timeout)
            conn.request("POST", server.path("/v1/restyle"), body, headers)
            response = conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            log.warning("GPU server %s unreachable: %s: %s", server.url, type(exc).__name__, exc)
            raise _Down from exc
        if response.status == 200:
            return _Call(self, server, conn, response)
        answer = _read_error(response)
        conn.close()
        raise _refusal(server, response.status, response.getheader("Retry-After"), answer)

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def describe(self) -> str:
        return "GPU servers " + ", ".join(server.url for server in self.servers)


class _Call:
    """One accepted request: its event stream, and cancelling it when we stop listening early."""

    def __init__(self, backend: HttpBackend, server: Server, conn: http.client.HTTPConnection,
                 response: http.client.HTTPResponse) -> None:
        self.backend = backend
        self.server = server
        self.conn = conn
        self.response = response
        self.call_id: str | None = None
        self.finished = False
        self.closed = False
        with _in_flight_lock:
            _in_flight[server.url] += 1

    def events(self, should_cancel: ShouldCancel, deadline: float) -> Iterator[Event]:
        for message in self._messages(should_cancel, deadline):
            kind = message.get("type")
            if kind == wire.STARTED:
                self.call_id = message.get("call_id")
                continue
            if kind == wire.ERROR:
                self.finished = True
                raise wire.error_from_dict(message)
            event = wire.event_from_dict(message)
            self.finished = event.is_final
            yield event
            if event.is_final:
                return
        log.warning("GPU server %s closed call %s before its result", self.server.url, self.call_id)
        raise BackendUnavailable(UNAVAILABLE)

    def _messages(self, should_cancel: ShouldCancel, deadline: float) -> Iterator[dict[str, Any]]:
        """gpu.wire messages from the `data:` lines; keepalive comments only let us look at the clock."""
        data: list[bytes] = []
        next_check = 0.0
        while True:
            now = time.monotonic()
            if now >= next_check:
                if should_cancel():
                    raise Cancelled("The design was cancelled.")
                next_check = now + self.backend.poll_interval
            if now >= deadline:
                raise BackendTimeout("The GPU service took too long to finish this design.")
            line = self._readline()
            if not line:
                return
            line = line.rstrip(b"\r\n")
            if line.startswith(b"data:"):
                data.append(line[5:].removeprefix(b" "))
            elif not line and data:
                yield self._decode(b"\n".join(data))
                data = []

    def _readline(self) -> bytes:
        try:
            return self.response.readline()
        except TimeoutError as exc:
            log.warning("GPU server %s silent for %.0fs on call %s", self.server.url, self.backend.read_timeout,
                        self.call_id)
            raise BackendTimeout("The GPU service took too long to finish this design.") from exc
        except (OSError, http.client.HTTPException) as exc:
            log.warning("lost GPU server %s during call %s: %s: %s", self.server.url, self.call_id,
                        type(exc).__name__, exc)
            raise BackendUnavailable(UNAVAILABLE) from exc

    def _decode(self, data: bytes) -> dict[str, Any]:
        try:
            message = wire.loads(data)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            log.error("GPU server %s sent an unreadable message on call %s", self.server.url, self.call_id)
            raise GenerationFailed("The design could not be generated.")
        return message

    def close(self) -> None:
        """Stop listening; cancel the remote call if it may still run. Safe to call twice."""
        if self.closed:
            return
        self.closed = True
        with _in_flight_lock:
            _in_flight[self.server.url] -= 1
        self.conn.close()  # the server notices within a keepalive and stops too; the DELETE says it at once
        if not self.finished and self.call_id:
            self._cancel_remote()

    def _cancel_remote(self) -> None:
        conn = self.server.connection(self.backend.connect_timeout)
        try:
            conn.request("DELETE", self.server.path(f"/v1/restyle/{self.call_id}"), headers=self.backend._auth())
            conn.getresponse().read()
        except (OSError, http.client.HTTPException) as exc:  # best effort: the closed stream cancels it as well
            log.info("could not cancel call %s on %s: %s: %s", self.call_id, self.server.url, type(exc).__name__, exc)
        finally:
            conn.close()


def _refusal(server: Server, status: int, retry_after: str | None, answer: str) -> Exception:
    """What a server's answer other than 200 means (see the table at the top)."""
    if status in (429, 503):
        return _Busy(_retry_after(retry_after))
    if status in (400, 413, 422):
        log.error("GPU server %s refused the request (%s): %s", server.url, status, answer)
        return InvalidRequest("The request could not be read.")
    if status in (401, 403, 404, 405):
        log.error("GPU server %s answered %s (%s): check GPU_HTTP_TOKEN against its RESTYLE_SERVE_TOKEN, and "
                  "that the URL points at `python -m gpu.serve`", server.url, status, answer)
        return ModelUnavailable(MISCONFIGURED)
    log.warning("GPU server %s answered %s: %s", server.url, status, answer)
    return _Down()


def _read_error(response: http.client.HTTPResponse) -> str:
    try:
        return response.read(2000).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        return ""


def _retry_after(value: str | None) -> float:
    try:
        return min(MAX_RETRY_AFTER_S, max(0.0, float(value or 1)))
    except ValueError:
        return 1.0


def _sleep(seconds: float, should_cancel: ShouldCancel, poll: float) -> None:
    until = time.monotonic() + seconds
    while (left := until - time.monotonic()) > 0:
        if should_cancel():
            raise Cancelled("The design was cancelled.")
        time.sleep(min(poll, left))
