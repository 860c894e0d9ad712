"""iPhone photos: HEIC with a rotation and GPS in, an upright JPEG with no metadata out."""
from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image
from pillow_heif import register_heif_opener

from designs.models import Design
from tests.designs.conftest import submit, upload

pytestmark = pytest.mark.django_db
RED, BLUE = (220, 20, 20), (20, 20, 220)


def _iphone_photo() -> bytes:
    """Stored sideways (red left, blue right), as a phone held upright saves it, with "rotate 90°" and a place."""
    register_heif_opener()
    image = Image.new("RGB", (600, 400), RED)
    image.paste(BLUE, (300, 0, 600, 400))
    exif = Image.Exif()
    exif[0x0112] = 6  # shown rotated 90° clockwise: red on top
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 30.0), 3: "E", 4: (2.0, 17.0, 40.0)}
    buffer = io.BytesIO()
    image.save(buffer, "HEIF", exif=exif.tobytes(), quality=90)
    data = buffer.getvalue()
    assert data[4:12] == b"ftypheic"
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the GPS block is really in there
    return data


def _close(pixel, colour) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=True))


def test_it_turns_an_iphone_heic_into_an_upright_jpeg_without_metadata(alice_api):
    response = submit(alice_api, image=upload(_iphone_photo(), name="IMG_0042.HEIC"))
    assert response.status_code == 202, response.content
    design = Design.objects.get()
    with default_storage.open(design.original.name) as stored:
        data = stored.read()
    saved = Image.open(io.BytesIO(data))
    assert saved.format == "JPEG"
    assert saved.size == (400, 600) == (design.original_width, design.original_height)
    assert _close(saved.getpixel((200, 20)), RED) and _close(saved.getpixel((200, 580)), BLUE)
    assert not saved.getexif() and "exif" not in saved.info and "xmp" not in saved.info
    assert b"Exif" not in data and b"GPS" not in data


def test_it_offers_heic_in_the_dashboards_file_picker(alice, client):
    client.force_login(alice)
    page = client.get("/designs/new/").content.decode()
    for input_id in ("image", "camera"):
        tag = page.split(f'id="{input_id}"', 1)[1].split(">", 1)[0]
        accept = tag.split('accept="', 1)[1].split('"', 1)[0].split(",")
        assert {"image/heic", "image/heif", ".heic"} <= set(accept), accept
