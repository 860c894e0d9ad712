"""The person's edit mask: a PNG where white (or opaque, when it has alpha) marks the area to change.

Pillow only, so the web process (which has no NumPy or torch) validates an upload with the same reading the
pipeline uses. A mask is an "L" image: 255 where painted, 0 elsewhere.
"""
from __future__ import annotations

import io

from PIL import Image

from gpu import photos

THRESHOLD = 128  # a painted pixel: grey at least half way to white (or half opaque)
ASPECT_TOLERANCE = 0.01  # the mask is the photo's shape, scaled: within 1% of its aspect ratio


class MaskError(ValueError):
    """The mask cannot be used; the message says why, for people."""


def read_mask(data: bytes) -> Image.Image:
    """Where the person painted: alpha when the PNG has it, else its grey level.

    Opened as photos are (the header checked before any pixel, the same pixel cap), but read as is: a mask has
    no orientation or colour profile to apply, and its alpha is the point.
    """
    try:
        image = photos.open_checked(data, formats=frozenset({"PNG"}))
    except photos.PhotoError as error:
        if error.reason == photos.TOO_MANY_PIXELS:
            raise MaskError("The mask has too many pixels.") from None
        raise MaskError("The mask must be a PNG image (white or opaque where the photo should change).") from None
    return _binary(_channel(image))


def _channel(image: Image.Image) -> Image.Image:
    """The 0..255 values that say "change here": alpha for a PNG with transparency, else grey."""
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "L")
    if image.mode in ("RGBA", "LA", "PA"):
        return image.getchannel("A")
    if image.mode.startswith("I;16") or image.mode == "I":
        return image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    return image.convert("L")


def _binary(image: Image.Image) -> Image.Image:
    return image.point(lambda value: 255 if value >= THRESHOLD else 0)


def painted_any(mask: Image.Image) -> bool:
    return mask.getextrema()[1] > 0


def painted_all(mask: Image.Image) -> bool:
    return mask.getextrema()[0] > 0


def check_mask(painted: Image.Image, photo_size: tuple[int, int]) -> None:
    """Refuse a mask that selects nothing, everything, or does not have the photo's shape."""
    if not painted_any(painted):
        raise MaskError("The mask is empty: paint over the area you want to change.")
    if painted_all(painted):
        raise MaskError("The mask covers the whole photo: leave some of it unpainted, or restyle the whole room.")
    width, height = painted.size
    photo_ratio = photo_size[0] / photo_size[1]
    if abs(width / height - photo_ratio) / photo_ratio > ASPECT_TOLERANCE:
        raise MaskError(f"The mask is {width}x{height} px but the photo is {photo_size[0]}x{photo_size[1]}: "
                        "give it the photo's size, or the same shape scaled.")


def fit_mask(painted: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The mask at `size`, scaled smoothly then thresholded again."""
    if painted.size == size:
        return painted
    return _binary(painted.resize(size, Image.Resampling.BILINEAR))


def encode_mask(mask: Image.Image) -> bytes:
    buffer = io.BytesIO()
    mask.save(buffer, format="PNG")
    return buffer.getvalue()
