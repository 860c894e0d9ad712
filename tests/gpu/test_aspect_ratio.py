"""Outputs keep the photo's shape: long side = resolution, even sides, never squashed to a square."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from gpu import imaging
from tests.gpu.support import BIG_PHOTO, PHOTOS, decode, make_request, photo_size, run_to_end


@pytest.mark.parametrize("path", PHOTOS, ids=lambda p: p.stem)
def test_it_keeps_the_aspect_ratio_of_the_fixture_photos(path):
    width, height = photo_size(path)
    request = make_request(path)
    result = run_to_end(request)[-1].result

    assert len(result.variations) == request.variations == 1  # the checks below run on every one of them
    for variation in result.variations:
        image = decode(variation.image)
        assert image.format == "JPEG"
        assert image.size == (variation.width, variation.height)
        assert max(image.size) == 512
        assert image.width % 2 == 0 and image.height % 2 == 0
        assert abs(image.width / image.height - width / height) / (width / height) < 0.01
        thumb = decode(variation.thumbnail)
        assert max(thumb.size) == 384


SIZES = [(4032, 3024), (3024, 4032), (704, 512), (1920, 1080), (1080, 1920), (1000, 1000), (3000, 2000),
         (2520, 1080)]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("long_side", [512, 768, 1024])
def test_it_fits_sizes_to_even_sides_within_one_percent(size, long_side):
    width, height = imaging.fit_size(*size, long_side)

    assert max(width, height) == long_side
    assert width % 2 == 0 and height % 2 == 0
    assert abs(width / height - size[0] / size[1]) / (size[0] / size[1]) < 0.01


def test_it_applies_exif_orientation_and_drops_metadata():
    landscape = Image.open(BIG_PHOTO)
    landscape.thumbnail((800, 800))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display": a phone held upright
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    landscape.save(buffer, "JPEG", exif=exif.tobytes())

    photo = imaging.decode_photo(buffer.getvalue(), 768)

    assert photo.height > photo.width  # upright, as the person saw it
    assert max(photo.size) == 768
    assert not photo.info
    assert not decode(imaging.encode_jpeg(photo)).getexif()
