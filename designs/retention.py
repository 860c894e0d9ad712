"""Guests' designs are kept GUEST_RETENTION_DAYS days after upload, then deleted with their files.

A guest has no account to delete their designs from, so we promise to do it for them. The reaper's timer asks
for a purge every interval (designs.actors.purge_guest_designs, at most once an hour across all workers), and
`manage.py purge_guest_designs` does the same by hand. Deletion goes through design_delete, so the photo, the
results and the control maps go too. The usage ledger and GPU charges stay: they no longer point at the design.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from designs.models import Design
from designs.services import design_delete

log = logging.getLogger(__name__)

BATCH = 500  # per run: a backlog drains over a few runs rather than one run outliving its time limit


def guest_designs_expired(*, days: int | None = None):
    """Guest designs uploaded more than `days` (default GUEST_RETENTION_DAYS) ago, oldest first."""
    days = settings.GUEST_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    return Design.objects.filter(owner__isnull=True, created_at__lt=cutoff).order_by("created_at")


def guest_designs_purge(*, days: int | None = None, limit: int = BATCH) -> int:
    """Delete up to `limit` expired guest designs and their files. Returns how many went.

    A retention of 0 days means "keep them": the setting turns the purge off rather than deleting everything.
    """
    if (settings.GUEST_RETENTION_DAYS if days is None else days) <= 0:
        return 0
    purged = 0
    for design in guest_designs_expired(days=days).prefetch_related("results")[:limit]:
        try:
            design_delete(design=design)
        except Exception:  # a storage error on one design must not keep the others forever
            log.exception("retention: could not delete guest design %s", design.pk)
            continue
        purged += 1
    return purged
