"""Upload validation, shared by the API, the compatibility routes and the dashboard.

The photo is checked by size before decoding, by content (not extension), fully decoded with a
pixel cap, and re-encoded from pixels with EXIF orientation applied, so no metadata (GPS!) is kept.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener
from rest_framework import status

from core.errors import ApiError

# MPO is what phones save for multi-picture shots (a JPEG followed by more frames, e.g. depth or portrait
# mode): Pillow opens its first frame, and the re-encode below keeps that frame only.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
ACCEPTED_FORMATS |= {"HEIF"}  # iPhone photos (.heic, .heif); pillow-heif decodes them, registered here
register_heif_opener()
MIN_SHORT_SIDE = 256
MAX_ASPECT_RATIO = 3.0
STORED_LONG_SIDE = 1600  # the largest output is 1024; some headroom, and JPEG can decode at 1/2 or 1/4 scale


@dataclass(frozen=True)
class NormalizedImage:
    content: bytes  # JPEG, no metadata
    width: int
    height: int


def _invalid(message: str, code: str = "invalid_image") -> ApiError:
    return ApiError(code, message, field="image")


def normalize_upload(upload) -> NormalizedImage:
    if upload is None:
        raise ApiError("required", "Attach a photo of the room.", field="image")
    if upload.size > settings.MAX_UPLOAD_BYTES:
        limit = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
        raise ApiError("too_large", f"The photo is larger than {limit} MB.", field="image",
                       status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    image = _decode(upload)
    return _normalize(image)


def _decode(upload) -> Image.Image:
    data = upload.read()
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only
        if image.format not in ACCEPTED_FORMATS:
            raise ApiError("unsupported_image_type", "Upload a JPEG, PNG, WebP or HEIC photo.", field="image",
                           status_code=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE)
        # The decompression-bomb check, from the header's size and before a single pixel is decoded. It used to
        # turn Pillow's warning into an error with warnings.catch_warnings(), which swaps the process-wide filter
        # list: under concurrent requests one thread restored another's filters, so the guard came and went.
        width, height = image.size
        if width * height > settings.MAX_IMAGE_PIXELS:
            raise _invalid("The photo has too many pixels.")
        # JPEG decodes straight to a smaller scale when that still covers what we keep: a 12 MP photo
        # then costs a quarter of the pixels. The whole stream is still read and checked.
        image.draft("RGB", _draft_size(image.size))
        image.load()
    except Image.DecompressionBombError:  # Pillow's own cap (twice Image.MAX_IMAGE_PIXELS), a second line
        raise _invalid("The photo has too many pixels.") from None
    except UnidentifiedImageError:
        raise ApiError("unsupported_image_type", "The file is not a JPEG, PNG, WebP or HEIC photo.",
                       field="image", status_code=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE) from None
    except (OSError, SyntaxError, ValueError):
        raise _invalid("The photo could not be read; it may be damaged.") from None
    return image


def _draft_size(size: tuple[int, int]) -> tuple[int, int]:
    scale = STORED_LONG_SIDE / max(size)
    return (round(size[0] * scale), round(size[1] * scale)) if scale < 1 else size


def _normalize(image: Image.Image) -> NormalizedImage:
    ImageOps.exif_transpose(image, in_place=True)
    width, height = image.size
    if min(width, height) < MIN_SHORT_SIDE:
        raise _invalid(f"The photo is too small: the short side must be at least {MIN_SHORT_SIDE} px.")
    if max(width, height) / min(width, height) > MAX_ASPECT_RATIO:
        raise _invalid(f"The photo is too narrow: keep the aspect ratio under {MAX_ASPECT_RATIO:g}:1.")
    image = _to_rgb(image)
    image.thumbnail((STORED_LONG_SIDE, STORED_LONG_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)  # a new file from pixels: no EXIF, no GPS
    return NormalizedImage(content=buffer.getvalue(), width=image.width, height=image.height)


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")
