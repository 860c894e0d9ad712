"""Bad uploads and bad requests fail with the pipeline's own errors, before any GPU work."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from gpu import imaging
from gpu.errors import InvalidImage, InvalidRequest
from tests.gpu.support import make_request, run_to_end

UNREADABLE = [b"", b"GIF89a not really", b"\xff\xd8\xff\xe0 truncated jpeg"]


@pytest.mark.parametrize("data", UNREADABLE, ids=["empty", "junk", "cut"])
def test_it_rejects_undecodable_uploads(data):
    with pytest.raises(InvalidImage):
        run_to_end(make_request(image=data))


def test_it_reads_png_and_webp():
    for fmt in ("PNG", "WEBP"):
        buffer = io.BytesIO()
        Image.new("RGB", (640, 480), (200, 180, 160)).save(buffer, fmt)
        assert imaging.decode_photo(buffer.getvalue(), 512).size == (512, 384)


@pytest.mark.parametrize(
    "overrides",
    [
        {"style": "no-such-style"},
        {"room_type": "spaceship"},
        {"resolution": 640},
        {"variations": 5},
        {"variations": 0},
        {"creativity": 1.5},
        {"steps": 0},
        {"seed": -1},
        {"color_palette": ("not-a-colour",)},
    ],
    ids=lambda o: next(iter(o)),
)
def test_it_rejects_invalid_requests(overrides):
    with pytest.raises(InvalidRequest):
        run_to_end(make_request(**overrides))
