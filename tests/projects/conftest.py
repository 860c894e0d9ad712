"""Projects run through the same real worker, queue, pipeline (tiny profile), Postgres and Redis as designs."""
from __future__ import annotations

import io
import time

import pytest
from PIL import Image, ImageOps

from tests.designs.conftest import FIXTURES, photo_bytes, upload, wait_for, worker, worker_control  # noqa: F401

# Three photos of one home: the two fixture rooms, and one of them mirrored (another angle, as far as a
# pipeline can tell).
PHOTOS = [FIXTURES / "home-theater-render.jpg", FIXTURES / "living-room-cluttered.jpg",
          FIXTURES / "home-theater-render.jpg"]


def photos(count: int = 3) -> list:
    uploads = []
    for number in range(count):
        content = photo_bytes(PHOTOS[number % len(PHOTOS)], long_side=512)
        if number % 3 == 2:
            image = ImageOps.mirror(Image.open(io.BytesIO(content)))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG")
            content = buffer.getvalue()
        uploads.append(upload(content, name=f"room-{number + 1}.jpg"))
    return uploads


def create_project(client, *, count: int = 3, **fields):
    data = {"name": "Our flat", "style": "japandi", "resolution": "512", "flooring": "light oak",
            "prompt": "a reading corner", "color_palette": "#a3b18a,#f2e8cf", "images": photos(count), **fields}
    return client.post("/api/v1/projects/", data, format="multipart")


def wait_for_project(client, project_id: str, timeout: float = 180, *, led: bool = False) -> dict:
    """The project once every photo's latest design has finished, and with `led` once it has its leader too: when
    the last design to end leads, its completion commits first and the reference is taken right after
    (`design_ended`), so the project reads finished a moment before it has one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(f"/api/v1/projects/{project_id}/").json()
        if state["status"] not in ("in_progress", "empty") and (state["reference_design"] or not led):
            return state
        time.sleep(0.2)
    raise AssertionError(f"project {project_id} not settled: {[p['design']['status'] for p in state['photos']]}, "
                         f"leader {state['reference_design']}")



@pytest.fixture
def worker3(worker_control):  # noqa: F811  (the fixture imported above)
    """The real worker with three threads, so that a project's three designs could all run at once: the
    followers must wait for the leader on their own."""
    return worker_control.start(threads=3)
