"""Slow bodies and idle sockets: 200 clients trickling request bodies and 200 idle WebSockets against the stack
`make run` starts (config.run: uvicorn as config/serve.py runs it, and a Dramatiq worker), while a user submits
a design and follows it over its WebSocket to the end. The design completes, every slow client is cut with 408
by the body guard, every /health/ probe is answered 200 (no 503 from uvicorn's concurrency limit), and /health/
answers within 100 ms at the 99th percentile under the attack.

That bound is asserted for the attack itself (the window before the design starts, which holds a full cycle of
408s and reconnections): while the design runs, `make run`'s worker computes the tiny pipeline on the same CPU
cores, which a GPU (Modal in production) would take off them; the whole run's figures are printed beside it.

Loopback only, and bounded: the slow clients reconnect after each 408 until the design is done. The socket caps
are raised here so that all 200 idle sockets are really held (every client is on loopback, one network); the caps
themselves are tested in tests/designs/test_socket_limits.py.
"""
from __future__ import annotations

import asyncio
import json
import random
import signal
import socket
import threading
import time
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tokens import token_issue
from designs.models import Design, Status
from tests.config.conftest import photo_form
from tests.designs.conftest import photo_bytes
from tests.designs.sockets import open_socket
from tests.drills.conftest import PYTHON, assert_completed_once
from tests.e2e.conftest import LiveServer
from tests.servers import Process, free_port

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]

SLOW_CLIENTS = 200
IDLE_SOCKETS = 200
BODY_TIMEOUT_S = 5
HEALTH_P99_S = 0.100
# The bound holds on a machine whose own p99, with nothing attacking, is at most QUIET_P99_S. On a slower or
# busier one (a shared 2-core CI box) it is scaled by the p99 measured just before the attack, so the drill
# measures what the attack costs rather than what the neighbours do.
QUIET_P99_S = 0.020


@pytest.fixture
def make_run(stack):
    """`python -m config.run` (what `make run` runs) on the drill's Redis and the test database."""
    port = free_port()
    env = {**stack.env, "PORT": str(port), "UPLOAD_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT_S),
           "WS_MAX_SOCKETS_PER_NETWORK": "1000", "WS_MAX_SOCKETS_PER_USER": "1000", "WS_HANDSHAKES_PER_MINUTE": "1000",
           # the tiny pipeline on the CPU leaves a core to the web server, as a GPU would; with the test settings'
           # steps, as the attack, not the denoising, is what this drill is about
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "DESIGN_STEPS": "8"}
    process = Process([PYTHON, "-m", "config.run"], name="config.run", env=env, log=stack.workdir / "make-run.log",
                      stop_signal=signal.SIGINT, stop_timeout=30)  # Ctrl-C, as a developer stops it
    server = LiveServer(process, port)
    try:
        yield server.start(timeout=120)
    finally:
        process.stop()


async def _slow_body(server: LiveServer, photo: bytes, stop: asyncio.Event, cut: list[int]) -> None:
    """A client that declares a photo upload and sends it a byte a second; again after each refusal. The clients
    start spread over one deadline, as independent ones would."""
    body, content_type = photo_form(photo)
    head = (f"POST /api/v1/designs/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    await asyncio.sleep(random.uniform(0, BODY_TIMEOUT_S))
    while not stop.is_set():
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(head)
        answer = asyncio.ensure_future(reader.read(100))
        try:
            for byte in body:
                if answer.done() or stop.is_set():
                    break
                writer.write(bytes([byte]))
                await asyncio.sleep(1)
        except ConnectionError:
            pass
        if answer.done() and answer.result():
            cut.append(int(answer.result().split()[1]))
        answer.cancel()
        writer.close()


def _health(server: LiveServer, stop: threading.Event, latencies: list[float]) -> None:
    """GET /health/ on a new connection every 50 ms, from a thread of its own: the attacking clients' event loop
    must not add its own lag to what is measured."""
    request = b"GET /health/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    while not stop.is_set():
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(request)
            status = sock.recv(100).split()[1]
        latencies.append((started, time.monotonic() - started))
        assert status == b"200", status
        stop.wait(0.05)


def _probe(server: LiveServer, latencies: list[float]) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()
    thread = threading.Thread(target=_health, args=(server, stop, latencies), daemon=True)
    thread.start()
    return stop, thread


def test_it_serves_a_user_through_slow_bodies_and_idle_sockets(stack, staff_api, make_run):
    attacker = token_issue(user=staff_api.user, name="attacker")
    # The idle sockets follow a design of their own that never runs (so the worker has only the user's).
    target = Design.objects.create(owner=staff_api.user, style="japandi", original="designs/t/original.jpg",
                                   status=Status.CANCELLED, deadline_at=timezone.now() + timedelta(minutes=10)).pk
    user_token = token_issue(user=staff_api.user, name="user")
    photo = photo_bytes()

    async def scenario():
        stop, cut, latencies, baseline = asyncio.Event(), [], [], []
        quiet, probe = _probe(make_run, baseline)
        await asyncio.sleep(10)  # the same probe before the attack: what this machine gives at the moment
        quiet.set()
        await asyncio.to_thread(probe.join)
        idle = [await open_socket(make_run, target, token=attacker) for _ in range(IDLE_SOCKETS)]
        assert all(ws is not None for ws, _ in idle)
        slow = [asyncio.ensure_future(_slow_body(make_run, photo, stop, cut)) for _ in range(SLOW_CLIENTS)]
        probing, probe = _probe(make_run, latencies)
        await asyncio.sleep(BODY_TIMEOUT_S + 4)  # every slow client is trickling now, and has been cut once
        submitted = time.monotonic()
        design_id = await asyncio.to_thread(_submit, make_run, user_token, photo)
        follower, snapshot = await open_socket(make_run, design_id, token=user_token, source="127.0.0.2")
        events = [snapshot]
        while events[-1]["type"] not in ("completed", "failed", "cancelled"):
            events.append(json.loads(await asyncio.wait_for(follower.recv(), 300)))
        await asyncio.sleep(max(0, BODY_TIMEOUT_S + 2 - (time.monotonic() - started)))  # every slow client cut once
        stop.set()
        probing.set()
        await asyncio.gather(*slow, asyncio.to_thread(probe.join))
        for ws, _ in [*idle, (follower, None)]:
            await ws.close()
        attack_only = [latency for at, latency in latencies if at < submitted]
        return design_id, events, cut, [latency for _, latency in latencies], baseline, attack_only

    started = time.monotonic()
    design_id, events, cut, latencies, baseline, attack_only = asyncio.run(scenario())
    assert events[-1]["type"] == "completed", events[-1]
    assert_completed_once(Design.objects.get(pk=design_id))
    assert len(cut) >= SLOW_CLIENTS and set(cut) == {408}  # each slow client cut by the deadline, at least once
    _report("the whole run, the design computing on the same CPU", latencies)
    p99 = _report("under attack, before the design started", attack_only)
    bound = HEALTH_P99_S * max(1.0, _report("before the attack", [latency for _, latency in baseline]) / QUIET_P99_S)
    print(f"{len(cut)} slow bodies cut; {time.monotonic() - started:.0f} s in all; p99 bound {bound * 1000:.0f} ms")
    assert p99 < bound


def _report(label: str, latencies: list[float]) -> float:
    latencies = sorted(latencies)
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    print(f"\n/health/ {label}: {len(latencies)} probes, p50 {latencies[len(latencies) // 2] * 1000:.1f} ms, "
          f"p99 {p99 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
    return p99


def _submit(server: LiveServer, token: str, photo: bytes) -> str:
    body, content_type = photo_form(photo)
    request = urllib.request.Request(f"{server.url}/api/v1/designs/", data=body, method="POST", headers={
        "Content-Type": content_type, "Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 202
        return json.loads(response.read())["id"]
