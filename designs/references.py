"""Style reference photos: a photo of a room whose look a design takes (gpu/adapter.py, an image-prompt adapter).

The upload is checked exactly like the room's photo (designs/uploads.py: formats, size, pixel caps, re-encoded
from pixels so no metadata is kept); its errors name the field `style_reference`. It is stored privately in the
design's folder as reference.jpg, so the data export includes it and deleting the design deletes it.
"""
from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from core.errors import ApiError
from designs.models import Design
from designs.uploads import NormalizedImage, normalize_upload

FIELD = "style_reference"
FILENAME = "reference.jpg"
# With a reference and no named style, the prompt still needs a style: a neutral present-day one, so the look
# comes from the reference rather than from a named style's words.
DEFAULT_STYLE = "contemporary"


def reference_normalize(upload) -> NormalizedImage | None:
    """The upload as a clean JPEG, or None when there is none; a bad one is the photo's error, for this field."""
    if upload is None:
        return None
    try:
        return normalize_upload(upload)
    except ApiError as error:
        detail = str(error.detail)
        message = f"Style reference: {detail[:1].lower()}{detail[1:]}"
        raise ApiError(error.error_code, message, status_code=error.status_code, field=FIELD) from None


def reference_copy(design: Design) -> ContentFile | None:
    """A design's stored reference as an upload again ("try another style" keeps the look it was made with)."""
    if not design.reference.name:
        return None
    with default_storage.open(design.reference.name, "rb") as stored:
        return ContentFile(stored.read(), name=FILENAME)
