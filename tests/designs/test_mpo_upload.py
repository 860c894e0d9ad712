"""Phones' multi-picture JPEGs (MPO) are accepted: the first frame, upright, with no metadata left."""
from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from designs.models import Design
from tests.designs.conftest import submit, upload

pytestmark = pytest.mark.django_db


def _mpo() -> bytes:
    first = Image.new("RGB", (600, 400), (200, 10, 10))
    second = Image.new("RGB", (600, 400), (10, 200, 10))  # a phone's second picture (depth, portrait...)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when shown
    exif[0x8825] = {2: (48.0, 51.0, 30.0)}  # a GPS latitude
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[second], exif=exif)
    return buffer.getvalue()


def test_it_accepts_a_multi_picture_jpeg_as_its_first_frame(alice_api):
    data = _mpo()
    with Image.open(io.BytesIO(data)) as sent:
        assert (sent.format, sent.n_frames) == ("MPO", 2)
    response = submit(alice_api, image=upload(data, "IMG_0001.jpg"))
    assert response.status_code == 202, response.content
    design = Design.objects.get()
    with default_storage.open(design.original.name) as stored:
        content = stored.read()
    saved = Image.open(io.BytesIO(content))
    assert saved.format == "JPEG" and getattr(saved, "n_frames", 1) == 1
    assert saved.size == (400, 600)  # orientation applied
    red, green, _blue = saved.convert("RGB").getpixel((200, 300))
    assert red > 150 and green < 60  # the first frame, not the second
    assert not saved.getexif()
    assert b"Exif" not in content and b"MPF" not in content
