"""The decompression-bomb guard reads the size from the header, before decoding, and touches no global state."""
from __future__ import annotations

import io
import threading
import warnings

import pytest
from PIL import Image, ImageFile

from designs.models import Design
from gpu import photos
from tests.conftest import assert_error
from tests.designs.conftest import submit, upload

pytestmark = pytest.mark.django_db


def _png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def decodes(monkeypatch):
    """Every pixel decode in this process: the thread and the warning filters in force when it ran."""
    seen: list[tuple[str, list]] = []
    real_load = ImageFile.ImageFile.load

    def load(image):
        seen.append((threading.current_thread().name, list(warnings.filters)))
        return real_load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return seen


def test_it_refuses_too_many_pixels_from_the_header_without_decoding(alice_api, decodes, monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 1_000_000)
    # Pillow's own process-wide limit stays where the app set it at start-up: gpu.photos's check alone decides.
    assert Image.MAX_IMAGE_PIXELS > 1_200_000
    error = assert_error(submit(alice_api, image=upload(_png((1200, 1000)))), 400, "invalid_image", "image")
    assert "pixels" in error["message"]
    assert decodes == []
    assert not Design.objects.exists()


def test_it_decodes_with_the_process_warning_filters_untouched(alice_api, decodes):
    before = list(warnings.filters)
    response = submit(alice_api, image=upload(_png((800, 600))))
    assert response.status_code == 202, response.content
    assert decodes, "the photo was never decoded"
    assert all(filters == before for _thread, filters in decodes)
    assert warnings.filters == before


def test_the_worker_decodes_with_the_process_warning_filters_untouched(decodes):
    from gpu.imaging import decode_photo

    before = list(warnings.filters)
    assert decode_photo(_png((800, 600)), 512).size == (512, 384)
    assert decodes and all(filters == before for _thread, filters in decodes)
