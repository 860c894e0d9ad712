"""Logs that say which request, user and design they belong to: JSON lines in production, text in development.

`log_context(design_id=...)` adds fields to every record logged inside it (a contextvar, so each request,
task and thread has its own). RequestContextMiddleware opens one per request: the request id comes from
X-Request-ID (or is made here) and goes back in the response header, so a client's report, the proxy's log,
our log lines and the Sentry event can be matched up.
"""
from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType

from django.core.exceptions import ImproperlyConfigured

from core.middleware import AroundMiddleware

CONTEXT_FIELDS = ("request_id", "user_id", "design_id")
FORMATS = ("json", "plain")
_context: ContextVar[Mapping] = ContextVar("log_context", default=MappingProxyType({}))  # replaced, never mutated
# A client-chosen id is echoed into our logs and headers: only short, plain tokens are taken as they are.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# What every LogRecord carries anyway; anything else on a record was passed as `extra=` and is logged too.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName", "color_message", "request",
                                                   *CONTEXT_FIELDS}

access_log = logging.getLogger("restyle.access")


@contextmanager
def log_context(**fields) -> Iterator[None]:
    """Add fields (design_id=..., user_id=...) to every log record written inside the block."""
    previous = _context.get()
    _context.set({**previous, **fields})
    try:
        yield
    finally:
        _context.set(previous)


class ContextFilter(logging.Filter):
    """Copies the current context onto each record, so any formatter (and Sentry's breadcrumbs) can use it."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        for name in CONTEXT_FIELDS:
            if getattr(record, name, None) is None:
                setattr(record, name, context.get(name))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: what log shippers (Loki, CloudWatch, Datadog...) parse without rules."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **{name: _plain(getattr(record, name, None)) for name in CONTEXT_FIELDS},
            **{key: value for key, value in vars(record).items() if key not in _STANDARD},
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """The development format, with whichever context fields are set at the end of the line."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = " ".join(f"{name}={getattr(record, name)}" for name in CONTEXT_FIELDS
                           if getattr(record, name, None) is not None)
        return f"{line} [{context}]" if context else line


def _plain(value):
    return value if value is None or isinstance(value, (int, float, str, bool)) else str(value)


def logging_config(*, fmt: str, level: str, access_log: bool) -> dict:
    """The LOGGING setting. Uvicorn's loggers get our handler too, so its lines are JSON as well.

    Uvicorn has set their levels (--log-level) before Django loads, so no level is given here, and each is named:
    dictConfig would otherwise reset a child of a configured logger to propagate at any level. With our access
    line on, uvicorn's own (the same request, without the request id) has nowhere to go.
    """
    if fmt not in FORMATS:
        raise ImproperlyConfigured(f"LOG_FORMAT={fmt!r} is not one of {', '.join(FORMATS)}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "core.logs.ContextFilter"}},
        "formatters": {"json": {"()": "core.logs.JsonFormatter"}, "plain": {"()": "core.logs.PlainFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": fmt, "filters": ["context"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "uvicorn": {"handlers": ["console"], "propagate": False},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [] if access_log else ["console"], "propagate": False},
        },
    }


def sentry_init(*, dsn: str | None, environment: str, release: str | None, traces_sample_rate: float) -> bool:
    """Errors to Sentry when a DSN is set. No personal data (IPs, cookies, user emails) unless asked for."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.dramatiq import DramatiqIntegration

    sentry_sdk.init(
        dsn=dsn, environment=environment, release=release, send_default_pii=False,
        traces_sample_rate=traces_sample_rate, integrations=[DjangoIntegration(), DramatiqIntegration()],
    )
    return True


# --- Per request -----------------------------------------------------------------------------------------------


def request_id_for(request) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


class RequestContextMiddleware(AroundMiddleware):
    """Request id in, request id out, one access line per request; works under ASGI and WSGI alike."""

    def process_view(self, request, view_func, view_args, view_kwargs) -> None:
        # Session users are known by now; API token users only once DRF has authenticated (see after).
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            _context.set({**_context.get(), "user_id": user.pk})

    def before(self, request) -> tuple[Mapping, float]:
        previous = _context.get()
        request.request_id = request_id_for(request)
        _context.set({"request_id": request.request_id})
        _sentry_tag("request_id", request.request_id)
        return previous, time.perf_counter()

    def after(self, request, response, state: tuple[Mapping, float]):
        _previous, started = state
        response["X-Request-ID"] = request.request_id
        user_id = _user_id(request)
        if user_id is not None:
            _context.set({**_context.get(), "user_id": user_id})
        _access_line(request, response, time.perf_counter() - started)
        return response

    def end(self, state: tuple[Mapping, float]) -> None:
        previous, _started = state
        _context.set(previous)  # a WSGI thread keeps its context: the next request must not inherit these ids


def _user_id(request) -> int | None:
    # DRF sets the authenticated user on the Django request; a session user never looked at stays unloaded.
    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", user)
    return getattr(wrapped, "pk", None) if getattr(wrapped, "is_authenticated", False) else None


def _access_line(request, response, seconds: float) -> None:
    from django.conf import settings

    if not settings.ACCESS_LOG:
        return
    match = getattr(request, "resolver_match", None)
    route = (match.view_name or match.route) if match else "unmatched"
    # Probes and scrapes every few seconds would drown the real traffic.
    level = logging.DEBUG if route in ("health", "ready", "metrics") else logging.INFO
    access_log.log(level, "%s %s %s", request.method, _path(request, match), response.status_code, extra={
        "method": request.method, "path": _path(request, match), "route": route,
        "status": response.status_code, "duration_ms": round(seconds * 1000, 1),
    })


def _path(request, match) -> str:
    # A signed file URL is a short-lived key to someone's photo: it does not belong in the logs.
    if match and "token" in match.kwargs:
        return request.path.replace(match.kwargs["token"], "<token>")
    return request.path


def _sentry_tag(name: str, value: str) -> None:
    import sentry_sdk

    sentry_sdk.set_tag(name, value)  # a no-op unless SENTRY_DSN set up a client
