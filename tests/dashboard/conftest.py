from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from designs.files import file_save
from designs.models import Design, DesignResult, Status


def jpeg(size: tuple[int, int] = (320, 240), colour: str = "#c8744b") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def make_design(*, owner=None, guest_key: str = "", status: str = Status.QUEUED, style: str = "japandi",
                results: int = 0, **fields) -> Design:
    """A design row with real stored files, as the worker would leave it, without running the pipeline."""
    design = Design(owner=owner, guest_key=guest_key, status=status, style=style, original_width=640,
                    original_height=480, deadline_at=timezone.now() + timedelta(minutes=10), **fields)
    design.original.name = file_save(f"{design.storage_prefix}/original.jpg", jpeg((640, 480)))
    if status in (Status.COMPLETED, Status.FAILED, Status.CANCELLED):
        design.finished_at = timezone.now()
    if status == Status.COMPLETED:
        design.progress = 1.0
    design.save(force_insert=True)
    for index in range(results):
        DesignResult.objects.create(
            design=design, index=index, seed=1000 + index, width=512, height=384, quality_score=0.8 + index / 100,
            image=file_save(f"{design.storage_prefix}/result-{index + 1}.jpg", jpeg((512, 384), "#1f6f4a")),
            thumbnail=file_save(f"{design.storage_prefix}/thumb-{index + 1}.jpg", jpeg((256, 192), "#1f6f4a")),
        )
    return design


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client
