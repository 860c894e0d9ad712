from __future__ import annotations

import io
import math
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from PIL import Image

from billing.models import UsageEntry
from designs.models import Design
from gpu.photos import MAX_PIXELS
from tests.conftest import assert_error
from tests.designs.conftest import photo_bytes, submit, upload

pytestmark = pytest.mark.django_db


def _image_bytes(size: tuple[int, int], fmt: str = "PNG", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(buffer, fmt, **save)
    return buffer.getvalue()


@override_settings(MAX_UPLOAD_BYTES=10_000)
def test_it_rejects_a_file_over_the_byte_limit_with_413(alice_api):
    assert_error(submit(alice_api, image=upload(photo_bytes())), 413, "too_large", "image")


def test_it_rejects_a_non_image_with_415(alice_api):
    assert_error(submit(alice_api, image=upload(b"%PDF-1.4 not a photo", "room.jpg")), 415, field="image")


def test_it_rejects_a_gif_by_content_whatever_the_name(alice_api):
    assert_error(submit(alice_api, image=upload(_image_bytes((400, 300), "GIF"), "room.jpg")), 415)


def test_it_accepts_png_and_webp_by_content(alice_api):
    for fmt in ("PNG", "WEBP"):
        response = submit(alice_api, image=upload(_image_bytes((400, 300), fmt), "photo.jpeg"))
        assert response.status_code == 202, response.content


def test_it_rejects_a_truncated_image(alice_api):
    data = photo_bytes()
    assert_error(submit(alice_api, image=upload(data[: len(data) // 2])), 400, "invalid_image", "image")


def test_it_rejects_a_small_photo(alice_api):
    error = assert_error(submit(alice_api, image=upload(_image_bytes((300, 200)))), 400, "invalid_image", "image")
    assert "256" in error["message"]


def test_it_rejects_an_extreme_aspect_ratio(alice_api):
    assert_error(submit(alice_api, image=upload(_image_bytes((2000, 300)))), 400, "invalid_image", "image")


def _bomb(pixels: int) -> bytes:
    """A valid black PNG of about `pixels` pixels, 1 bit each: a few kilobytes that decode to far more."""
    width = math.isqrt(pixels * 4 // 3) // 8 * 8 + 8
    height = pixels // width + 1
    rows = zlib.compress((b"\x00" + bytes(width // 8)) * height, 9)  # filter byte + one row of zero bits

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


# Just over the cap (where Pillow only warns, unless the app's own cap is wired in) and far over it (where Pillow
# refuses by itself). No patching: gpu.photos's cap, as the app applies it.
@pytest.mark.parametrize("times_the_cap", [1.1, 3])
def test_it_rejects_a_decompression_bomb_and_stores_nothing(alice_api, settings, times_the_cap):
    bomb = _bomb(int(MAX_PIXELS * times_the_cap))
    assert len(bomb) < 100_000
    width, height = struct.unpack(">II", bomb[16:24])  # what its header declares
    assert width * height > MAX_PIXELS * times_the_cap

    files_before = set(Path(settings.MEDIA_ROOT).rglob("*"))
    error = assert_error(submit(alice_api, image=upload(bomb, "room.png")), 400, "invalid_image", "image")
    assert "too many pixels" in error["message"]
    assert not Design.objects.exists() and not UsageEntry.objects.exists()
    assert set(Path(settings.MEDIA_ROOT).rglob("*")) == files_before


def test_it_requires_a_photo(alice_api):
    response = alice_api.post("/api/v1/designs/", {"style": "japandi"}, format="multipart")
    assert_error(response, 400, "required", "image")


def test_it_applies_exif_orientation_and_drops_metadata(alice_api):
    image = Image.new("RGB", (600, 400), (200, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when shown
    exif[0x8825] = {2: (48.0, 51.0, 30.0)}  # a GPS latitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    response = submit(alice_api, image=upload(buffer.getvalue()))
    assert response.status_code == 202
    design = Design.objects.get()
    with default_storage.open(design.original.name) as stored:
        saved = Image.open(stored)
        assert saved.size == (400, 600)
        assert not saved.getexif()
    with default_storage.open(design.original.name) as stored:
        assert b"Exif" not in stored.read()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("style", "gothic-spaceship"),
        ("room_type", "throne_room"),
        ("creativity", "1.5"),
        ("variations", "9"),
        ("color_palette", "#zzzzzz"),
        ("seed", "-4"),
    ],
)
def test_it_names_the_bad_field(alice_api, field, value):
    assert_error(submit(alice_api, **{field: value}), 400, field=field)
    assert not Design.objects.exists()


def test_it_accepts_a_palette_in_any_common_form(alice_api):
    response = submit(alice_api, color_palette="#ABC, a3b18a")
    assert response.status_code == 202
    assert Design.objects.get().preferences["color_palette"] == ["#aabbcc", "#a3b18a"]
