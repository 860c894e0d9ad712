"""The person's edit mask: a PNG where white (or opaque, when it has alpha) marks the area to change.

Pure Pillow and NumPy, so the web process validates an upload with the same reading the pipeline uses.
"""
from __future__ import annotations

import io

import numpy as np
from PIL import Image, UnidentifiedImageError

THRESHOLD = 128  # a painted pixel: grey at least half way to white (or half opaque)
MAX_PIXELS = 60_000_000  # as gpu.imaging: larger is a decompression bomb, not a mask
ASPECT_TOLERANCE = 0.01  # the mask is the photo's shape, scaled: within 1% of its aspect ratio


class MaskError(ValueError):
    """The mask cannot be used; the message says why, for people."""


def read_mask(data: bytes) -> np.ndarray:
    """bool (H, W): True where the person painted. Alpha when the PNG has it, else its grey level."""
    try:
        image = Image.open(io.BytesIO(data))
        if image.format != "PNG":
            raise MaskError("The mask must be a PNG image (white or opaque where the photo should change).")
        if image.width * image.height > MAX_PIXELS:
            raise MaskError("The mask has too many pixels.")
        image.load()
    except MaskError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise MaskError("The mask must be a PNG image (white or opaque where the photo should change).") from None
    return _channel(image) >= THRESHOLD


def _channel(image: Image.Image) -> np.ndarray:
    """The 0..255 values that say "change here": alpha for a PNG with transparency, else grey."""
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "L")
    if image.mode in ("RGBA", "LA", "PA"):
        return np.asarray(image.getchannel("A"), dtype=np.uint8)
    if image.mode.startswith("I;16") or image.mode == "I":
        return (np.asarray(image, dtype=np.float64) / 257.0).round().clip(0, 255).astype(np.uint8)
    return np.asarray(image.convert("L"), dtype=np.uint8)


def check_mask(painted: np.ndarray, photo_size: tuple[int, int]) -> None:
    """Refuse a mask that selects nothing, everything, or does not have the photo's shape."""
    if not painted.any():
        raise MaskError("The mask is empty: paint over the area you want to change.")
    if painted.all():
        raise MaskError("The mask covers the whole photo: leave some of it unpainted, or restyle the whole room.")
    height, width = painted.shape
    photo_ratio = photo_size[0] / photo_size[1]
    if abs(width / height - photo_ratio) / photo_ratio > ASPECT_TOLERANCE:
        raise MaskError(f"The mask is {width}x{height} px but the photo is {photo_size[0]}x{photo_size[1]}: "
                        "give it the photo's size, or the same shape scaled.")


def fit_mask(painted: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """uint8 (H, W) of `size`: 255 where painted, 0 elsewhere, scaled smoothly then thresholded again."""
    image = Image.fromarray(painted.astype(np.uint8) * 255)
    if image.size != size:
        image = image.resize(size, Image.Resampling.BILINEAR)
    return np.where(np.asarray(image) >= THRESHOLD, 255, 0).astype(np.uint8)


def encode_mask(mask: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(mask.astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()
