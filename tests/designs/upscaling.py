"""Shared by the upscale tests: a completed design with a real stored result, and a premium caller's client."""
from __future__ import annotations

import io
import time
from datetime import timedelta

from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from accounts.tokens import token_issue
from billing.selectors import plan_get
from billing.services import quota_reserve, subscription_change
from designs.files import file_save
from designs.models import Design, DesignResult, Status
from tests.designs.conftest import RENDER_PHOTO


def client_on_plan(user, plan: str) -> APIClient:
    subscription_change(user=user, plan=plan_get(code=plan))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user, name='upscale')}")
    return client


def completed_design(owner, size: tuple[int, int] = (256, 192)) -> Design:
    """A design the worker finished: its quota reserved, the fixture photo stored as its one result at `size`.

    Made directly, not through the pipeline: these tests are about what happens after, and the tiny pipeline
    is covered by the design flow tests."""
    now = timezone.now()
    design = Design(owner=owner, style="japandi", status=Status.COMPLETED, progress=1.0, message="Done",
                    resolution=max(size), original_width=size[0], original_height=size[1], started_at=now,
                    finished_at=now, deadline_at=now + timedelta(minutes=10), queue_priority=5)
    photo = Image.open(RENDER_PHOTO).convert("RGB").resize(size, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=92)
    design.original.name = file_save(f"{design.storage_prefix}/original.jpg", buffer.getvalue())
    design.save(force_insert=True)
    quota_reserve(design=design, units=1)
    image = file_save(f"{design.storage_prefix}/result-1-a1.jpg", buffer.getvalue())
    DesignResult.objects.create(design=design, index=0, image=image, thumbnail=image, seed=1, width=size[0],
                                height=size[1], quality_score=0.8)
    return design


def upscale(client, design, *, factor, index: int = 0):
    return client.post(f"/api/v1/designs/{design.pk}/results/{index}/upscale/", {"factor": factor}, format="json")


def wait_for_upscale(client, design, upscale_id: str, statuses=("completed", "failed", "cancelled"),
                     timeout: float = 240, until=None) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(f"/api/v1/designs/{design.pk}/upscales/{upscale_id}/").json()
        if state["status"] in statuses or (until is not None and until(state)):
            return state
        time.sleep(0.1)
    raise AssertionError(f"upscale {upscale_id} stuck at {state['status']} ({state['progress']})")


def download(client, url: str) -> Image.Image:
    response = client.get(url)
    assert response.status_code == 200
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))
