"""Upscaling a result to print size: ask for it, cancel it, read it. The worker's side is designs/upscale_worker.py.

An upscale is its own job (designs.models.Upscale) on the same queues, workers and GPU backends as designs.
It is charged when asked for, per the owner's plan (billing/upscales.py), and given back exactly once if it
fails or is cancelled before it finished, a cancel while it runs included: the person gets no file.
Its events go to the design's WebSocket group as `{"type": "upscale", "id": <design id>, "upscale": {...}}`.
"""
from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from rest_framework import status

from accounts.requester import Requester
from billing import services as billing
from billing.upscales import upscale_refund, upscale_reserve, upscale_terms
from core.errors import ApiError
from designs.files import file_url
from designs.models import UPSCALE_FINISHED, Design, Status, Upscale, UpscaleStatus
from designs.progress import publish

LIVE = (UpscaleStatus.QUEUED, UpscaleStatus.UPSCALING, UpscaleStatus.COMPLETED)


def upscale_create(*, requester: Requester, design: Design, index: int, factor: int) -> tuple[Upscale, bool]:
    """Queue the enlargement of the design's result `index` (0 for the first). Returns (upscale, created): asking
    again for the same result and factor while one is queued, running or done returns that one, uncharged."""
    if not requester.owns(design):
        raise Http404
    if design.status != Status.COMPLETED:
        raise ApiError("not_completed", f"This design is {design.status}: only a completed design can be upscaled.",
                       status_code=status.HTTP_409_CONFLICT)
    result = design.results.filter(index=index).first()
    if result is None:
        raise ApiError("not_found", f"This design has no result {index}.", status_code=status.HTTP_404_NOT_FOUND)
    existing = _live(result, factor)
    if existing is not None:
        return existing, False
    terms = upscale_terms(requester)
    if not terms.allowed:
        raise ApiError("plan_limit", "Your plan does not include upscaling to print size.", field="factor",
                       status_code=status.HTTP_403_FORBIDDEN)
    billing.submit_guard(requester)  # the same rate limits and GPU budget as a new design
    upscale = Upscale(design=design, result=result, factor=factor, units=terms.units, message="Waiting for a GPU...",
                      queue_priority=design.queue_priority, queued_at=timezone.now(),
                      deadline_at=timezone.now() + timedelta(seconds=settings.DESIGN_DEADLINE_SECONDS))
    try:
        with transaction.atomic():
            upscale.save(force_insert=True)
            upscale_reserve(upscale=upscale, terms=terms)
            transaction.on_commit(lambda: upscale_send(upscale.pk, priority=upscale.queue_priority), robust=True)
    except IntegrityError:
        existing = _live(result, factor)  # a concurrent request for the same enlargement won the race
        if existing is None:
            raise
        return existing, False
    return upscale, True


def _live(result, factor: int) -> Upscale | None:
    return Upscale.objects.filter(result=result, factor=factor, status__in=LIVE).first()


def upscale_send(upscale_id, *, priority: int, delay_ms: int | None = None) -> None:
    """Every enqueue of an upscale: the queue of the design's plan, as designs.queues.design_send."""
    from designs.queues import UPSCALE_ACTORS, gpu_send

    gpu_send(UPSCALE_ACTORS, upscale_id, priority=priority, delay_ms=delay_ms)


def upscale_cancel(*, upscale: Upscale) -> Upscale:
    """Cancel a queued or running upscale and give its images back (once); a running one stops at its next tile.
    Finished → 409."""
    with transaction.atomic():
        changed = Upscale.objects.filter(pk=upscale.pk).exclude(status__in=UPSCALE_FINISHED).update(
            status=UpscaleStatus.CANCELLED, message="Cancelled", finished_at=timezone.now(), lease_until=None,
            seq=F("seq") + 1,
        )
        upscale.refresh_from_db()
        if not changed:
            raise ApiError("already_finished", f"This upscale is already {upscale.status}.",
                           status_code=status.HTTP_409_CONFLICT)
        upscale_refund(upscale=upscale, reason="cancelled")
        transaction.on_commit(lambda: upscale_publish(upscale))
    return upscale


def upscale_offer(requester: Requester) -> dict:
    """What the design page says about upscaling for this caller's plan."""
    terms = upscale_terms(requester)
    return {"allowed": terms.allowed, "images": terms.units, "max_side": settings.UPSCALE_MAX_SIDE}


def upscale_get_for(*, design: Design, upscale_id) -> Upscale:
    upscale = Upscale.objects.filter(design=design, pk=upscale_id).select_related("result").first()
    if upscale is None:
        raise Http404
    return upscale


def upscale_publish(upscale: Upscale) -> None:
    upscale.refresh_from_db()
    publish(upscale.design_id, {"type": "upscale", "id": str(upscale.design_id), "timestamp": time.time(),
                                "upscale": upscale_state(upscale)})


def upscale_state(upscale: Upscale) -> dict:
    return {
        "id": str(upscale.id),
        "result_index": upscale.result.index,
        "factor": upscale.factor,
        "max_side": settings.UPSCALE_MAX_SIDE,
        "status": upscale.status,
        "progress": round(upscale.progress, 4),
        "message": upscale.message,
        "seq": upscale.seq,
        "width": upscale.width or None,
        "height": upscale.height or None,
        "url": file_url(upscale.image.name) if upscale.image else None,
        "images_charged": upscale.units,
        "created_at": upscale.created_at.isoformat() if upscale.created_at else None,
        "finished_at": upscale.finished_at.isoformat() if upscale.finished_at else None,
        "error": {"code": upscale.error_code, "message": upscale.error_message} if upscale.error_code else None,
    }


def upscales_state(design: Design) -> list[dict]:
    """A design's upscales for its state: every one asked for, oldest first."""
    return [upscale_state(u) for u in design.upscales.select_related("result")]
