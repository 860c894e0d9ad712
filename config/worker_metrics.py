"""The worker's metrics, served by the worker itself on WORKER_METRICS_PORT (9191) at /metrics.

`WorkerMetrics` is a Dramatiq middleware, the equivalent of dramatiq.middleware.Prometheus with the same
metric names (dramatiq_messages_total, dramatiq_message_duration_milliseconds, ...), plus the live worker
threads. We do not use Dramatiq's own: it points PROMETHEUS_MULTIPROC_DIR at its own folder (dramatiq_prom_db,
/tmp/dramatiq-prometheus) that nothing empties between runs, serves anyone who asks, and its hooks fail on a worker
started without its process-boot event (the tests' in-process worker).
The designs' own counters (designs/metrics.py) are recorded by the same processes.

`rundramatiq` forks several worker processes, each with several threads. prometheus_client's multiprocess
mode adds them up: every process writes its samples to files under PROMETHEUS_MULTIPROC_DIR, and an extra
process that Dramatiq forks for us (`forks`) serves the sum. The folder must be set before the worker starts
(prometheus_client reads it when it is first imported, during Django's set-up) and empty at each start, or a
counter would carry a dead run's counts: docker-entrypoint.sh and `make run` do both. Without the folder the
exporter stays off (the test suite's workers, the drills). Access: as the web's /metrics (config.metrics).
"""
from __future__ import annotations

import logging
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dramatiq
from prometheus_client import Counter, Gauge, Histogram

log = logging.getLogger(__name__)

_LABELS = ["queue_name", "actor_name"]  # as dramatiq.middleware.Prometheus, so its dashboards work unchanged
MESSAGES = Counter("dramatiq_messages", "Messages processed (errors and skips included).", _LABELS)
ERRORS = Counter("dramatiq_message_errors", "Messages whose actor raised.", _LABELS)
RETRIES = Counter("dramatiq_message_retries", "Messages sent again by the Retries middleware.", _LABELS)
REJECTS = Counter("dramatiq_message_rejects", "Messages dead-lettered.", _LABELS)
IN_PROGRESS = Gauge("dramatiq_messages_inprogress", "Messages being processed now.", _LABELS,
                    multiprocess_mode="livesum")
DURATION = Histogram(
    "dramatiq_message_duration_milliseconds", "Time spent processing a message.", _LABELS,
    buckets=(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000, 300_000, 900_000),
)
THREADS = Gauge("restyle_worker_threads", "Worker threads of the worker processes alive now (0 or absent: none).",
                multiprocess_mode="livesum")


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exporter_enabled() -> bool:
    from django.conf import settings

    return bool(settings.WORKER_METRICS_PORT and multiprocess_dir())


class WorkerMetrics(dramatiq.Middleware):
    def __init__(self) -> None:
        self._started: dict[str, float] = {}  # message id → monotonic start, across this process's threads
        self._lock = threading.Lock()
        self._threads = 0

    @property
    def forks(self):
        # Asked once per `rundramatiq`, in a worker process; the main process then forks the exposition server.
        return [serve] if exporter_enabled() else []

    def after_process_boot(self, broker) -> None:
        from django.conf import settings

        if settings.WORKER_METRICS_PORT and not multiprocess_dir():
            log.warning("worker metrics are off: set PROMETHEUS_MULTIPROC_DIR (an empty folder) for the worker")

    def after_worker_boot(self, broker, worker) -> None:

        from designs import metrics
        from designs.engines import engines_configured

        self._threads = worker.worker_threads
        THREADS.inc(self._threads)
        for name in broker.get_declared_actors():  # zero samples: rate() and increase() work from the start
            labels = (broker.get_actor(name).queue_name, name)
            for counter in (MESSAGES, ERRORS, RETRIES, REJECTS):
                counter.labels(*labels)
        metrics.labels_initialize(engines=engines_configured())

    def after_worker_shutdown(self, broker, worker) -> None:
        THREADS.dec(self._threads)
        if multiprocess_dir():
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(os.getpid())  # its live gauges leave the sum

    def before_process_message(self, broker, message) -> None:
        IN_PROGRESS.labels(message.queue_name, message.actor_name).inc()
        with self._lock:
            self._started[message.message_id] = time.monotonic()

    def after_process_message(self, broker, message, *, result=None, exception=None) -> None:
        labels = (message.queue_name, message.actor_name)
        with self._lock:
            started = self._started.pop(message.message_id, None)
        if started is not None:
            IN_PROGRESS.labels(*labels).dec()
            DURATION.labels(*labels).observe((time.monotonic() - started) * 1000)
        MESSAGES.labels(*labels).inc()
        if exception is not None:
            ERRORS.labels(*labels).inc()

    after_skip_message = after_process_message

    def after_nack(self, broker, message) -> None:
        REJECTS.labels(message.queue_name, message.actor_name).inc()

    def after_enqueue(self, broker, message, delay) -> None:
        if "retries" in message.options:
            RETRIES.labels(message.queue_name, message.actor_name).inc()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

        from config.metrics import scrape_allowed

        allowed = scrape_allowed(authorization=self.headers.get("Authorization", ""), ip=self.client_address[0])
        if self.path.split("?", 1)[0] != "/metrics" or not allowed:
            self.send_error(404)
            return
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE_LATEST)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:  # noqa: A002  (the base class's name)
        log.debug("worker metrics: " + format, *args)


def serve() -> int:
    """The exposition server: a process of its own, forked by Dramatiq's main process, which never set Django up."""
    import django
    from prometheus_client import multiprocess

    django.setup()
    from django.conf import settings

    # `manage.py rundramatiq` set Django up, which made this module's live gauge in its files, then exec'd into
    # Dramatiq's main process (our parent, same pid), which never writes them: they must not count as alive.
    multiprocess.mark_process_dead(os.getppid())

    server = ThreadingHTTPServer((settings.WORKER_METRICS_HOST, settings.WORKER_METRICS_PORT), _Handler)
    log.info("worker metrics at http://%s:%s/metrics", settings.WORKER_METRICS_HOST, settings.WORKER_METRICS_PORT)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        multiprocess.mark_process_dead(os.getpid())  # this process's (zero) live gauges leave the folder too
    return 0
