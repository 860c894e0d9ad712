"""What the operations page and the alerts read: the state of the service right now.

Each reading is a small function; snapshot() gathers them for the page, and a reading whose source is down
(Redis, say) comes back as an error string instead of failing the whole page.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from designs.models import AlertIncident, Design, Status

log = logging.getLogger(__name__)
ENGINE_WINDOW = timedelta(minutes=15)


def designs_by_status() -> dict[str, int]:
    counts = dict(Design.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in Status.values}


def oldest_queued_design_seconds() -> float | None:
    """How long the longest-waiting queued design has waited since it was (last) sent; None when none waits."""
    oldest = (Design.objects.filter(status=Status.QUEUED).order_by("queued_at", "created_at")
              .values_list("queued_at", "created_at").first())
    if oldest is None:
        return None
    return max(0.0, (timezone.now() - (oldest[0] or oldest[1])).total_seconds())


def failure_rate(*, seconds: int | None = None) -> dict:
    """Designs that ended in the last `seconds` (ALERT_FAILURE_WINDOW_SECONDS): completed, failed, the rate."""
    since = timezone.now() - timedelta(seconds=seconds or settings.ALERT_FAILURE_WINDOW_SECONDS)
    counts = Design.objects.filter(finished_at__gte=since).aggregate(
        completed=Count("pk", filter=Q(status=Status.COMPLETED)), failed=Count("pk", filter=Q(status=Status.FAILED)))
    ended = counts["completed"] + counts["failed"]
    return {**counts, "ended": ended, "rate": counts["failed"] / ended if ended else None}


def budget_today() -> dict:
    from billing import conf
    from billing.selectors import gpu_spend
    from billing.subjects import utc_today

    budget, spent = conf.daily_budget_usd(), gpu_spend(day=utc_today())
    return {"budget": budget, "spent": spent, "percent": float(100 * spent / budget) if budget else None}


def engines() -> list[dict]:
    """Each engine in the failover order (designs/engines.py), then any other that ran lately: its breaker, its
    attempts in the last 15 minutes (from the GPU charges) and when it last made a result."""
    from billing.models import GpuCharge
    from designs.engines import breaker_states, engines_configured

    rows = (GpuCharge.objects.filter(created_at__gte=timezone.now() - ENGINE_WINDOW).values("backend")
            .annotate(attempts=Count("pk"), results=Count("pk", filter=Q(completed=True))))
    recent = {row["backend"] or "?": row for row in rows}
    last = dict(GpuCharge.objects.filter(completed=True).values("backend").annotate(at=Max("created_at"))
                .values_list("backend", "at"))
    configured = engines_configured()
    names = configured + sorted(set(recent) - set(configured))
    try:
        breakers = {state.engine: state.state for state in breaker_states(names)}
    except Exception:  # noqa: BLE001  Redis down: the page says so in the breaker column
        log.warning("operations page: breaker states unavailable", exc_info=True)
        breakers = {}
    return [{"engine": name, "configured": name in configured, "breaker": breakers.get(name, "unknown"),
             "attempts": recent.get(name, {}).get("attempts", 0), "results": recent.get(name, {}).get("results", 0),
             "last_result_at": last.get(name)} for name in names]


def readiness() -> dict[str, bool]:
    """What /ready/ answers (database, Redis, storage), from the same cached checks."""
    from core import health

    failed = health.checks_failed()
    return {name: name not in failed for name in health.CHECKS}


def queues() -> dict[str, dict]:
    from core.broker import queue_depths

    return queue_depths()


def workers() -> list[dict]:
    from designs.heartbeat import workers_alive

    now = time.time()
    alive = workers_alive()
    for worker in alive:
        worker["beat_seconds_ago"] = round(max(0.0, now - worker.get("beat_at", now)), 1)
        for job in worker.get("running", []):
            job["seconds"] = round(max(0.0, now - job.get("since", now)), 1)
    return alive


def open_alerts() -> list[AlertIncident]:
    return list(AlertIncident.objects.filter(resolved_at__isnull=True).order_by("opened_at"))


READINGS: dict[str, Callable[[], object]] = {
    "queues": queues, "designs": designs_by_status, "oldest_queued_design_seconds": oldest_queued_design_seconds,
    "workers": workers, "engines": engines, "ready": readiness, "budget": budget_today,
    "failures": failure_rate, "alerts": open_alerts,
}


def snapshot() -> dict:
    """Every reading; one that fails is {"error": ...} and logged, the others still answer."""
    result: dict = {"at": timezone.now()}
    for name, reading in READINGS.items():
        try:
            result[name] = reading()
        except Exception as error:
            log.warning("operations reading %s failed", name, exc_info=True)
            result[name] = {"error": type(error).__name__}
    return result
