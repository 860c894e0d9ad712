"""A HEIF that describes its colour with an nclx box instead of an ICC profile (as many Android phones save) is
converted to sRGB when it names Display P3 or BT.2020 primaries with an sRGB-like transfer; any other description
is left as it is. The photos are written by pillow-heif with the nclx box; the checks use the published matrices."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from gpu import photos
from tests.display_p3 import GREEN, RED, bt2020_to_srgb, p3_to_srgb, two_colour_photo

SRGB_TRANSFER, PQ_TRANSFER = 13, 16
P3, BT2020, CINEMA_P3 = 12, 9, 11
# Inside sRGB's gamut when read as BT.2020 (RED and GREEN are not): read as sRGB, off by 37 and 22 levels.
WARM, SAGE = (180, 90, 70), (120, 150, 110)


def _nclx_heif(left, right, primaries: int, transfer: int) -> bytes:
    data = two_colour_photo("HEIF", left, right, color_primaries=primaries, transfer_characteristics=transfer,
                            matrix_coefficients=6, full_range_flag=1)
    info = Image.open(io.BytesIO(data)).info
    assert "icc_profile" not in info and info["nclx_profile"]["color_primaries"] == primaries  # really nclx only
    return data


def _colours(image: Image.Image) -> list[tuple[int, int, int]]:
    width, height = image.size
    return [image.getpixel((x, height // 2)) for x in (width // 4, 3 * width // 4)]


def _close(got, want) -> bool:
    return all(abs(a - b) <= 4 for pixel, expected in zip(got, want, strict=True)
               for a, b in zip(pixel, expected, strict=True))


@pytest.mark.parametrize(("primaries", "left", "right", "to_srgb"), [
    (P3, RED, GREEN, p3_to_srgb), (BT2020, WARM, SAGE, bt2020_to_srgb)], ids=["display-p3", "bt2020"])
def test_it_converts_an_nclx_heif_to_srgb(primaries, left, right, to_srgb):
    decoded = photos.decode(_nclx_heif(left, right, primaries, SRGB_TRANSFER), long_side=600)
    want = [to_srgb(left), to_srgb(right)]
    assert _close(_colours(decoded), want), (_colours(decoded), want)
    assert not _close([left, right], want)  # the conversion is visible: the raw values are not the answer


@pytest.mark.parametrize(("primaries", "transfer"), [(CINEMA_P3, SRGB_TRANSFER), (P3, PQ_TRANSFER)],
                         ids=["unknown-primaries", "unknown-transfer"])
def test_it_leaves_an_unknown_nclx_description_as_it_is(primaries, transfer):
    decoded = photos.decode(_nclx_heif(RED, GREEN, primaries, transfer), long_side=600)
    assert _close(_colours(decoded), [RED, GREEN]), _colours(decoded)
