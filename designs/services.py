"""Writes to designs: create, cancel, delete. The worker's writes live in designs/worker.py."""
from __future__ import annotations

import logging
import posixpath
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from rest_framework import status

from billing import services as billing
from config.api import ApiError
from designs.files import file_delete, file_save
from designs.models import FINISHED, Design, Status
from designs.progress import publish_state
from designs.requester import Requester
from designs.uploads import normalize_upload

log = logging.getLogger(__name__)

PREFERENCE_FIELDS = ("keep_furniture", "color_palette", "wall_color", "flooring", "prompt", "creativity", "seed")


def design_create(*, requester: Requester, image, params: dict, idempotency_key: str = "") -> tuple[Design, bool]:
    """Validate, store and enqueue a design. Returns (design, created); a repeated key returns the first design."""
    existing = _find_idempotent(requester, idempotency_key)
    if existing:
        return existing, False
    billing.submit_guard(requester)
    limits = billing.plan_limits(requester)
    variations, resolution = _within_plan(params, limits)
    photo = normalize_upload(image)
    design = Design(
        owner=requester.user, guest_key=requester.guest_key, client_ip=requester.ip or None,
        style=params["style"], room_type=params.get("room_type") or "",
        preferences=_preferences(params),
        variations=variations, resolution=resolution, idempotency_key=idempotency_key,
        original_width=photo.width, original_height=photo.height,
        queued_at=timezone.now(), deadline_at=timezone.now() + timedelta(seconds=settings.DESIGN_DEADLINE_SECONDS),
    )
    design.original.name = file_save(f"{design.storage_prefix}/original.jpg", photo.content)
    try:
        with transaction.atomic():
            design.save(force_insert=True)
            billing.quota_reserve(design=design, units=design.variations, limits=limits)
            # Robust: if Redis refuses the message, the design is still accepted and the reaper sends it again.
            transaction.on_commit(lambda: _enqueue(design, limits.priority), robust=True)
    except IntegrityError:
        file_delete(design.original.name)
        existing = _find_idempotent(requester, idempotency_key)
        if existing is None:
            raise
        return existing, False  # a concurrent request with the same key won the race
    except BaseException:
        file_delete(design.original.name)
        raise
    return design, True


def design_restyle(*, requester: Requester, source: Design, params: dict) -> Design:
    """A new design from `source`'s stored photo ("try another style"). `params` override the source's own
    choices (room type, preferences, variations); the photo goes through design_create's same upload checks,
    plan limits and quota, so restyling is never a way around them."""
    if not requester.owns(source):
        raise Http404
    merged = {"room_type": source.room_type, "variations": source.variations, **source.preferences, **params}
    with default_storage.open(source.original.name, "rb") as stored:
        photo = ContentFile(stored.read(), name="original.jpg")
    design, _created = design_create(requester=requester, image=photo, params=merged)
    return design


def _preferences(params: dict) -> dict:
    chosen = {key: params[key] for key in PREFERENCE_FIELDS if params.get(key) not in (None, "")}
    if params.get("quick"):  # recorded only when asked for: a standard design's preferences stay as they were
        chosen["quick"] = True
    return chosen


def _find_idempotent(requester: Requester, key: str) -> Design | None:
    if not key:
        return None
    if requester.user is not None:
        return Design.objects.filter(owner=requester.user, idempotency_key=key).first()
    return Design.objects.filter(owner=None, guest_key=requester.guest_key, idempotency_key=key).first()


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


def _enqueue(design: Design, priority: int) -> None:
    from designs.actors import process_design

    process_design.send_with_options(args=(str(design.id),), broker_priority=priority)


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
        transaction.on_commit(lambda: publish_state(design, event_type="cancelled"))
    return design


def design_delete(*, design: Design) -> None:
    """Remove the design, its rows and every stored file.

    Every file of a design (original, results, thumbnails, maps, and whatever a crashed attempt stored
    without recording) lives in its folder. Files go first: if storage fails, the row stays and the
    delete can be tried again, instead of leaving files nothing points to.
    """
    if Design.objects.filter(pk=design.pk, status=Status.QUEUED).update(status=Status.CANCELLED):
        billing.quota_refund(design=design, reason="deleted")
    _delete_folder(posixpath.dirname(design.original.name))
    design.delete()


def _delete_folder(prefix: str) -> None:
    try:
        _dirs, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{prefix}/{name}")


def guest_designs_adopt(*, guest_key: str, user) -> int:
    """Signing up moves the session's guest designs to the new account."""
    if not guest_key:
        return 0
    return Design.objects.filter(Q(owner__isnull=True) & Q(guest_key=guest_key)).update(owner=user)
