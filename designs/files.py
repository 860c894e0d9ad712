"""Stored files and their URLs: signed and expiring, whatever the storage.

Local storage gets a signed URL to our own view; S3 gets the storage's presigned URL.
"""
from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.urls import reverse

_SALT = "designs.files"


def file_save(name: str, content: bytes) -> str:
    """Store bytes under a server-chosen key; returns the key actually used."""
    return default_storage.save(name, ContentFile(content))


def file_delete(name: str) -> None:
    if name:
        default_storage.delete(name)


def folder_delete(prefix: str) -> None:
    """Every file directly in a folder (a design's or a project's): where all their files live."""
    try:
        _dirs, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{prefix}/{name}")


def file_url(name: str) -> str | None:
    if not name:
        return None
    if settings.STORAGE_BACKEND == "s3":
        return default_storage.url(name)  # presigned, expires after FILE_URL_MAX_AGE
    token = signing.dumps(name, salt=_SALT, compress=True)
    return reverse("design-file", args=[token])


def serve_signed_file(request, token: str):
    try:
        name = signing.loads(token, salt=_SALT, max_age=settings.FILE_URL_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        raise Http404 from None
    if not default_storage.exists(name):
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"), content_type=_content_type(name))
    response["Cache-Control"] = f"private, max-age={settings.FILE_URL_MAX_AGE}"
    return response


def _content_type(name: str) -> str:
    return "image/png" if name.endswith(".png") else "image/jpeg"
