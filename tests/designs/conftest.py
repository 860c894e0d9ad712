from __future__ import annotations

import io
from pathlib import Path

import dramatiq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "rooms"
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


def submit(client, *, headers: dict | None = None, **fields):
    data = {"style": "japandi", **fields}
    if "image" not in data:
        data["image"] = upload()
    return client.post("/api/v1/designs/", data, format="multipart", **(headers or {}))


@pytest.fixture
def worker(transactional_db):
    """A real Dramatiq worker on the real Redis broker, in this process, for the length of a test."""
    broker = dramatiq.get_broker()
    broker.flush_all()
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=50)
    worker.start()
    yield worker
    worker.stop(timeout=30_000)
    broker.flush_all()
