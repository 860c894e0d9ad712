"""API conventions shared by every app: the error shape, pagination, client IPs, rate limits."""
from __future__ import annotations

import ipaddress
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_ratelimit.core import get_usage
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class ApiError(exceptions.APIException):
    """An error with our own code, status and optional field, raised from services or views."""

    def __init__(self, code: str, message: str, *, status_code: int = 400, field: str | None = None,
                 headers: dict[str, str] | None = None, extra: dict | None = None) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.field = field
        self.headers = headers or {}
        self.extra = extra or {}


def error_body(code: str, message: str, field: str | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": message, "field": field, **extra}}


def exception_handler(exc, context):
    """Every /api/ error in one shape: {"error": {"code", "message", "field"}}."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django logs it and answers 500 without internals
    if isinstance(exc, ApiError):
        response.data = error_body(exc.error_code, str(exc.detail), exc.field, **exc.extra)
        for name, value in exc.headers.items():
            response[name] = value
    elif isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc.detail)
    else:
        code = exc.get_codes()  # DRF's own: "parse_error", "not_authenticated", "throttled"...
        response.data = error_body(code if isinstance(code, str) else "error", _first_message(exc.detail))
    return response


def _validation_body(detail) -> dict:
    field, messages = None, detail
    if isinstance(detail, dict) and detail:
        field, messages = next(iter(detail.items()))
        if field == "non_field_errors":
            field = None
    message = _first_message(messages)
    code = getattr(_first_item(messages), "code", None) or "invalid"
    return error_body(code, message, field)


def _first_item(value):
    while isinstance(value, (list, dict)) and value:
        value = value[0] if isinstance(value, list) else next(iter(value.values()))
    return value


def _first_message(value) -> str:
    return str(_first_item(value)) or "Invalid request."


def client_ip(request) -> str:
    """The client's IP: REMOTE_ADDR, or the address our NUM_PROXIES trusted proxies saw."""
    return client_ip_from(request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""))


def client_ip_from_scope(scope) -> str:
    """The same for an ASGI scope (WebSocket handshakes): uvicorn runs with --no-proxy-headers (config/serve.py),
    so scope["client"] is the peer and X-Forwarded-For is read here only."""
    peer = (scope.get("client") or ("",))[0] or ""
    forwarded = b",".join(value for name, value in scope.get("headers", []) if name == b"x-forwarded-for")
    return client_ip_from(peer, forwarded.decode("latin-1"))


def client_ip_from(peer: str, forwarded_for: str) -> str:
    """The one place X-Forwarded-For is trusted: only with NUM_PROXIES set, and only from a peer in
    FORWARDED_ALLOW_IPS when that is set. Each proxy appends the address it saw, so the client is the
    NUM_PROXIES-th from the right; anything further left was written by the client and is ignored."""
    if not settings.NUM_PROXIES or not _trusted_proxy(peer):
        return peer
    forwarded = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    if len(forwarded) >= settings.NUM_PROXIES:
        return forwarded[-settings.NUM_PROXIES]
    return peer


def _trusted_proxy(peer: str) -> bool:
    if not settings.FORWARDED_ALLOW_IPS:
        return True
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in settings.FORWARDED_ALLOW_IPS)


def network_key(ip: str | None) -> str:
    """The unit a client is counted in: the IPv4 address, or the /64 an IPv6 address belongs to.

    An IPv6 customer is handed a whole /64 (2^64 addresses), so counting single addresses would let one person
    rotate through endless identities. IPv4-mapped IPv6 addresses count as the IPv4 address they carry; what
    cannot be parsed shares one "unknown" bucket rather than getting a free one each.
    """
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return "unknown"
    if address.version == 6 and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    if address.version == 6:
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


def client_network(request) -> str:
    """The client's network key (see network_key): what per-client limits should count, not the bare IP."""
    return network_key(client_ip(request))


def enforce_rate_limit(request, *, group: str, key: str, rate: str) -> None:
    """Count one hit for `key` in `group`; over `rate` → 429 with Retry-After."""
    if not settings.RATELIMIT_ENABLE or not key:
        return
    usage = get_usage(request, group=group, key=lambda _group, _request: key, rate=rate, increment=True)
    if usage and usage["should_limit"]:
        retry_after = max(1, math.ceil(usage["time_left"]))
        raise ApiError(
            "rate_limited",
            f"Too many attempts. Try again in {retry_after} seconds.",
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(retry_after)},
        )
