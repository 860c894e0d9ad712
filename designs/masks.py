"""The edit mask upload: checked before anything is stored or counted, with the same reading the pipeline uses.

A PNG, greyscale (white = change) or with alpha (opaque = change), the photo's size or its shape scaled (within
1% of its aspect ratio), neither empty nor all white. Stored binary, at the stored photo's size.
"""
from __future__ import annotations

from django.conf import settings
from rest_framework import status

from core.errors import ApiError
from designs.models import Mode
from designs.uploads import NormalizedImage
from gpu import masks


def _invalid(message: str, code: str = "invalid_mask") -> ApiError:
    return ApiError(code, message, field="mask")


def mask_read(upload) -> bytes | None:
    """The upload's bytes (None without one), read once: the fingerprint and the check both use them."""
    if upload is None:
        return None
    if upload.size > settings.MAX_UPLOAD_BYTES:
        limit = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
        raise ApiError("too_large", f"The mask is larger than {limit} MB.", field="mask",
                       status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    data = upload.read()
    upload.seek(0)
    return data


def normalize_mask(data: bytes | None, *, mode: str, photo: NormalizedImage) -> bytes | None:
    """A binary PNG at the stored photo's size for an edit; None for the other modes. Bad input → 400 `mask`."""
    if mode != Mode.EDIT:
        if data is not None:
            raise _invalid("A mask is only used when editing an area (mode edit).")
        return None
    if not data:
        raise _invalid("Paint the area to change: an edit needs a mask.", code="required")
    try:
        painted = masks.read_mask(data)
        masks.check_mask(painted, (photo.width, photo.height))
    except masks.MaskError as error:
        raise _invalid(str(error)) from None
    fitted = masks.fit_mask(painted, (photo.width, photo.height))
    # A few painted pixels can vanish (or fill everything) when scaled.
    if not masks.painted_any(fitted) or masks.painted_all(fitted):
        raise _invalid("The mask is too thin or too full at the photo's size: paint a clearer area.")
    return masks.encode_mask(fitted)
