"""A photo that cannot decode at a reduced scale (a HEIC) is shrunk by a whole factor before its colour is converted,
so the per-pixel conversion runs on about the pixels the caller keeps; the result stays within the stated tolerance
of converting at full size and then resizing (the earlier order)."""
from __future__ import annotations

import io

from PIL import Image, ImageChops, ImageCms

from gpu import photos
from tests.display_p3 import p3_photo

LONG_SIDE = 256  # the 600 x 400 test photo: a factor of 2, then the caller's resize to 256 x 171
# Resampling in P3's encoding instead of sRGB's (and box averages before the caller's Lanczos) moves only the pixels
# next to an edge between saturated colours, measured at 7 levels in a channel on the red/green edge (and at most 4
# to 11, mean 0.2 to 0.4, on a textured 12 MP HEIC: see the final report of this change). Elsewhere: identical.
EDGE_TOLERANCE, EDGE_REACH, ELSEWHERE_TOLERANCE = 16, 4, 1


def _as_the_web_resizes(image: Image.Image) -> Image.Image:
    image.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)  # designs/uploads.py
    return image


def test_it_converts_a_heic_s_colour_after_shrinking_it(monkeypatch):
    converted: list[tuple[int, int]] = []
    real = ImageCms.profileToProfile

    def spy(image, *args, **kwargs):
        converted.append(image.size)
        return real(image, *args, **kwargs)

    monkeypatch.setattr(ImageCms, "profileToProfile", spy)
    photos.decode(p3_photo("HEIF"), long_side=LONG_SIDE)
    assert converted == [(300, 200)], "the colour was converted at full size (600 x 400)"


def test_it_keeps_converting_after_shrinking_within_the_tolerance():
    data = p3_photo("HEIF")
    full = Image.open(io.BytesIO(data))
    earlier = _as_the_web_resizes(ImageCms.profileToProfile(
        full, ImageCms.ImageCmsProfile(io.BytesIO(full.info["icc_profile"])), photos.SRGB, outputMode="RGB"))
    now = _as_the_web_resizes(photos.decode(data, long_side=LONG_SIDE))
    assert now.size == earlier.size == (256, 171)
    difference = ImageChops.difference(now, earlier)
    edge = now.width // 2
    near_edge = difference.crop((edge - EDGE_REACH, 0, edge + EDGE_REACH, now.height))
    elsewhere = (difference.crop((0, 0, edge - EDGE_REACH, now.height)),
                 difference.crop((edge + EDGE_REACH, 0, now.width, now.height)))
    assert max(high for _, high in near_edge.getextrema()) <= EDGE_TOLERANCE
    assert all(max(high for _, high in part.getextrema()) <= ELSEWHERE_TOLERANCE for part in elsewhere)
