"""The pipeline as an HTTP service on any GPU machine (a cloud VM, a Kubernetes node, an inference endpoint):

    RESTYLE_SERVE_TOKEN=... python -m gpu.serve [--host 0.0.0.0] [--port 8080] [--profile sd15]
        [--device cuda:0] [--queue 4] [--insecure-no-token]

Workers reach it with GPU_BACKEND=http (gpu/backends/http.py). Routes:

- POST   /v1/restyle       a RestyleRequest dict as JSON (gpu.wire.dumps) → server-sent events, one gpu.wire
                           message per `data:` line: "started" (the call id) at once, then "event"s, the last one
                           carrying the result, or one "error"; a `: keepalive` comment whenever it is quiet
                           for --heartbeat seconds (while queued, too), so a dead server shows as a read timeout
- DELETE /v1/restyle/{id}  cancel a queued or running call; closing the stream cancels it as well
- GET    /health           liveness: the process answers (500 once loading the models has failed)
- GET    /ready            readiness: 200 once the models are loaded and warmed, else 503; both with the load
                           (running, queued, capacity) that clients use to pick the least busy server

One process runs one design at a time on its GPU (one thread owns the models); up to --queue more wait. A
request past that is refused at once with 503, {"error": {"code": "busy", ...}} and a Retry-After estimated
from recent designs: the worker tries another server or waits, it never piles more work onto a full GPU.
Several GPUs in one machine: one process per GPU (--device cuda:N), each on its own port, all listed in
GPU_HTTP_URLS. Every route but /health and /ready needs `Authorization: Bearer <RESTYLE_SERVE_TOKEN>`.

Django-free and torch-free at import: torch loads in the loading thread.
"""
from __future__ import annotations

import argparse
import asyncio
import hmac
import logging
import math
import os
import queue
import sys
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from gpu import wire
from gpu.errors import GenerationFailed

log = logging.getLogger("gpu.serve")

TOKEN_ENV = "RESTYLE_SERVE_TOKEN"
DEFAULT_PORT = 8080
DEFAULT_QUEUE = 4  # waiting designs per GPU: a few seconds each on a GPU, so a short wait beats another server's
DEFAULT_HEARTBEAT_S = 1.0  # also bounds how late a closed connection is noticed, so keep it short
DEFAULT_MAX_BODY = 64 * 1024 * 1024  # a 15 MB photo is 20 MB as base64 JSON
NOT_READY_RETRY_S = 5


@dataclass
class Job:
    """One accepted request: queued, then running on the GPU thread, which hands messages to the stream."""

    id: str
    request: dict[str, Any]
    loop: asyncio.AbstractEventLoop
    outbox: asyncio.Queue = field(default_factory=asyncio.Queue)
    cancelled: threading.Event = field(default_factory=threading.Event)

    def send(self, message: dict[str, Any] | None) -> None:
        """From the GPU thread; None ends the stream."""
        try:
            self.loop.call_soon_threadsafe(self.outbox.put_nowait, message)
        except RuntimeError:  # the event loop has closed: the server is shutting down
            self.cancelled.set()


class Engine:
    """The models and the one thread that runs designs on them, in the order they were accepted."""

    def __init__(self, load: Callable[[], Any], *, queue_size: int = DEFAULT_QUEUE) -> None:
        self._load = load
        self.queue_size = queue_size
        self.models: Any = None
        self.ready = False
        self.failed = False
        self.stats: Counter[str] = Counter()  # completed, failed, cancelled, busy (refused), ...
        self._inbox: queue.Queue[Job | None] = queue.Queue()
        self._lock = threading.Lock()
        self._pending: dict[str, Job] = {}  # accepted and not finished: the running one and those queued
        self._running: str | None = None
        self._durations: deque[float] = deque(maxlen=20)
        self._thread = threading.Thread(target=self._main, name="gpu", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._lock:
            for job in self._pending.values():
                job.cancelled.set()
        self._inbox.put(None)

    def submit(self, request: dict[str, Any], loop: asyncio.AbstractEventLoop) -> Job | None:
        """The accepted job, or None when the GPU and its queue are full."""
        with self._lock:
            if len(self._pending) >= 1 + self.queue_size:
                self.stats["busy"] += 1
                return None
            job = Job(id=uuid.uuid4().hex, request=request, loop=loop)
            self._pending[job.id] = job
        self._inbox.put(job)
        return job

    def cancel(self, job_id: str) -> bool:
        with self._lock:
            job = self._pending.get(job_id)
        if job is None:
            return False
        job.cancelled.set()
        return True

    def load(self) -> dict[str, Any]:
        with self._lock:
            running = int(self._running is not None)
            return {"ready": self.ready, "running": running, "queued": len(self._pending) - running,
                    "capacity": 1 + self.queue_size, **{key: self.stats[key] for key in sorted(self.stats)}}

    def retry_after(self) -> int:
        """Seconds until a place is likely free: the designs ahead times their recent average duration."""
        with self._lock:
            ahead = max(1, len(self._pending) - self.queue_size)
            average = sum(self._durations) / len(self._durations) if self._durations else 5.0
        return max(1, min(60, math.ceil(ahead * average)))

    def _main(self) -> None:
        started = time.monotonic()
        try:
            self.models = self._load()
        except BaseException:
            self.failed = True
            log.critical("could not load the models: this server will never be ready", exc_info=True)
            return
        self.ready = True
        log.info("ready: models loaded and warmed in %.1fs", time.monotonic() - started)
        while (job := self._inbox.get()) is not None:
            with self._lock:
                self._running = job.id
            try:
                self._run(job)
            finally:
                with self._lock:
                    self._running = None
                    del self._pending[job.id]
                job.send(None)

    def _run(self, job: Job) -> None:
        from gpu.stream import restyle_stream

        if job.cancelled.is_set():  # cancelled while it waited
            with self._lock:
                self.stats["cancelled"] += 1
            return
        started = time.monotonic()
        stream = restyle_stream(job.request, self.models, call_id=job.id)
        outcome = "failed"
        try:
            for message in stream:
                if job.cancelled.is_set():
                    outcome = "cancelled"
                    log.info("call %s cancelled", job.id)
                    return
                if message["type"] == wire.STARTED:
                    continue  # the stream said so when the request was accepted, so it could be cancelled queued
                if message["type"] == wire.EVENT and message.get("result") is not None:
                    outcome = "completed"
                job.send(message)
        except Exception:
            log.exception("call %s failed", job.id)
            job.send(wire.error_to_dict(GenerationFailed("The design could not be generated.")))
        finally:
            stream.close()  # stops the denoising thread at its next step when we leave early
            with self._lock:
                self.stats[outcome] += 1
                if outcome == "completed":
                    self._durations.append(time.monotonic() - started)


def load_models(profile: str | None, device: str | None) -> Callable[[], Any]:
    """Load the models and prepare them (compiled and every bucket warmed, where RESTYLE_COMPILE/WARMUP say so:
    by default on CUDA), so that the first design waits for none of it."""

    def load() -> Any:
        from gpu import compile, loading

        loaded = loading.load(profile, device)
        if not loaded.real:
            log.warning("profile %s has random weights: results are not real designs", loaded.profile)
        compile.prepare(loaded)
        return loaded

    return load


def create_app(engine: Engine, *, token: str | None, heartbeat: float = DEFAULT_HEARTBEAT_S,
               max_body: int = DEFAULT_MAX_BODY) -> Starlette:
    """The ASGI app; token None serves without authentication (development only: see main)."""
    expected = token.encode() if token else None

    def authorized(request: Request) -> bool:
        if expected is None:
            return True
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected)

    async def health(request: Request) -> Response:
        if engine.failed:
            return JSONResponse({"status": "failed"}, status_code=500)
        return JSONResponse({"status": "ok"})

    async def ready(request: Request) -> Response:
        return JSONResponse(engine.load(), status_code=200 if engine.ready else 503)

    async def restyle(request: Request) -> Response:
        if not authorized(request):
            return _error(401, "unauthorized", "A valid bearer token is required.",
                          headers={"WWW-Authenticate": "Bearer"})
        body = await _read_body(request, max_body)
        if body is None:
            return _error(413, "too_large", f"The request is larger than {max_body} bytes.")
        if not engine.ready:
            return _error(503, "not_ready", "The models are still loading.",
                          headers={"Retry-After": str(NOT_READY_RETRY_S)})
        try:
            payload = wire.loads(body)
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return _error(400, "invalid_request", "The body must be a restyle request as JSON.")
        job = engine.submit(payload, asyncio.get_running_loop())
        if job is None:
            return _error(503, "busy", "Every GPU slot and queue place is taken.",
                          headers={"Retry-After": str(engine.retry_after())})
        return StreamingResponse(_events(job, heartbeat), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def cancel(request: Request) -> Response:
        if not authorized(request):
            return _error(401, "unauthorized", "A valid bearer token is required.",
                          headers={"WWW-Authenticate": "Bearer"})
        if not engine.cancel(request.path_params["call_id"]):
            return _error(404, "not_found", "No such call is queued or running.")
        return JSONResponse({"cancelled": True})

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/ready", ready, methods=["GET"]),
        Route("/v1/restyle", restyle, methods=["POST"]),
        Route("/v1/restyle/{call_id}", cancel, methods=["DELETE"]),
    ]
    return Starlette(routes=routes)


async def _events(job: Job, heartbeat: float) -> AsyncIterator[bytes]:
    try:
        yield _sse(wire.started(job.id))
        while True:
            try:
                message = await asyncio.wait_for(job.outbox.get(), heartbeat)
            except TimeoutError:
                yield b": keepalive\n\n"
                continue
            if message is None:
                return
            yield _sse(message)
    finally:
        job.cancelled.set()  # the client left (or we are done, when this changes nothing): free the GPU


def _sse(message: dict[str, Any]) -> bytes:
    return b"data: " + wire.dumps(message) + b"\n\n"


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None past `limit` (told by Content-Length or found while reading)."""
    if int(request.headers.get("content-length") or 0) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _error(status: int, code: str, message: str, *, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "field": None}}, status_code=status,
                        headers=headers)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m gpu.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="0.0.0.0 to listen on every interface")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or DEFAULT_PORT))
    parser.add_argument("--profile", choices=("sd15", "tiny"), help="default: MODEL_PROFILE, else sd15 when cached")
    parser.add_argument("--device", help="cpu, cuda, cuda:1 (default: CUDA when present)")
    parser.add_argument("--queue", type=int, default=DEFAULT_QUEUE, help="designs that may wait for the GPU")
    parser.add_argument("--heartbeat", type=float, default=DEFAULT_HEARTBEAT_S, help="seconds between keepalives")
    parser.add_argument("--max-body", type=int, default=DEFAULT_MAX_BODY, help="largest request in bytes")
    parser.add_argument("--insecure-no-token", action="store_true",
                        help=f"serve without {TOKEN_ENV}: anyone who reaches the port may use the GPU (development)")
    args = parser.parse_args(argv)
    if args.queue < 0:
        parser.error("--queue must be 0 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    args = parse_args(argv)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")
    token = os.environ.get(TOKEN_ENV, "").strip() or None
    if token is None and not args.insecure_no_token:
        print(f"error: set {TOKEN_ENV} (a long random string; the workers send it as GPU_HTTP_TOKEN), "
              "or pass --insecure-no-token on a development machine", file=sys.stderr)
        return 2
    if token is None:
        log.warning("serving WITHOUT authentication (--insecure-no-token)")
    engine = Engine(load_models(args.profile, args.device), queue_size=args.queue)
    engine.start()  # loads in the background: /health answers meanwhile and /ready says 503 until it is done
    app = create_app(engine, token=token, heartbeat=args.heartbeat, max_body=args.max_body)
    # One process: the models live in it. Running streams get 30 s to finish on SIGTERM, then they are cut
    # and their workers retry elsewhere.
    config = uvicorn.Config(app, host=args.host, port=args.port, workers=1, lifespan="off", access_log=False,
                            timeout_graceful_shutdown=30, log_level="info")
    try:
        uvicorn.Server(config).run()
    finally:
        engine.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
