"""A style reference upload is checked exactly like the photo: a bad one is refused naming `style_reference`,
before anything is stored or counted."""
from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from PIL import Image

from billing.models import UsageEntry
from designs.models import Design
from tests.conftest import assert_error
from tests.designs.conftest import photo_bytes, submit, upload

pytestmark = pytest.mark.django_db


def _png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def _nothing_kept(alice) -> None:
    assert not Design.objects.exists() and not UsageEntry.objects.exists()
    folder = f"designs/u{alice.pk}"
    assert not default_storage.exists(folder) or default_storage.listdir(folder) == ([], [])


@pytest.mark.parametrize(("content", "status", "code"), [
    (b"%PDF-1.4 not a photo", 415, "unsupported_image_type"),
    (_png((300, 200)), 400, "invalid_image"),  # under the 256 px short side
    (_png((2000, 300)), 400, "invalid_image"),  # too narrow
    (photo_bytes()[:5000], 400, "invalid_image"),  # truncated
])
def test_it_refuses_a_bad_reference_naming_the_field_without_charging(alice, alice_api, content, status, code):
    response = submit(alice_api, style_reference=upload(content, "look.jpg"))
    error = assert_error(response, status, code, "style_reference")
    assert "style reference" in error["message"].lower()
    _nothing_kept(alice)
    assert alice_api.get("/api/v1/me/").json()["quota"]["used"] == 0


@override_settings(MAX_UPLOAD_BYTES=100_000)
def test_it_refuses_a_reference_over_the_byte_limit(alice, alice_api):
    noise = np.random.default_rng(1).integers(0, 256, (400, 600, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, "PNG")  # about 700 kB
    response = submit(alice_api, image=upload(_png((400, 300))), style_reference=upload(buffer.getvalue()))
    assert_error(response, 413, "too_large", "style_reference")
    _nothing_kept(alice)


def test_it_asks_for_a_style_or_a_reference(alice, alice_api):
    assert_error(submit(alice_api, style=""), 400, field="style")
    _nothing_kept(alice)
