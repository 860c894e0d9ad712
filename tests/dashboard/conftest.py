from __future__ import annotations

import io
from datetime import timedelta
from html.parser import HTMLParser

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


class _Outline(HTMLParser):
    """The parts of a page the dashboard tests read: each select's option values, and each image with the text
    of the link it sits in (if any)."""

    def __init__(self) -> None:
        super().__init__()
        self.selects: dict[str, list[str]] = {}
        self.images: list[dict] = []
        self._select: str | None = None
        self._links: list[dict] = []  # open <a> elements, innermost last

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = dict(attrs)
        if tag == "select":
            self._select = attrs.get("id") or ""
            self.selects[self._select] = []
        elif tag == "option" and self._select is not None:
            self.selects[self._select].append(attrs.get("value"))
        elif tag == "a":
            self._links.append({"text": ""})
        elif tag == "img":
            self.images.append({**attrs, "link": self._links[-1] if self._links else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "a" and self._links:
            self._links.pop()

    def handle_data(self, data: str) -> None:
        for link in self._links:
            link["text"] += data


def outline(page: str) -> _Outline:
    parser = _Outline()
    parser.feed(page)
    parser.close()
    return parser
