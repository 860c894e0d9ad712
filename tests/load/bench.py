"""Load benchmark of the real stack on loopback: submit latency, status GET throughput, progress-event latency.

    python -m tests.load.bench                   # make bench-load: uvicorn with 1 and with 2 worker processes
    python -m tests.load.bench --web-workers 2 --quick

Starts throwaway Postgres and Redis (tests/servers.py), migrates, seeds a staff user with a token, serves
config.asgi:application with uvicorn, and measures with an asyncio client:

- submit p50/p99 at 10 and 50 concurrent clients, for a 1-megapixel photo and the 12 MP fixture; client side
  on loopback, and server side from the Server-Timing header when the server sends one;
- status GET throughput (GET /api/v1/designs/{id}/) with 50 concurrent clients;
- progress-event latency with 200 WebSockets open: a separate process publishes events through the channel
  layer exactly as the worker does (designs.progress.publish), each stamped with its publish time, and the
  client measures publish -> socket.

No worker runs: submitted designs stay queued, which is what the submit path sees in production too.
Every phase is bounded and everything started is stopped at the end. Loopback only.
"""
from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "rooms" / "living-room-cluttered.jpg"  # 12 megapixels
SOCKETS = 200
EVENT_RATE = 200  # events per second, spread over the sockets' designs: one a second each
EVENT_SECONDS = 10
STATUS_SECONDS = 10


# --- Figures ----------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))  # nearest rank
    return ordered[index]


@dataclass
class Row:
    name: str
    detail: str
    p50_ms: float
    p99_ms: float
    extra: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  {row.name:<30} {row.detail:<24} p50 {row.p50_ms:7.1f} ms  p99 {row.p99_ms:7.1f} ms  {row.extra}",
              flush=True)


class ClientCpu:
    """The share of one core this client used since it was made: on a small machine the load generator competes
    with the server it measures, and this says by how much."""

    def __init__(self) -> None:
        self.cpu, self.wall = time.process_time(), time.monotonic()

    def __str__(self) -> str:
        share = (time.process_time() - self.cpu) / max(time.monotonic() - self.wall, 1e-9)
        return f"client cpu {share:.0%} of a core"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- The stack --------------------------------------------------------------------------------------------------


class Stack:
    """Postgres, Redis and a seeded database; uvicorn started and stopped per configuration."""

    def __init__(self, settings_module: str = "config.settings") -> None:
        from tests.servers import PostgresServer, RedisServer

        self.settings_module = settings_module
        self.workdir = Path(tempfile.mkdtemp(prefix="restyle-bench-"))
        self.postgres = PostgresServer()
        self.redis = RedisServer()
        self.web = None  # a tests.servers.Process while serving
        self.port = 0

    def start(self) -> Stack:
        self.postgres.start()
        self.redis.start()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SETTINGS_MODULE": self.settings_module, "DEBUG": "false", "LOG_LEVEL": "WARNING",
            "DATABASE_URL": self.postgres.url, "REDIS_URL": self.redis.url,
            "VAR_DIR": str(self.workdir / "var"), "MEDIA_ROOT": str(self.workdir / "media"),
            # Every guard of the submit path runs, as in production, with limits no benchmark reaches.
            "RATELIMIT_SUBMIT": "1000000/m", "GLOBAL_DESIGNS_PER_MINUTE": "1000000",
            "GLOBAL_DESIGNS_PER_HOUR": "1000000", "GPU_DAILY_BUDGET_USD": "1000000",
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=self.env, check=True)
        seeded = subprocess.run([sys.executable, "-m", "tests.load.bench", "seed"], cwd=ROOT, env=self.env,
                                check=True, capture_output=True, text=True)
        self.token = json.loads(seeded.stdout.strip().splitlines()[-1])["token"]
        return self

    def serve(self, workers: int) -> str:
        from tests.servers import Process, free_port

        self.port = free_port()
        self.web = Process(
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port",
             str(self.port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"],
            name="uvicorn", cwd=ROOT, env=self.env, stop_timeout=20).start().wait_for_port(self.port, timeout=60)
        return f"127.0.0.1:{self.port}"

    def unserve(self) -> None:
        if self.web:
            self.web.stop()
        self.web = None

    def publisher(self, design_ids: list[str], rate: int, seconds: int) -> subprocess.Popen:
        ids = self.workdir / "design-ids.json"
        ids.write_text(json.dumps(design_ids))
        return subprocess.Popen([sys.executable, "-m", "tests.load.bench", "publish", str(ids), str(rate),
                                 str(seconds)], cwd=ROOT, env=self.env, stdout=subprocess.PIPE, text=True)

    def stop(self) -> None:
        self.unserve()
        self.redis.stop()
        try:
            self.postgres.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        self.redis.remove()
        self.postgres.remove()
        shutil.rmtree(self.workdir, ignore_errors=True)


def seed() -> None:
    """In the stack's environment: a staff user with a token, and a daily limit no benchmark reaches."""
    import django

    django.setup()
    from accounts.models import User
    from accounts.tokens import token_issue
    from billing.models import Plan
    from billing.selectors import plan_get
    from billing.services import subscription_change

    user = User.objects.create_user("bench@example.com", "a long benchmark pass phrase")
    plan_get(code="staff")
    Plan.objects.filter(code="staff").update(daily_limit=10_000_000)
    subscription_change(user=user, plan=Plan.objects.get(code="staff"))
    print(json.dumps({"token": token_issue(user=user, name="bench")}))


def publish(ids_file: str, rate: int, seconds: int) -> None:
    """In the stack's environment: progress events for the designs, as the worker publishes them."""
    import django

    django.setup()
    from designs.models import Design
    from designs.progress import progress_event
    from designs.progress import publish as send

    designs = list(Design.objects.filter(pk__in=json.loads(Path(ids_file).read_text())))
    send(designs[0].pk, {"type": "warmup", "timestamp": time.time()})  # the channel layer's connection
    interval, started, sent, calls = 1 / rate, time.monotonic(), 0, []
    while time.monotonic() - started < seconds:
        design = designs[sent % len(designs)]
        design.seq += 1
        call_started = time.perf_counter()
        send(design.pk, progress_event(design))  # stamps time.time() as it builds the event
        calls.append((time.perf_counter() - call_started) * 1000)
        sent += 1
        delay = started + sent * interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    print(json.dumps({"sent": sent, "seconds": round(time.monotonic() - started, 2),
                      "call_p50_ms": percentile(calls, 50), "call_p99_ms": percentile(calls, 99)}))


# --- The client -------------------------------------------------------------------------------------------------


def one_megapixel_photo() -> bytes:
    from PIL import Image

    image = Image.open(FIXTURE)
    image.draft("RGB", (1300, 1300))
    image = image.convert("RGB")
    image.thumbnail((1155, 1155))  # 1155 x 866: one megapixel
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


_SERVER_TIMING = re.compile(r"dur=([0-9.]+)")


def server_ms(response) -> float | None:
    """The server's own time from Server-Timing (the sum of its entries), when it sends one."""
    header = response.headers.get("server-timing")
    if not header:
        return None
    return sum(float(x) for x in _SERVER_TIMING.findall(header)) or None


async def submits(client, photo: bytes, *, concurrency: int, total: int) -> tuple[list[float], list[float], list]:
    client_ms: list[float] = []
    server: list[float] = []
    ids: list[str] = []
    errors: list[str] = []
    remaining = iter(range(total))

    async def one_client() -> None:
        for _ in remaining:
            started = time.perf_counter()
            response = await client.post("/api/v1/designs/", data={"style": "japandi", "resolution": "512"},
                                         files={"image": ("room.jpg", photo, "image/jpeg")})
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 202:
                errors.append(f"{response.status_code} {response.text[:120]}")
                continue
            client_ms.append(elapsed)
            ids.append(response.json()["id"])
            if (ms := server_ms(response)) is not None:
                server.append(ms)

    await asyncio.gather(*(one_client() for _ in range(concurrency)))
    if errors:
        print(f"  {len(errors)} submits failed, e.g. {errors[0]}", flush=True)
    return client_ms, server, ids


async def statuses(client, ids: list[str], *, concurrency: int, seconds: float) -> tuple[list[float], float]:
    times: list[float] = []
    stop_at = time.monotonic() + seconds

    async def one_client() -> None:
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            response = await client.get(f"/api/v1/designs/{random.choice(ids)}/")
            if response.status_code == 200:
                times.append((time.perf_counter() - started) * 1000)

    started = time.monotonic()
    await asyncio.gather(*(one_client() for _ in range(concurrency)))
    return times, len(times) / (time.monotonic() - started)


async def event_latency(stack: Stack, address: str, ids: list[str]) -> tuple[list[float], int, int]:
    from websockets.asyncio.client import connect

    latencies: list[float] = []
    headers = {"Authorization": f"Token {stack.token}"}
    sockets = []
    for chunk in range(0, len(ids), 50):  # open them 50 at a time, as clients arriving
        sockets += await asyncio.gather(*(connect(f"ws://{address}/ws/designs/{design_id}/", additional_headers=headers,
                                                  open_timeout=30, max_queue=None)
                                          for design_id in ids[chunk:chunk + 50]))
    for socket in sockets:
        snapshot = json.loads(await asyncio.wait_for(socket.recv(), 30))
        assert snapshot["type"] == "snapshot", snapshot

    async def listen(socket) -> None:
        async for raw in socket:
            received = time.time()
            event = json.loads(raw)
            if event.get("type") == "progress":
                latencies.append((received - event["timestamp"]) * 1000)

    listeners = [asyncio.create_task(listen(socket)) for socket in sockets]
    publisher = stack.publisher(ids, EVENT_RATE, EVENT_SECONDS)
    out, _ = await asyncio.to_thread(publisher.communicate, timeout=EVENT_SECONDS * 6)
    published = json.loads(out.strip().splitlines()[-1])
    sent = published["sent"]
    print(f"  publisher: {sent} events in {published['seconds']} s, publish() call p50 "
          f"{published['call_p50_ms']:.2f} ms p99 {published['call_p99_ms']:.2f} ms", flush=True)
    await asyncio.sleep(1)  # the last events in flight
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)
    return latencies, sent, len(sockets)


async def run_client(stack: Stack, address: str, report: Report, *, quick: bool) -> None:
    import httpx

    photo_1mp, photo_12mp = one_megapixel_photo(), FIXTURE.read_bytes()
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=f"http://{address}", headers={"Authorization": f"Token {stack.token}"},
                                 limits=limits, timeout=120) as client:
        await submits(client, photo_1mp, concurrency=4, total=20)  # warm-up: imports, connections, caches
        all_ids: list[str] = []
        for label, photo, concurrency, total in (
            ("submit 1 MP photo", photo_1mp, 1, 20 if quick else 50),  # one at a time: the service time
            ("submit 1 MP photo", photo_1mp, 10, 40 if quick else 150),
            ("submit 1 MP photo", photo_1mp, 50, 100 if quick else 300),
            ("submit 12 MP fixture", photo_12mp, 1, 10 if quick else 20),
            ("submit 12 MP fixture", photo_12mp, 10, 20 if quick else 60),
        ):
            before, usage = load_average(), ClientCpu()
            client_ms, server, ids = await submits(client, photo, concurrency=concurrency, total=total)
            all_ids += ids
            extra = (f"server p50 {percentile(server, 50):.1f} / p99 {percentile(server, 99):.1f} ms"
                     if server else "server: no Server-Timing header")
            report.add(Row(label, f"c={concurrency} n={len(client_ms)}", percentile(client_ms, 50),
                           percentile(client_ms, 99), f"{extra}  load {before}  {usage}"))

        usage = ClientCpu()
        times, rate = await statuses(client, all_ids, concurrency=50, seconds=3 if quick else STATUS_SECONDS)
        report.add(Row("status GET", "c=50", percentile(times, 50), percentile(times, 99),
                       f"{rate:.0f} req/s  {usage}"))

        if len(all_ids) < SOCKETS:  # one design per socket, as each person watches their own
            all_ids += (await submits(client, photo_1mp, concurrency=10, total=SOCKETS - len(all_ids)))[2]
    ids = all_ids[:SOCKETS]
    latencies, sent, opened = await event_latency(stack, address, ids)
    lost = sent - len(latencies)
    report.add(Row("progress event publish->socket", f"{opened} sockets, {sent} events",
                   percentile(latencies, 50), percentile(latencies, 99),
                   f"max {max(latencies, default=float('nan')):.1f} ms, lost {lost}"))


def main(argv: list[str]) -> int:
    if argv[:1] == ["seed"]:
        seed()
        return 0
    if argv[:1] == ["publish"]:
        publish(argv[1], int(argv[2]), int(argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--web-workers", type=int, nargs="+", default=[1, 2], help="uvicorn --workers to measure")
    parser.add_argument("--quick", action="store_true", help="fewer requests: a smoke run")
    parser.add_argument("--settings", default="config.settings", help="DJANGO_SETTINGS_MODULE, to compare a change")
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} CPUs, load average {load_average()}", flush=True)
    stack = Stack(args.settings)
    try:
        stack.start()
        for workers in args.web_workers:
            address = stack.serve(workers)
            print(f"\nuvicorn config.asgi:application --workers {workers}  (load average {load_average()})",
                  flush=True)
            try:
                asyncio.run(run_client(stack, address, Report(), quick=args.quick))
            finally:
                stack.unserve()
        print(f"\ngoals: submit p50 <= 30 ms, p99 <= 150 ms server side; event p99 <= 100 ms.  "
              f"load average now {load_average()}", flush=True)
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
