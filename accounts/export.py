""""Download my data": everything Restyle holds about a person, as one ZIP built by the worker.

A request makes a DataExport row and, on commit, sends its id to the `build_data_export` actor (the default
queue: it needs no GPU). The worker writes the ZIP into private storage (exports/u<user>/<id>.zip) and mails a
link. The link is signed, expires with the export (DATA_EXPORT_MAX_AGE) and works only for the account it was
made for, signed in by session or token: a forwarded mail is not a key. Expired exports are deleted, file and
row, by the retention sweep (designs.actors.purge_guest_designs calls exports_purge), and with the account.

One export runs at a time per account, and RATELIMIT_DATA_EXPORT (3 a day) are asked for at most: each one
reads every photo and result the account has.
"""
from __future__ import annotations

import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from rest_framework import status

from accounts.mail import mail_render
from accounts.models import DataExport, User
from core.errors import ApiError
from core.ratelimit import enforce_rate_limit

log = logging.getLogger(__name__)

SALT = "accounts.data-export"
# A queued or running export younger than this blocks another; an older one was lost with its worker.
STALE_AFTER = timedelta(hours=1)
ACTIVE = (DataExport.Status.QUEUED, DataExport.Status.RUNNING)


def export_request(request, *, user: User) -> DataExport:
    """Queue an export for the account: 409 while one is under way, 429 past RATELIMIT_DATA_EXPORT."""
    recent = timezone.now() - STALE_AFTER
    if DataExport.objects.filter(user=user, status__in=ACTIVE, created_at__gt=recent).exists():
        raise ApiError("export_running", "Your export is being prepared: we will mail you when it is ready.",
                       status_code=status.HTTP_409_CONFLICT)
    enforce_rate_limit(request, group="data-export:account", key=str(user.pk), rate=settings.RATELIMIT_DATA_EXPORT)
    export = DataExport.objects.create(user=user, site_url=request.build_absolute_uri("/").rstrip("/"))
    transaction.on_commit(lambda: _send(export.pk))
    return export


def _send(export_id) -> None:
    from accounts.actors import build_data_export

    build_data_export.send(str(export_id))


def export_for_user(*, user: User, export_id) -> DataExport | None:
    return DataExport.objects.filter(user=user, pk=export_id).first()


def export_download_path(export: DataExport) -> str:
    token = signing.dumps({"x": str(export.pk), "u": export.user_id}, salt=SALT, compress=True)
    return reverse("data-export-download", args=[token])


def export_from_link(*, token: str, user: User) -> DataExport | None:
    """The ready, unexpired export a download link names, if `user` is the one it was made for."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.DATA_EXPORT_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if data.get("u") != user.pk:
        return None
    return DataExport.objects.filter(pk=data.get("x"), user=user, status=DataExport.Status.READY,
                                     expires_at__gt=timezone.now()).first()


def export_build(export_id: str) -> None:
    """The worker's job: claim the export, write the ZIP to storage, mark it ready and mail the link.

    Safe to run twice: only a queued export (or one whose worker was lost) is claimed.
    """
    from accounts.export_zip import zip_write

    claimed = DataExport.objects.filter(pk=export_id, status=DataExport.Status.QUEUED).update(
        status=DataExport.Status.RUNNING)
    if not claimed:
        return
    export = DataExport.objects.select_related("user").get(pk=export_id)
    try:
        with tempfile.TemporaryFile() as spool:
            zip_write(spool, user=export.user, export=export)
            size = spool.tell()
            spool.seek(0)
            name = default_storage.save(f"exports/u{export.user_id}/{export.pk}.zip", File(spool))
    except Exception:
        log.exception("data export %s failed", export.pk)
        DataExport.objects.filter(pk=export.pk).update(status=DataExport.Status.FAILED, finished_at=timezone.now())
        return
    now = timezone.now()
    export.status, export.file, export.size = DataExport.Status.READY, name, size
    export.finished_at, export.expires_at = now, now + timedelta(seconds=settings.DATA_EXPORT_MAX_AGE)
    if not DataExport.objects.filter(pk=export.pk).update(status=export.status, file=name, size=size,
                                                          finished_at=now, expires_at=export.expires_at):
        default_storage.delete(name)  # the account was deleted while the ZIP was written
        return
    _mail_ready(export)


def _mail_ready(export: DataExport) -> None:
    """Sent from the worker itself (no request to keep fast); a failure is logged, the export stays ready."""
    message = mail_render(name="data_export_ready", to=export.user.email, context={
        "link": export.site_url + export_download_path(export), "email": export.user.email,
        "size": filesizeformat(export.size), "expires_at": export.expires_at,
    })
    try:
        message.send()
    except Exception:
        log.exception("could not send the data_export_ready mail for export %s", export.pk)


def export_open(export: DataExport):
    return default_storage.open(export.file, "rb")


def export_storage_url(export: DataExport, *, filename: str) -> str | None:
    """With S3 storage, a short presigned URL to hand the download to the bucket; None with local storage,
    where the view streams the file itself."""
    if settings.STORAGE_BACKEND != "s3":
        return None
    return default_storage.url(export.file, parameters={
        "ResponseContentDisposition": f'attachment; filename="{filename}"'})


def exports_delete(exports) -> int:
    """Delete exports and their files; files first, so a storage error keeps the row to try again."""
    deleted = 0
    for export in exports:
        try:
            if export.file:
                default_storage.delete(export.file)
        except Exception:
            log.exception("retention: could not delete data export %s", export.pk)
            continue
        export.delete()
        deleted += 1
    return deleted


def exports_purge() -> int:
    """Expired exports, and failed or lost ones older than a day: for the retention sweep."""
    now = timezone.now()
    old = (DataExport.objects.filter(expires_at__lt=now)
           | DataExport.objects.exclude(status=DataExport.Status.READY).filter(created_at__lt=now - timedelta(days=1)))
    return exports_delete(old[:500])


def export_summary(export: DataExport, *, request) -> dict:
    """The state of an export for the API: a download URL only while it is ready."""
    ready = export.status == DataExport.Status.READY and export.expires_at and export.expires_at > timezone.now()
    return {
        "id": str(export.pk),
        "status": "expired" if export.status == DataExport.Status.READY and not ready else export.status,
        "created_at": export.created_at,
        "finished_at": export.finished_at,
        "expires_at": export.expires_at,
        "size": export.size if ready else None,
        "download_url": request.build_absolute_uri(export_download_path(export)) if ready else None,
        "status_url": request.build_absolute_uri(reverse("api-me-export-detail", args=[export.pk])),
    }
