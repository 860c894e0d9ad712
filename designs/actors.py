"""Dramatiq actors: thin wrappers that take ids and call designs.worker."""
from __future__ import annotations

import logging

import dramatiq
from django.conf import settings
from django.core.cache import cache

from core.logs import log_context
from designs import alerts, queues, retention, upscale_worker, webhooks, worker

log = logging.getLogger(__name__)


# Retries here cover errors that escape design_run (the database down at claim time); the design's own
# retries for GPU errors are design_requeue's, so a redelivery never runs a design twice.
GPU_ACTOR_OPTIONS = {"max_retries": 5, "min_backoff": 1000, "max_backoff": 30_000,
                     "time_limit": (settings.DESIGN_DEADLINE_SECONDS + 60) * 1000,
                     # a stopping worker interrupts the design and hands it back (worker.design_hand_back)
                     "notify_shutdown": True}


# One actor per plan class, each on its own queue (designs/queues.py decides which, and orders them); send
# through designs.queues.design_send. The actor priorities order what a process has fetched, lower first.
@dramatiq.actor(queue_name=queues.PRIORITY_QUEUE, priority=0, **GPU_ACTOR_OPTIONS)
def process_design_priority(design_id: str) -> None:
    _run(design_id)


@dramatiq.actor(queue_name=queues.QUEUE, priority=10, **GPU_ACTOR_OPTIONS)
def process_design(design_id: str) -> None:
    _run(design_id)


def _run(design_id: str) -> None:
    with log_context(design_id=design_id):  # every line the run logs says which design it was about
        worker.design_run(design_id)


# Upscales (designs/upscales.py) share the design queues, so they take the same GPU slots in the same order.
@dramatiq.actor(queue_name=queues.PRIORITY_QUEUE, priority=0, **GPU_ACTOR_OPTIONS)
def process_upscale_priority(upscale_id: str) -> None:
    _run_upscale(upscale_id)


@dramatiq.actor(queue_name=queues.QUEUE, priority=10, **GPU_ACTOR_OPTIONS)
def process_upscale(upscale_id: str) -> None:
    _run_upscale(upscale_id)


def _run_upscale(upscale_id: str) -> None:
    with log_context(upscale_id=upscale_id):
        upscale_worker.upscale_run(upscale_id)


@dramatiq.actor(queue_name="default", max_retries=0, time_limit=60_000)
def reap_designs() -> None:
    # Every worker asks for a reap each interval; the lock lets one of them through.
    if not cache.add("designs:reaper", 1, timeout=max(1, int(settings.REAPER_INTERVAL_SECONDS * 0.8))):
        return
    purge_guest_designs.send()  # retention rides on the reaper's timer; it limits itself to once an hour
    counts = worker.designs_reap()
    counts.update(upscale_worker.upscales_reap())
    counts["webhooks_resent"] = webhooks.deliveries_resend()
    if any(counts.values()):
        log.warning("reaper: %s", counts)
    try:  # the operations alerts ride on the reaper's timer too (and on the web's: designs/alerts.py)
        alerts.alerts_evaluate_due()
    except Exception:
        log.warning("could not evaluate alerts", exc_info=True)


# One attempt per message; webhooks.delivery_attempt schedules the next one itself (its row shows it to staff).
@dramatiq.actor(queue_name="default", max_retries=0,
                time_limit=int((settings.WEBHOOK_TIMEOUT_SECONDS * 3 + 30) * 1000))
def deliver_webhook(delivery_id: str) -> None:
    webhooks.delivery_attempt(delivery_id)


@dramatiq.actor(queue_name="default", max_retries=0, time_limit=15 * 60_000)
def purge_guest_designs() -> None:
    # Sent every reaper interval; the lock lets one run through per RETENTION_INTERVAL_SECONDS.
    if not cache.add("designs:retention", 1, timeout=max(1, settings.RETENTION_INTERVAL_SECONDS)):
        return
    purged = retention.guest_designs_purge()
    if purged:
        log.info("retention: deleted %s guest designs older than %s days", purged, settings.GUEST_RETENTION_DAYS)
    from accounts.export import exports_purge  # accounts' "download my data" ZIPs ride on the same sweep

    if exports := exports_purge():
        log.info("retention: deleted %s expired data exports", exports)
