"""Liveness, readiness and the JSON 404 for API paths."""
from __future__ import annotations

import functools
import logging
import math
import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.signals import setting_changed
from django.db import connection
from django.http import JsonResponse
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error

from core.errors import error_body

log = logging.getLogger(__name__)


def health(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    # Django's connection: from the pool on Postgres (DB_POOL_MAX), so a probe opens no new session.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


@functools.lru_cache(maxsize=4)
def _redis_client(url: str) -> redis.Redis:
    """One client (and so one connection pool) per URL per process: a probe reuses its connection."""
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _check_redis() -> None:
    _redis_client(settings.REDIS_URL).ping()


def _check_storage() -> None:
    default_storage.exists("ready-probe")


CHECKS: dict[str, Callable[..., None]] = {"database": _check_database, "redis": _check_redis,
                                          "storage": _check_storage}
# What /ready/ shows beside the checks, by key: each returns a dict (the GPU engines' breakers). Apps add their
# checks and reports in AppConfig.ready() through register(), so this module imports no app.
REPORTS: dict[str, Callable[[], dict]] = {}
# A check that judges a report (CHECK_READS[check] = report) is handed that report's value instead of reading the
# same state again: one read per answer, and the verdict always matches what the answer shows.
CHECK_READS: dict[str, str] = {}


def register(name: str, *, check: Callable[..., None] | None = None, report: Callable[[], dict] | None = None,
             reads: str | None = None) -> None:
    """A check (raises when not ready), a report shown in /ready/'s body, or both; `reads` names the report a
    check is called with."""
    if check is not None:
        CHECKS[name] = check
        if reads is not None:
            CHECK_READS[name] = reads
    if report is not None:
        REPORTS[name] = report


class _LastAnswer:
    """The last readiness answer of this process, kept READY_CACHE_SECONDS.

    /ready/ is public (the platform probes it without credentials), so a flood of it must not become a flood
    of database, Redis and storage round trips: within the window every hit gets the same answer, and the
    lock lets one request at a time run the checks while the others wait for its answer.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clear()

    def clear(self, **_kwargs) -> None:
        self.failed: list[str] | None = None
        self.reports: dict[str, dict] = {}
        self.at = -math.inf

    def get(self) -> tuple[list[str], dict[str, dict]]:
        with self.lock:
            if time.monotonic() - self.at >= settings.READY_CACHE_SECONDS:
                self.reports = {name: report() for name, report in REPORTS.items()}
                self.failed = _run_checks(self.reports)
                self.at = time.monotonic()
            return list(self.failed), dict(self.reports)


def _run_checks(reports: dict[str, dict]) -> list[str]:
    failed = []
    for name, check in CHECKS.items():
        try:
            check(*([reports[CHECK_READS[name]]] if name in CHECK_READS else []))
        except Exception:
            log.exception("readiness check %s failed", name)
            failed.append(name)
    return failed


_last_answer = _LastAnswer()
setting_changed.connect(_last_answer.clear)  # a test that points a setting elsewhere asks again


def checks_failed() -> list[str]:
    """The readiness checks that failed, as /ready/ last answered (at most READY_CACHE_SECONDS old)."""
    return _last_answer.get()[0]


def ready(request):
    failed, reports = _last_answer.get()
    if failed:
        return JsonResponse({"status": "unavailable", "failed": failed, **reports}, status=503)
    return JsonResponse({"status": "ok", "checks": list(CHECKS), **reports})


def server_error(request):
    """An unexpected error: the documented shape on API paths, nothing internal either way."""
    if request.path.startswith(("/api/", "/transform/")):
        return JsonResponse(error_body("server_error", "Something went wrong on our side."), status=500)
    return django_server_error(request)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return page_not_found(request, exception)
