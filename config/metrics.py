"""Prometheus metrics at /metrics.

Two kinds, chosen so that every number is right however many processes serve the web:

- Observed in the web process: request latency and quota denials (MetricsMiddleware). The image runs several
  uvicorn workers, so it sets PROMETHEUS_MULTIPROC_DIR and each process writes its samples to files there that
  a scrape of any one process adds up. Without it (development, one process) they live in memory.
- Read at scrape time from where the truth is kept, so the worker needs no exporter of its own: designs by
  status, recent stage durations and GPU spend from Postgres; the Dramatiq queues' depth and dead letters
  from the Redis broker. A source that is down reads 0 in restyle_metrics_source_up rather than failing the scrape.

Stage durations are a sliding window (designs completed in the last STAGE_WINDOW), exposed as gauges of the
sum and count per stage: divide them for the mean. They are not counters, so use them as they are, not rate().
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric

from config.middleware import AroundMiddleware

log = logging.getLogger(__name__)

STAGE_WINDOW = timedelta(hours=1)
STAGE_WINDOW_MAX_DESIGNS = 5000  # bounds a scrape's cost on a busy hour; the mean stays honest
QUEUES = ("gpu-priority", "gpu", "default")  # designs.queues.GPU_QUEUES, then the reaper's
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUEST_LATENCY = Histogram(
    "restyle_http_request_duration_seconds", "Time to answer an HTTP request, by route name (never raw paths).",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
QUOTA_DENIALS = Counter("restyle_quota_denials", "Designs refused with 429 quota_exceeded.")
API_ERRORS = Counter("restyle_api_errors", "API answers in the error shape, by error code.", ["status", "code"])


# --- Observed per request --------------------------------------------------------------------------------------


class MetricsMiddleware(AroundMiddleware):
    """Outermost middleware: times every request and counts API errors by their documented code."""

    def before(self, request) -> float:
        return time.perf_counter()

    def after(self, request, response, started: float):
        observe(request, response, time.perf_counter() - started)
        return response


def observe(request, response, seconds: float) -> None:
    # The app's own time, for clients and load benchmarks to tell server time from queueing and network.
    response["Server-Timing"] = f"app;dur={seconds * 1000:.1f}"
    method = request.method if request.method in _METHODS else "other"
    REQUEST_LATENCY.labels(method, route_name(request), str(response.status_code)).observe(seconds)
    code = error_code(response)
    if code:
        API_ERRORS.labels(str(response.status_code), code).inc()
        if code == "quota_exceeded":
            QUOTA_DENIALS.inc()


def route_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"  # a 404 for a path no route knows: one label, whatever was asked for
    return match.view_name or match.route


def error_code(response) -> str | None:
    """The code of an error in our documented shape (DRF responses keep their data before rendering)."""
    data = getattr(response, "data", None)
    if response.status_code < 400 or not isinstance(data, dict) or not isinstance(data.get("error"), dict):
        return None
    code = data["error"].get("code")
    return code if isinstance(code, str) and len(code) <= 40 else "other"


# --- Read at scrape time ---------------------------------------------------------------------------------------


def _designs_by_status() -> Iterator[Metric]:
    from django.db.models import Count

    from designs.models import Design, Status

    gauge = GaugeMetricFamily("restyle_designs", "Designs in the database, by status.", labels=["status"])
    counts = dict(Design.objects.order_by().values_list("status").annotate(n=Count("pk")))
    for status in Status.values:
        gauge.add_metric([status], counts.get(status, 0))
    yield gauge
    oldest = Design.objects.filter(status=Status.QUEUED).order_by("queued_at").values_list("queued_at", flat=True)
    queued_at = oldest.first()
    yield GaugeMetricFamily("restyle_oldest_queued_design_seconds", "How long the oldest queued design has waited.",
                            value=_age(queued_at))


def _age(moment) -> float:
    from django.utils import timezone

    return max(0.0, (timezone.now() - moment).total_seconds()) if moment else 0.0


def _stage_durations() -> Iterator[Metric]:
    from django.utils import timezone

    from designs.models import Design, Status

    since = timezone.now() - STAGE_WINDOW
    # created_at is indexed; a design that finished in the window was created at most its deadline earlier.
    created_after = since - timedelta(seconds=settings.DESIGN_DEADLINE_SECONDS)
    rows = (Design.objects.filter(status=Status.COMPLETED, created_at__gte=created_after, finished_at__gte=since)
            .order_by("-finished_at").values_list("metadata__timings", flat=True)[:STAGE_WINDOW_MAX_DESIGNS])
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for timings in rows:
        for stage, seconds in (timings or {}).items():
            if isinstance(seconds, (int, float)):
                sums[stage] = sums.get(stage, 0.0) + seconds
                counts[stage] = counts.get(stage, 0) + 1
    total = GaugeMetricFamily("restyle_stage_seconds_recent_sum",
                              "Seconds spent per pipeline stage by designs completed in the last hour.",
                              labels=["stage"])
    count = GaugeMetricFamily("restyle_stage_seconds_recent_count",
                              "Designs completed in the last hour that report the stage.", labels=["stage"])
    for stage in sorted(sums):
        total.add_metric([stage], sums[stage])
        count.add_metric([stage], counts[stage])
    yield from (total, count)


def _gpu_spend() -> Iterator[Metric]:
    from django.db.models import Sum

    from billing import conf
    from billing.models import GpuCharge
    from billing.subjects import utc_today

    def sums(charges) -> dict:
        return charges.aggregate(seconds=Sum("gpu_seconds"), cost=Sum("cost_usd"))

    total, today = sums(GpuCharge.objects.all()), sums(GpuCharge.objects.filter(day=utc_today()))
    yield CounterMetricFamily("restyle_gpu_seconds", "GPU seconds charged, all time.",
                              value=float(total["seconds"] or 0))
    yield CounterMetricFamily("restyle_gpu_cost_usd", "GPU dollars charged, all time.", value=float(total["cost"] or 0))
    yield GaugeMetricFamily("restyle_gpu_seconds_today", "GPU seconds charged today (UTC).",
                            value=float(today["seconds"] or 0))
    yield GaugeMetricFamily("restyle_gpu_cost_usd_today", "GPU dollars charged today (UTC).",
                            value=float(today["cost"] or 0))
    yield GaugeMetricFamily("restyle_gpu_budget_usd", "The daily GPU budget; 0 means none.",
                            value=float(conf.daily_budget_usd()))


def queue_depths() -> dict[str, dict]:
    """Per queue: messages ready, delayed, dead-lettered, and the age in seconds of the oldest ready one (None when
    empty), straight from the Redis broker's keys (see dramatiq/brokers/redis/dispatch.lua for their layout).
    The operations page reads this too."""
    import dramatiq
    from dramatiq.message import Message

    broker = dramatiq.get_broker()
    with broker.client.pipeline(transaction=False) as pipe:
        for queue in QUEUES:
            pipe.llen(f"{broker.namespace}:{queue}")
            pipe.llen(f"{broker.namespace}:{queue}.DQ")
            pipe.zcard(f"{broker.namespace}:{queue}.XQ")
            pipe.lindex(f"{broker.namespace}:{queue}", 0)  # the queue pops from the left: the oldest
        replies = pipe.execute()
    depths = {}
    for index, queue in enumerate(QUEUES):
        ready, delayed, dead, head = replies[index * 4:index * 4 + 4]
        data = broker.client.hget(f"{broker.namespace}:{queue}.msgs", head) if head else None
        age = max(0.0, time.time() - Message.decode(data).message_timestamp / 1000) if data else None
        depths[queue] = {"ready": ready, "delayed": delayed, "dead": dead, "oldest_seconds": age}
    return depths


def _queues() -> Iterator[Metric]:
    ready = GaugeMetricFamily("restyle_queue_messages", "Messages waiting in a Dramatiq queue.", labels=["queue"])
    delayed = GaugeMetricFamily("restyle_queue_delayed_messages", "Messages waiting for their retry or delay.",
                                labels=["queue"])
    dead = GaugeMetricFamily("restyle_queue_dead_messages", "Dead-lettered messages (kept a week by Dramatiq).",
                             labels=["queue"])
    for queue, depth in queue_depths().items():
        for family, key in ((ready, "ready"), (delayed, "delayed"), (dead, "dead")):
            family.add_metric([queue], depth[key])
    yield from (ready, delayed, dead)


SOURCES: dict[str, Callable[[], Iterable[Metric]]] = {
    "designs": _designs_by_status, "stages": _stage_durations, "gpu_spend": _gpu_spend, "queues": _queues,
}


class ScrapeCollector:
    """Runs each source; one that fails is logged and reported down, and the others still answer."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("restyle_metrics_source_up", "1 when the source answered this scrape.",
                               labels=["source"])
        for name, source in SOURCES.items():
            try:
                metrics = list(source())
            except Exception:
                log.warning("metrics source %s failed", name, exc_info=True)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from metrics
        yield up


def scrape_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # every web process's samples, added up
    else:
        registry.register(REGISTRY)  # this process only: the in-memory metrics
    registry.register(ScrapeCollector())
    return registry


# --- The endpoint ----------------------------------------------------------------------------------------------


def metrics_allowed(request) -> bool:
    """Open in development; in production only with METRICS_TOKEN as a bearer token or from METRICS_ALLOWED_IPS."""
    if settings.METRICS_OPEN:
        return True
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    return _ip_allowed(request, settings.METRICS_ALLOWED_IPS)


def _ip_allowed(request, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    from config.api import client_ip

    if not networks:
        return False
    try:
        ip = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(ip in network for network in networks)


def metrics_view(request) -> HttpResponse:
    if not metrics_allowed(request):
        raise Http404  # not configured, or not for you: nothing says the endpoint exists
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
