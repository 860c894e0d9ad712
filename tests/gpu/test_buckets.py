"""Photos run at a few fixed bucket shapes and come back with their own aspect ratio (gpu/buckets.py)."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from gpu import buckets, imaging
from tests.gpu.support import PHOTOS, decode, make_request, photo_size, run_to_end, tiny_models

RATIOS = {"9:16": (1080, 1920), "3:4": (1200, 1600), "1:1": (1000, 1000), "16:9": (1920, 1080),
          "21:9": (2520, 1080)}


def _aspect_error(size: tuple[int, int], original: tuple[int, int]) -> float:
    return abs(size[0] / size[1] - original[0] / original[1]) / (original[0] / original[1])


def _photo(width: int, height: int) -> np.ndarray:
    """A picture whose every region differs, so a misplaced crop shows."""
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x * 255 // width, y * 255 // height, (x + y) * 255 // (width + height)], axis=2).astype(np.uint8)


@pytest.mark.parametrize("resolution", sorted(buckets.SHORT_SIDES))
def test_it_has_five_aspect_buckets_with_sides_in_multiples_of_64(resolution):
    shapes = buckets.buckets_for(resolution)

    assert len({round(max(w, h) / min(w, h), 3) for w, h in shapes}) == 5
    assert all(w % 64 == 0 and h % 64 == 0 and max(w, h) == resolution for w, h in shapes)


@pytest.mark.parametrize("resolution", sorted(buckets.SHORT_SIDES))
def test_it_maps_every_bucket_back_to_the_photos_pixels_and_aspect_ratio(resolution):
    originals = [*RATIOS.values(), *(photo_size(path) for path in PHOTOS), *buckets.buckets_for(resolution)]
    used = set()
    for original in originals:
        size = imaging.fit_size(*original, resolution)
        photo = _photo(*size)
        placed = buckets.placement(size, resolution)
        canvas = np.asarray(placed.place(photo))
        used.add(placed.bucket)

        back = placed.restore(canvas.astype(np.float32) / 255)

        assert canvas.shape[1::-1] == placed.bucket
        assert back.shape[1::-1] == size
        assert _aspect_error(back.shape[1::-1], original) < 0.01
        assert np.abs(back * 255 - photo).mean() < 3  # the photo's own part, not the mirrored border
    assert used == set(buckets.buckets_for(resolution))  # every bucket was exercised


@pytest.mark.parametrize("name", [*RATIOS, *(path.stem for path in PHOTOS)])
def test_it_delivers_the_photos_aspect_ratio_from_a_bucket_shape(name, monkeypatch):
    paths = {path.stem: path for path in PHOTOS}
    if name in paths:
        original, data = photo_size(paths[name]), paths[name].read_bytes()
    else:
        original = RATIOS[name]
        buffer = io.BytesIO()
        Image.fromarray(_photo(*original)).save(buffer, "JPEG")
        data = buffer.getvalue()
    pipe = tiny_models().pipes["img2img", False]
    shapes = []
    original_call = type(pipe).__call__
    monkeypatch.setattr(type(pipe), "__call__",
                        lambda self, **kw: shapes.append((kw["width"], kw["height"])) or original_call(self, **kw))

    result = run_to_end(make_request(image=data, steps=2))[-1].result

    assert shapes and set(shapes) <= set(buckets.buckets_for(512))
    image = decode(result.variations[0].image)
    assert max(image.size) == 512
    assert _aspect_error(image.size, original) < 0.01
