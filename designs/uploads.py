"""Upload validation, shared by the API, the compatibility routes and the dashboard.

The photo is checked by size before decoding, then decoded by gpu.photos.decode, the pipeline's own decoder
(format by content, the pixel cap from the header, EXIF orientation, colour profile to sRGB), and re-encoded
from pixels, so no metadata (GPS!) is kept and the stored JPEG is plain sRGB.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from PIL import Image
from rest_framework import status

from core.errors import ApiError
from gpu import photos

MIN_SHORT_SIDE = 256
MAX_ASPECT_RATIO = 3.0
STORED_LONG_SIDE = 1600  # the largest output is 1024; some headroom, and JPEG can decode at 1/2 or 1/4 scale


@dataclass(frozen=True)
class NormalizedImage:
    content: bytes  # JPEG, sRGB, no metadata
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
    try:
        image = photos.decode(upload.read(), long_side=STORED_LONG_SIDE)
    except photos.PhotoError as error:
        raise _refusal(error) from None
    return _normalize(image)


def _refusal(error: photos.PhotoError) -> ApiError:
    if error.reason == photos.UNSUPPORTED:
        return ApiError("unsupported_image_type", error.message, field="image",
                        status_code=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE)
    return _invalid(error.message)


def _normalize(image: Image.Image) -> NormalizedImage:
    width, height = image.size
    if min(width, height) < MIN_SHORT_SIDE:
        raise _invalid(f"The photo is too small: the short side must be at least {MIN_SHORT_SIDE} px.")
    if max(width, height) / min(width, height) > MAX_ASPECT_RATIO:
        raise _invalid(f"The photo is too narrow: keep the aspect ratio under {MAX_ASPECT_RATIO:g}:1.")
    image.thumbnail((STORED_LONG_SIDE, STORED_LONG_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)  # a new file from pixels: no EXIF, no GPS, no profile (sRGB)
    return NormalizedImage(content=buffer.getvalue(), width=image.width, height=image.height)
