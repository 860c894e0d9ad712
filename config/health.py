"""Liveness, readiness and the JSON 404 for API paths."""
from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error

from config.api import error_body

log = logging.getLogger(__name__)


def health(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_redis() -> None:
    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()


def _check_storage() -> None:
    default_storage.exists("ready-probe")


CHECKS = {"database": _check_database, "redis": _check_redis, "storage": _check_storage}


def ready(request):
    failed = []
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            log.exception("readiness check %s failed", name)
            failed.append(name)
    if failed:
        return JsonResponse({"status": "unavailable", "failed": failed}, status=503)
    return JsonResponse({"status": "ok", "checks": list(CHECKS)})


def server_error(request):
    """An unexpected error: the documented shape on API paths, nothing internal either way."""
    if request.path.startswith(("/api/", "/transform/")):
        return JsonResponse(error_body("server_error", "Something went wrong on our side."), status=500)
    return django_server_error(request)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return page_not_found(request, exception)
