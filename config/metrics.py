"""Prometheus metrics of the web at /metrics (the worker serves its own: config/worker_metrics.py).

Two kinds, chosen so that every number is right however many processes serve the web:

- Observed in the web process: request latency and API errors (MetricsMiddleware), and what designs/metrics.py
  counts where it happens in the web (refused submits, cancels). The image runs several uvicorn workers, so it
  sets PROMETHEUS_MULTIPROC_DIR and each process writes its samples to files there that a scrape of any one
  process adds up. Without it (development, one process) they live in memory.
- State read at scrape time from where the truth is kept: designs not yet finished and the oldest wait, and
  today's GPU spend against the budget from Postgres; the Dramatiq queues' depth and dead letters from the
  Redis broker. A source that is down reads 0 in restyle_metrics_source_up rather than failing the scrape.
  Everything that happens (designs finished, their durations, GPU dollars) is a counter or histogram of the
  process where it happens instead: gauges of rows cannot be rate()d and forget nothing.
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import GaugeMetricFamily, Metric

from core.broker import queue_depths
from core.middleware import AroundMiddleware

log = logging.getLogger(__name__)

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUEST_LATENCY = Histogram(
    "restyle_http_request_duration_seconds", "Time to answer an HTTP request, by route name (never raw paths).",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
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


def _designs_unfinished() -> Iterator[Metric]:
    """Designs queued or running now (finished ones are counted by restyle_designs_finished_total as they end)."""
    from django.db.models import Count

    from designs.models import RUNNING, Design, Status

    unfinished = (Status.QUEUED, *RUNNING)
    gauge = GaugeMetricFamily("restyle_designs_unfinished", "Designs queued or running now, by status.",
                              labels=["status"])
    counts = dict(Design.objects.filter(status__in=unfinished).order_by().values_list("status").annotate(n=Count("pk")))
    for status in unfinished:
        gauge.add_metric([status], counts.get(status, 0))
    yield gauge
    oldest = Design.objects.filter(status=Status.QUEUED).order_by("queued_at").values_list("queued_at", flat=True)
    queued_at = oldest.first()
    yield GaugeMetricFamily("restyle_oldest_queued_design_seconds", "How long the oldest queued design has waited.",
                            value=_age(queued_at))


def _age(moment) -> float:
    from django.utils import timezone

    return max(0.0, (timezone.now() - moment).total_seconds()) if moment else 0.0


def _gpu_spend() -> Iterator[Metric]:
    """Today's spend against the budget, as the submit's guard reads it (billing.selectors.gpu_spend)."""
    from billing import conf
    from billing.selectors import gpu_spend
    from billing.subjects import utc_today

    yield GaugeMetricFamily("restyle_gpu_cost_usd_today", "GPU dollars charged today (UTC), every engine.",
                            value=float(gpu_spend(day=utc_today())))
    yield GaugeMetricFamily("restyle_gpu_budget_usd", "The daily GPU budget; 0 means none.",
                            value=float(conf.daily_budget_usd()))


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


def _engine_breakers() -> Iterator[Metric]:
    from designs.engines import breaker_metrics

    yield from breaker_metrics()


SOURCES: dict[str, Callable[[], Iterable[Metric]]] = {
    "designs": _designs_unfinished, "gpu_spend": _gpu_spend, "queues": _queues, "engine_breakers": _engine_breakers,
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
    from core.clients import client_ip

    return scrape_allowed(authorization=request.headers.get("Authorization", ""), ip=client_ip(request))


def scrape_allowed(*, authorization: str, ip: str) -> bool:
    """Open in development; in production only with METRICS_TOKEN as a bearer token or from METRICS_ALLOWED_IPS.
    The web's /metrics and the worker's exporter both ask this."""
    if settings.METRICS_OPEN:
        return True
    token = settings.METRICS_TOKEN
    if token and hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return True
    return _ip_allowed(ip, settings.METRICS_ALLOWED_IPS)


def _ip_allowed(ip: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in network for network in networks)


def metrics_view(request) -> HttpResponse:
    if not metrics_allowed(request):
        raise Http404  # not configured, or not for you: nothing says the endpoint exists
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
