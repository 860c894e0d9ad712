"""Photos in other pixel modes come out as the RGB they show: 16-bit grey as grey, transparency over white."""
from __future__ import annotations

import io

from PIL import Image

from gpu import photos


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_it_reads_a_16_bit_grey_photo_as_grey():
    decoded = photos.decode(_png(Image.new("I;16", (400, 300), 32896)), long_side=512)  # 32896 / 257 = 128
    assert decoded.mode == "RGB" and decoded.getpixel((10, 10)) == (128, 128, 128)


def test_it_puts_transparency_over_white():
    half = Image.new("RGBA", (400, 300), (0, 0, 255, 0))
    half.paste((0, 0, 255, 255), (200, 0, 400, 300))
    decoded = photos.decode(_png(half), long_side=512)
    assert decoded.getpixel((10, 10)) == (255, 255, 255) and decoded.getpixel((390, 10)) == (0, 0, 255)
