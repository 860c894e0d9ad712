"""Writes to designs: create, cancel, delete. The worker's writes live in designs/worker.py."""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from rest_framework import status

from accounts.requester import Requester
from billing import services as billing
from core.errors import ApiError
from designs import metrics
from designs.files import file_delete, file_save, folder_delete
from designs.masks import mask_read, normalize_mask
from designs.models import FINISHED, Design, Mode, Status
from designs.objects import ObjectChoiceError, objects_resolve
from designs.options import DesignOptions
from designs.progress import publish_state
from designs.queues import design_send
from designs.references import reference_copy, reference_normalize
from designs.uploads import normalize_upload
from designs.webhooks import delivery_record
from projects.consistency import design_ended as project_design_ended

log = logging.getLogger(__name__)


def design_create(*, requester: Requester, image, params: dict, idempotency_key: str = "", callback_url: str = "",
                  callback_token=None, mask=None, style_reference=None) -> tuple[Design, bool]:
    """Validate, store and enqueue a design. Returns (design, created); a repeated key returns the first design.
    A callback (checked by webhooks.callback_for) is called when the design ends. `mask`: an edit's PNG upload.
    `style_reference`: a photo whose look the design takes (designs/references.py)."""
    mask_data = mask_read(mask)
    if mask_data is not None:
        params = {**params, "mask_sha256": hashlib.sha256(mask_data).hexdigest()}  # for the fingerprint only
    if style_reference is not None:
        params = {**params, "reference_sha256": _upload_sha256(style_reference)}  # for the fingerprint only
    fingerprint = _request_fingerprint(image, params) if idempotency_key else ""
    existing = _find_idempotent(requester, idempotency_key, fingerprint)
    if existing:
        return existing, False
    billing.submit_guard(requester)
    limits = billing.plan_limits(requester)
    variations, resolution = _within_plan(params, limits)
    photo = normalize_upload(image)
    mode = params.get("mode") or Mode.RESTYLE
    _mode_choices(mode, params)
    mask_png = normalize_mask(mask_data, mode=mode, photo=photo)  # before anything is stored or counted
    reference = reference_normalize(style_reference)  # likewise
    design = Design(
        owner=requester.user, guest_key=requester.guest_key, client_ip=requester.ip or None,
        style=params["style"], room_type=params.get("room_type") or "", mode=mode,
        preferences=DesignOptions.from_data(params).to_json(),
        variations=variations, resolution=resolution, idempotency_key=idempotency_key,
        idempotency_fingerprint=fingerprint, queue_priority=limits.priority,
        callback_url=callback_url, callback_token=callback_token,
        original_width=photo.width, original_height=photo.height,
        queued_at=timezone.now(), deadline_at=timezone.now() + timedelta(seconds=settings.DESIGN_DEADLINE_SECONDS),
    )
    design.original.name = file_save(f"{design.storage_prefix}/original.jpg", photo.content)
    if mask_png is not None:
        design.mask.name = file_save(f"{design.storage_prefix}/mask.png", mask_png)
    if reference is not None:
        design.reference.name = file_save(f"{design.storage_prefix}/reference.jpg", reference.content)
    try:
        with transaction.atomic():
            design.save(force_insert=True)
            billing.quota_reserve(design=design, units=design.variations, limits=limits)
            # Robust: if Redis refuses the message, the design is still accepted and the reaper sends it again.
            transaction.on_commit(lambda: design_send(design.id, priority=design.queue_priority), robust=True)
    except IntegrityError:
        file_delete(design.original.name)
        file_delete(design.mask.name)
        file_delete(design.reference.name)
        existing = _find_idempotent(requester, idempotency_key, fingerprint)
        if existing is None:
            raise
        return existing, False  # a concurrent request with the same key won the race
    except BaseException:
        file_delete(design.original.name)
        file_delete(design.mask.name)
        file_delete(design.reference.name)
        raise
    return design, True


def _mode_choices(mode: str, params: dict) -> None:
    """An edit follows the person's wish: without one there is nothing to paint."""
    if mode == Mode.EDIT and not (params.get("prompt") or "").strip():
        raise ApiError("required", "Say what the painted area should become (e.g. \"a green velvet armchair\").",
                       field="prompt")


def design_restyle(*, requester: Requester, source: Design, params: dict, mask=None,
                   style_reference=None) -> Design:
    """A new design from `source`'s stored photo ("try another style"). `params` override the source's own
    choices (room type, preferences, variations); the photo goes through design_create's same upload checks,
    plan limits and quota, so restyling is never a way around them. The source's style reference comes along
    unless another is given."""
    if not requester.owns(source):
        raise Http404
    if "objects" in params:  # checked against the source's detections before anything is stored or counted
        params = {**params, "objects": _objects(source, params)}
    inherited = {key: value for key, value in source.options.to_json().items() if key != "objects"}  # its ids
    merged = {"style": source.style, "room_type": source.room_type, "variations": source.variations,
              **inherited, **params}
    with default_storage.open(source.original.name, "rb") as stored:
        photo = ContentFile(stored.read(), name="original.jpg")
    reference = style_reference if style_reference is not None else reference_copy(source)
    design, _created = design_create(requester=requester, image=photo, params=merged, mask=mask,
                                     style_reference=reference)
    return design


def _upload_sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _objects(source: Design, params: dict) -> list[dict] | None:
    try:
        resolved = objects_resolve(source=source, choices=params["objects"],
                                   mode=params.get("mode") or Mode.RESTYLE)
    except ObjectChoiceError as error:
        raise ApiError("invalid_objects", str(error), field="objects") from None
    return resolved or None


def _find_idempotent(requester: Requester, key: str, fingerprint: str) -> Design | None:
    """The design this key already made, when the request is the same one again; another request → 422."""
    if not key:
        return None
    if requester.user is not None:
        design = Design.objects.filter(owner=requester.user, idempotency_key=key).first()
    else:
        design = Design.objects.filter(owner=None, guest_key=requester.guest_key, idempotency_key=key).first()
    if design is not None and design.idempotency_fingerprint not in ("", fingerprint):
        raise ApiError("idempotency_key_reused",
                       "This Idempotency-Key was already used for a different request (another photo or other "
                       "choices). Send a new key for a new design.",
                       field="Idempotency-Key", status_code=status.HTTP_422_UNPROCESSABLE_ENTITY)
    return design


def _request_fingerprint(image, params: dict) -> str:
    """What a request asked for: the photo's bytes as uploaded and the validated choices."""
    digest = hashlib.sha256()
    if image is not None:
        for chunk in image.chunks():  # from the start
            digest.update(chunk)
        image.seek(0)
    digest.update(json.dumps(params, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _within_plan(params: dict, limits) -> tuple[int, int]:
    variations = params.get("variations") or 1
    if variations > limits.max_variations:
        raise ApiError("plan_limit", f"Your plan allows up to {limits.max_variations} variations per design.",
                       field="variations")
    if params.get("quick") and not limits.quick_drafts:
        raise ApiError("plan_limit", "Your plan does not include quick drafts.", field="quick")
    resolution = params.get("resolution") or min(768, limits.max_resolution)
    if resolution > limits.max_resolution:
        raise ApiError("plan_limit", f"Your plan allows results up to {limits.max_resolution} px.",
                       field="resolution")
    return variations, resolution


def design_cancel(*, design: Design) -> Design:
    """Cancel now if queued; a running design stops at its next event. Finished → 409.

    Only a design cancelled before it started gets its quota back: a running one has used the GPU.
    """
    fields = {"status": Status.CANCELLED, "message": "Cancelled", "finished_at": timezone.now(), "lease_until": None,
              "seq": F("seq") + 1}
    with transaction.atomic():
        was_queued = Design.objects.filter(pk=design.pk, status=Status.QUEUED).update(**fields)
        changed = was_queued or Design.objects.filter(pk=design.pk).exclude(status__in=FINISHED).update(**fields)
        design.refresh_from_db()
        if not changed:
            raise ApiError("already_finished", f"This design is already {design.status}.",
                           status_code=status.HTTP_409_CONFLICT)
        if was_queued:
            billing.quota_refund(design=design, reason="cancelled")
        metrics.design_finished(design)
        delivery_record(design, "cancelled")
        transaction.on_commit(lambda: publish_state(design, event_type="cancelled"))
        transaction.on_commit(lambda: project_design_ended(design.pk))
    return design


def design_delete(*, design: Design) -> None:
    """Remove the design, its rows and every stored file.

    Every file of a design (original, results, thumbnails, maps, and whatever a crashed attempt stored
    without recording) lives in its folder. Files go first: if storage fails, the row stays and the
    delete can be tried again, instead of leaving files nothing points to.

    An unfinished design is first ended (cancelled) in its own committed update, and only then is the folder
    listed. That makes the delete and a worker's final write exclusive: the worker stores its results before
    its conditional "still mine and running" update, so either that update committed first (our UPDATE waits
    on its row lock) and the listing below sees every file it stored, or it finds the design cancelled,
    matches nothing, and deletes what it stored itself (designs.worker.design_complete). Before, a worker
    finishing between the listing and the row's delete left its results in storage with no row.
    """
    fields = {"status": Status.CANCELLED, "message": "Deleted", "finished_at": timezone.now(), "lease_until": None,
              "seq": F("seq") + 1}
    with transaction.atomic():
        if queued := Design.objects.filter(pk=design.pk, status=Status.QUEUED).update(**fields):
            billing.quota_refund(design=design, reason="deleted")
        ended = queued or Design.objects.filter(pk=design.pk).exclude(status__in=FINISHED).update(**fields)
        if ended:
            design.refresh_from_db()
            metrics.design_finished(design)
    if ended:
        project_design_ended(design.pk)  # a deleted pilot hands over like a cancelled one
    folder_delete(design.storage_prefix)
    design.delete()


def guest_designs_adopt(*, guest_key: str, user) -> int:
    """Signing up moves the session's guest designs to the new account."""
    if not guest_key:
        return 0
    return Design.objects.filter(Q(owner__isnull=True) & Q(guest_key=guest_key)).update(owner=user)
