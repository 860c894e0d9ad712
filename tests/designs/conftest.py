from __future__ import annotations

import io
import time
from pathlib import Path

import dramatiq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from designs.queues import GPU_QUEUES
from tests.billing.conftest import design_row  # noqa: F401  (design rows without files, for the alert tests)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rooms"  # carried in the repository
BIG_PHOTO = FIXTURES / "living-room-cluttered.jpg"  # 12 megapixels
RENDER_PHOTO = FIXTURES / "home-theater-render.jpg"


def photo_bytes(path: Path = RENDER_PHOTO, *, long_side: int | None = 640, fmt: str = "JPEG") -> bytes:
    """A fixture photo, shrunk so the tiny pipeline stays fast (long_side None keeps it whole)."""
    if long_side is None and fmt == "JPEG":
        return path.read_bytes()
    image = Image.open(path).convert("RGB")
    if long_side:
        image.thumbnail((long_side, long_side))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def upload(content: bytes | None = None, name: str = "room.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else photo_bytes(), content_type="image/jpeg")


def reference_upload(colours=((190, 60, 40), (30, 90, 200))) -> SimpleUploadedFile:
    """A style reference photo (600x400 PNG, two colour fields) as an upload."""
    image = Image.new("RGB", (600, 400), colours[0])
    image.paste(colours[1], (0, 0, 250, 400))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("a-room-i-like.png", buffer.getvalue(), content_type="image/png")


def submit(client, *, headers: dict | None = None, **fields):
    data = {"style": "japandi", "resolution": "512", **fields}
    if "image" not in data:
        data["image"] = upload()
    return client.post("/api/v1/designs/", data, format="multipart", **(headers or {}))


def forget_worker(broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
    """Dramatiq never takes a worker's middleware off the broker: without this each new worker adds one more."""
    broker.middleware[:] = [m for m in broker.middleware if getattr(m, "worker", None) is not worker]


class WorkerControl:
    """A real Dramatiq worker on the real Redis broker, in this process; started when the test says so."""

    def __init__(self) -> None:
        self.broker = dramatiq.get_broker()
        self.worker: dramatiq.Worker | None = None

    def start(self, threads: int = 1) -> WorkerControl:
        self.worker = dramatiq.Worker(self.broker, worker_threads=threads, worker_timeout=50)
        self.worker.start()
        return self

    def drain(self, timeout: float = 120) -> None:
        """Wait until the GPU queues are empty and the worker idle."""
        for queue in GPU_QUEUES:
            self.broker.join(queue, timeout=int(timeout * 1000))
        self.worker.join()

    def stop(self) -> None:
        if self.worker:
            self.worker.stop(timeout=60_000)
            forget_worker(self.broker, self.worker)
            self.worker = None


@pytest.fixture
def worker_control(transactional_db):
    control = WorkerControl()
    control.broker.flush_all()
    yield control
    control.stop()
    control.broker.flush_all()
    assert not [m for m in control.broker.middleware if hasattr(m, "worker")], "a worker left on the broker"


@pytest.fixture
def worker(worker_control):
    return worker_control.start()


def wait_for(client, design_id: str, statuses=("completed", "failed", "cancelled"), timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(f"/api/v1/designs/{design_id}/").json()
        if state["status"] in statuses:
            return state
        time.sleep(0.1)
    raise AssertionError(f"design {design_id} stuck at {state['status']} ({state['progress']})")


def settled_delivery(design_id: str, timeout: float = 30):
    """The design's webhook delivery once it has left `pending`: the receiver sees a call before the worker
    records its answer, so a test reads the row only after this."""
    from designs.models import WebhookDelivery

    deadline = time.monotonic() + timeout
    while (delivery := WebhookDelivery.objects.get(design_id=design_id)).state == "pending":
        assert time.monotonic() < deadline, f"delivery still pending after {delivery.attempts} tries"
        time.sleep(0.05)
    return delivery


async def ws_connect(design_id: str, *, token: str | None = None, path: str = "designs", headers=()):
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    headers = list(headers) + ([(b"authorization", f"Token {token}".encode())] if token else [])
    communicator = WebsocketCommunicator(application, f"/ws/{path}/{design_id}/", headers=headers)
    connected, code = await communicator.connect(timeout=10)
    return communicator, connected, code


async def ws_close_code(design_id, **options) -> int:
    """The code a socket is closed with right after being accepted (4404: a design the caller may not see).
    Accepted first: a close before accepting reaches a real client only as an HTTP 403 on the handshake."""
    communicator, connected, _ = await ws_connect(design_id, **options)
    assert connected
    message = await communicator.receive_output(timeout=5)
    assert message["type"] == "websocket.close"
    return message["code"]


async def ws_collect(communicator, timeout: float = 120) -> list[dict]:
    """Every event until the final one."""
    events = []
    while True:
        event = await communicator.receive_json_from(timeout=timeout)
        events.append(event)
        if event["type"] in ("completed", "failed", "cancelled"):
            return events


@pytest.fixture
def receiver():
    """A real webhook receiver on 127.0.0.1 (tests/designs/receiver.py); loopback is allowed by settings_test."""
    from tests.designs.receiver import Receiver

    server = Receiver()
    yield server
    server.close()


def token_with_secret(api, *, email: str, password: str, **fields) -> tuple[str, str]:
    """(key, webhook secret) from POST /api/v1/auth/token/, the one response that shows the secret."""
    response = api.post("/api/v1/auth/token/", {"email": email, "password": password, **fields}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"], response.json()["webhook_secret"]


@pytest.fixture
def alerting(settings, mailbox):
    """Operations alerts on, mailed to ops@example.com through the loopback SMTP server; the no-worker alert
    off unless a test turns it on (no worker runs in most tests)."""
    settings.ALERTS_ENABLED = True
    settings.ALERT_EMAILS = ["ops@example.com"]
    settings.ALERT_WEBHOOK_URL = ""
    settings.ALERT_NO_WORKER = False
    return mailbox
