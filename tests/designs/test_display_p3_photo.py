"""A phone's Display P3 photo shows the same colours after the upload and in the pipeline: converted to sRGB
before the profile is dropped, by the one decoder both sides call (gpu.photos.decode)."""
from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from designs.models import Design
from gpu import imaging, photos
from tests.designs.conftest import submit, upload
from tests.display_p3 import GREEN, RED, p3_photo, p3_to_srgb

pytestmark = pytest.mark.django_db


def _assert_srgb(image: Image.Image) -> None:
    width, height = image.size
    for (x, colour) in ((width // 4, RED), (3 * width // 4, GREEN)):
        got, want = image.convert("RGB").getpixel((x, height // 2)), p3_to_srgb(colour)
        assert all(abs(a - b) <= 4 for a, b in zip(got, want, strict=True)), (colour, got, want)


@pytest.mark.parametrize("fmt", ["JPEG", "HEIF"])
def test_it_stores_a_display_p3_upload_as_the_same_colours_in_srgb(alice_api, fmt):
    response = submit(alice_api, image=upload(p3_photo(fmt), name=f"room.{fmt.lower()}"))
    assert response.status_code == 202, response.content
    with default_storage.open(Design.objects.get().original.name) as stored:
        data = stored.read()
    saved = Image.open(io.BytesIO(data))
    assert "icc_profile" not in saved.info  # plain sRGB, as any viewer reads an untagged JPEG
    _assert_srgb(saved)
    _assert_srgb(imaging.decode_photo(data, 512))  # and the pipeline reads the stored photo as it is


def test_the_pipeline_decodes_a_display_p3_photo_to_srgb():
    decoded = imaging.decode_photo(p3_photo("JPEG"), 512)
    assert decoded.size == (512, 342) and not decoded.info
    _assert_srgb(decoded)


def test_the_upload_and_the_pipeline_call_the_same_decoder(alice_api, monkeypatch):
    callers: list[str] = []
    real = photos.decode

    def spy(data: bytes, *, long_side: int) -> Image.Image:
        callers.append(f"long side {long_side}")
        return real(data, long_side=long_side)

    monkeypatch.setattr(photos, "decode", spy)
    photo = p3_photo("JPEG")
    assert submit(alice_api, image=upload(photo)).status_code == 202
    assert callers == ["long side 1600"], "the web upload did not decode with gpu.photos.decode"
    imaging.decode_photo(photo, 512)
    assert callers == ["long side 1600", "long side 512"], "the pipeline did not decode with gpu.photos.decode"
