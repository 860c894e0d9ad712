"""Wide-gamut colour for tests: the Display P3 profile a phone embeds, and the colour maths to check with.

The profile is gpu.icc's (built from the published primaries: P3 primaries, D65 white, the sRGB curve, as Apple's
"Display P3.icc"), so no system file is needed. `p3_to_srgb` and `bt2020_to_srgb` are the checks: they use the
published linear → linear sRGB matrices, not gpu.icc's maths or LittleCMS, so a wrong profile or a skipped
conversion both show.
"""
from __future__ import annotations

import io

from PIL import Image
from pillow_heif import register_heif_opener

from gpu.icc import display_p3

__all__ = ["RED", "GREEN", "bt2020_to_srgb", "display_p3", "p3_photo", "p3_to_srgb", "two_colour_photo"]

# Saturated and inside sRGB's gamut even when read as P3 or BT.2020, so the right answer is not a clipped primary:
# read as sRGB, both are off by 20 to 50 levels in a channel.
RED, GREEN = (210, 60, 40), (90, 180, 80)


def two_colour_photo(fmt: str, left=RED, right=GREEN, **save) -> bytes:
    """A 600 x 400 photo, `left` on the left half, `right` on the right, saved by Pillow (pillow-heif for HEIF) with
    `save`."""
    register_heif_opener()
    image = Image.new("RGB", (600, 400), left)
    image.paste(right, (300, 0, 600, 400))
    buffer = io.BytesIO()
    image.save(buffer, fmt, quality=95, **save)
    return buffer.getvalue()


def p3_photo(fmt: str) -> bytes:
    """The two colours tagged Display P3 with an embedded ICC profile, as an iPhone saves them."""
    data = two_colour_photo(fmt, icc_profile=display_p3())
    assert Image.open(io.BytesIO(data)).info["icc_profile"] == display_p3()  # the profile is really in the file
    return data

# Linear Display P3 → linear sRGB (same D65 white, so no adaptation), as published (e.g. CSS Color 4's).
P3_TO_SRGB = ((1.2249401, -0.2249404, 0.0), (-0.0420569, 1.0420571, 0.0), (-0.0196376, -0.0786361, 1.0982735))
# Linear BT.2020 → linear BT.709 (sRGB's primaries), as published in ITU-R BT.2087.
BT2020_TO_SRGB = ((1.6605, -0.5876, -0.0728), (-0.1246, 1.1329, -0.0083), (-0.0182, -0.1006, 1.1187))


def _linear(value: int) -> float:
    v = value / 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def _encoded(v: float) -> int:
    v = min(max(v, 0.0), 1.0)
    return round(255 * (12.92 * v if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055))


def _convert(matrix, pixel: tuple[int, int, int]) -> tuple[int, int, int]:
    linear = tuple(_linear(value) for value in pixel)
    return tuple(_encoded(sum(matrix[i][k] * linear[k] for k in range(3))) for i in range(3))


def p3_to_srgb(pixel: tuple[int, int, int]) -> tuple[int, int, int]:
    """The sRGB values that show the same colour as `pixel` in Display P3."""
    return _convert(P3_TO_SRGB, pixel)


def bt2020_to_srgb(pixel: tuple[int, int, int]) -> tuple[int, int, int]:
    """The sRGB values that show the same colour as `pixel` in BT.2020 primaries with the sRGB curve."""
    return _convert(BT2020_TO_SRGB, pixel)
