"""Submit latency (server side) and submit → first progress event, on whatever database and Redis are configured.

    make bench-submit          # starts throwaway Postgres and Redis, like the tests

Runs in-process with Django's test client, so the figures are the view's own time (middleware, validation,
storage, the database transaction and the enqueue), without a network hop.
"""
from __future__ import annotations

import asyncio
import io
import statistics
import time
from pathlib import Path

import dramatiq
from channels.layers import get_channel_layer
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test import Client, override_settings
from PIL import Image

from accounts.models import User
from designs.progress import group_name

FIXTURE = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "rooms" / "living-room-cluttered.jpg"


def _one_megapixel() -> bytes:
    image = Image.open(FIXTURE)
    image.thumbnail((1155, 1155))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


class Command(BaseCommand):
    help = "Measure design submit latency and the time to the first progress event."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--requests", type=int, default=40)

    def handle(self, *args, requests: int, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        user, _ = User.objects.get_or_create(email="bench@example.com")
        from billing.models import Plan
        from billing.services import subscription_change

        subscription_change(user=user, plan=Plan.objects.get(code="staff"))
        client = Client()
        client.force_login(user)
        photos = {"12 MP fixture": FIXTURE.read_bytes(), "1 MP photo": _one_megapixel()}
        # Every guard of the submit path runs, as in production, with limits the benchmark never reaches.
        with override_settings(RATELIMIT_SUBMIT="1000000/m", GLOBAL_DESIGNS_PER_MINUTE=1_000_000,
                               GLOBAL_DESIGNS_PER_HOUR=1_000_000):
            for label, content in photos.items():
                self._latency(client, label, content, requests)
            self._first_event(client, photos["1 MP photo"])

    def _submit(self, client: Client, content: bytes) -> tuple[float, str]:
        from django.core.files.uploadedfile import SimpleUploadedFile

        photo = SimpleUploadedFile("room.jpg", content, content_type="image/jpeg")
        started = time.perf_counter()
        response = client.post("/api/v1/designs/", {"style": "japandi", "image": photo, "resolution": 512})
        elapsed = time.perf_counter() - started
        if response.status_code != 202:
            raise SystemExit(f"submit failed: {response.status_code} {response.content[:200]!r}")
        return elapsed, response.json()["id"]

    def _latency(self, client: Client, label: str, content: bytes, requests: int) -> None:
        from designs.models import Design

        self._submit(client, content)  # warm-up: imports, connections
        times = [self._submit(client, content)[0] * 1000 for _ in range(requests)]
        Design.objects.filter(owner__email="bench@example.com").update(status="cancelled")
        self.stdout.write(
            f"submit {label:14} ({len(content) / 1e6:.1f} MB): p50 {_percentile(times, 50):6.1f} ms   "
            f"p99 {_percentile(times, 99):6.1f} ms   n={requests}"
        )

    def _first_event(self, client: Client, content: bytes, runs: int = 5) -> None:
        broker = dramatiq.get_broker()
        broker.flush_all()
        worker = dramatiq.Worker(broker, worker_threads=1)
        worker.start()
        try:
            cold = asyncio.run(self._time_to_first_event(client, content)) * 1000  # loads the models
            delays = [asyncio.run(self._time_to_first_event(client, content)) * 1000 for _ in range(runs)]
        finally:
            worker.stop()
        self.stdout.write(
            f"submit → first progress event: p50 {_percentile(delays, 50):6.1f} ms   max {max(delays):6.1f} ms   "
            f"n={runs}; first design of the process (model load) {cold:.0f} ms "
            f"(worker idle poll {dramatiq.worker.WORKER_TIMEOUT} ms)"
        )

    async def _time_to_first_event(self, client: Client, content: bytes) -> float:
        from asgiref.sync import sync_to_async

        layer = get_channel_layer()
        channel = await layer.new_channel()
        started = time.perf_counter()
        _elapsed, design_id = await sync_to_async(self._submit)(client, content)
        await layer.group_add(group_name(design_id), channel)
        while True:
            message = await asyncio.wait_for(layer.receive(channel), 300)
            if message["event"].get("type") == "progress":
                delay = time.perf_counter() - started
                break
        await layer.group_discard(group_name(design_id), channel)
        from designs.models import Design

        await Design.objects.filter(pk=design_id).aupdate(status="cancelled")
        return delay
