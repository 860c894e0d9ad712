"""Webhooks for API clients: a design's callback is called when it completes, fails or is cancelled.

Exactly once per end: the terminal transition (worker.design_complete/design_fail, services.design_cancel)
creates a WebhookDelivery row, unique per (design, event), in its own transaction, and sends the delivery
id to the worker after commit. The actor sends the call holding the row's lock, records the answer, and
retries with backoff for WEBHOOK_RETRY_FOR_SECONDS; the reaper sends again what Redis lost. A delivered
row is never sent again. Receivers should still drop a repeated `Restyle-Delivery` id: a worker killed
after the receiver answered but before the row was saved sends that delivery once more.

Each call is signed: `Restyle-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with
the secret shown when the design's token was made. Calls never go to private, loopback or link-local
addresses (unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES, never in production): the host is resolved, every
address checked, and the call connects to the checked address itself. Redirects are not followed.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import ApiError
from designs.models import Design, WebhookDelivery

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Restyle-Signature"
REPLAY_WINDOW_SECONDS = 300  # documented for receivers: refuse a signature older than this
MAX_URL_LENGTH = 2000
State = WebhookDelivery.State


class CallbackRefused(Exception):
    """The URL may never be called (its address is private, or it is malformed)."""


# --- Submit: which callback, and is it allowed ----------------------------------------------------------------


def callback_for(*, token, url: str, field: str = "callback_url") -> tuple[str, object | None]:
    """The callback of a new design: the one given, else the token's default. Needs a token (its secret signs)."""
    url = (url or "").strip() or (token.webhook_url if token is not None else "")
    if not url:
        return "", None
    if token is None:
        raise ApiError("webhook_needs_token", "Webhooks are signed with an API token's secret: send one.",
                       field=field)
    callback_url_check(url, field=field)
    return url, token


def callback_url_check(url: str, *, field: str) -> None:
    """400 naming `field` unless the URL is http(s) and its host resolves only to public addresses."""
    try:
        _target(url)
    except CallbackRefused as error:
        raise ApiError("invalid_callback_url", str(error), field=field) from None


def _target(url: str) -> tuple[str, int, str]:
    """(host, port, address to connect to), checked after DNS resolution."""
    parts = urlsplit(url)
    if len(url) > MAX_URL_LENGTH or parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackRefused("Give an http:// or https:// URL with a host name.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (ValueError, OSError):
        raise CallbackRefused(f"{parts.hostname} does not resolve to an address.") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            if not is_public(address):
                raise CallbackRefused(f"{parts.hostname} resolves to {address}, a private, loopback or link-local "
                                      "address; callbacks go to public addresses only.")
    return parts.hostname, port, str(addresses[0])


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


# --- The terminal transition ------------------------------------------------------------------------------------


def delivery_record(design: Design, event: str) -> None:
    """Call inside the transaction that ends the design: the row commits (or not) with the new state."""
    if not design.callback_url:
        return
    delivery, created = WebhookDelivery.objects.get_or_create(
        design=design, event=event,
        defaults={"url": design.callback_url, "token": design.callback_token, "next_try_at": timezone.now()},
    )
    if created:
        transaction.on_commit(lambda: _send(delivery.pk), robust=True)  # Redis down: the reaper sends it later


def _send(delivery_id, delay_ms: int | None = None) -> None:
    from designs.actors import deliver_webhook

    deliver_webhook.send_with_options(args=(str(delivery_id),), delay=delay_ms or None)


def deliveries_resend() -> int:
    """Reaper: send again the deliveries whose message never came (Redis lost it, the sender died)."""
    overdue = timezone.now() - timedelta(seconds=settings.WEBHOOK_RESEND_AFTER_SECONDS)
    ids = list(WebhookDelivery.objects.filter(state=State.PENDING, next_try_at__lte=overdue).values_list("pk",
                                                                                                       flat=True))
    for delivery_id in ids:
        _send(delivery_id)
    return len(ids)


# --- The worker: one attempt ------------------------------------------------------------------------------------


def delivery_attempt(delivery_id: str) -> None:
    """Send the call once, holding the row's lock (a second message for it waits or finds it done)."""
    retry_in = None
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("design", "token")
                    .filter(pk=delivery_id, state=State.PENDING, next_try_at__lte=timezone.now()).first())
        if delivery is None:
            return  # delivered, given up, deleted with its design, not due yet, or being sent right now
        retry_in = _attempt(delivery)
    if retry_in is not None:
        _send(delivery_id, delay_ms=int(retry_in * 1000))


def _attempt(delivery: WebhookDelivery) -> float | None:
    """Returns the seconds until the next try, or None when there is none."""
    delivery.attempts += 1
    delivery.last_status, delivery.last_error = None, ""
    if delivery.token is None:
        return _finish(delivery, State.FAILED, error="The token was revoked: nothing signs the call.")
    body = delivery_body(delivery)
    try:
        delivery.last_status = post(delivery.url, body, headers=delivery_headers(delivery, body))
    except CallbackRefused as error:
        return _finish(delivery, State.FAILED, error=str(error))
    except (OSError, http.client.HTTPException) as error:
        delivery.last_error = (_describe(error))[:300]
    if delivery.last_status is not None and 200 <= delivery.last_status < 300:
        return _finish(delivery, State.DELIVERED)
    delivery.last_error = delivery.last_error or f"answered {delivery.last_status}"
    return _schedule_retry(delivery)


def _describe(error: Exception) -> str:
    if isinstance(error, TimeoutError | socket.timeout):
        return f"timed out after {settings.WEBHOOK_TIMEOUT_SECONDS:g} s"
    return f"{type(error).__name__}: {error}"


def _finish(delivery: WebhookDelivery, state: str, *, error: str = "") -> None:
    delivery.state, delivery.next_try_at = state, None
    delivery.last_error = error or delivery.last_error
    if state == State.DELIVERED:
        delivery.delivered_at = timezone.now()
    else:
        log.warning("webhook %s for design %s given up: %s", delivery.pk, delivery.design_id, delivery.last_error)
    delivery.save()
    return None


def _schedule_retry(delivery: WebhookDelivery) -> float | None:
    wait = min(settings.WEBHOOK_BACKOFF_SECONDS * 2 ** (delivery.attempts - 1), settings.WEBHOOK_BACKOFF_MAX_SECONDS)
    next_try = timezone.now() + timedelta(seconds=wait)
    if next_try > delivery.created_at + timedelta(seconds=settings.WEBHOOK_RETRY_FOR_SECONDS):
        return _finish(delivery, State.FAILED, error=f"{delivery.last_error}; gave up after {delivery.attempts} tries")
    delivery.next_try_at = next_try
    delivery.save()
    return wait


def delivery_body(delivery: WebhookDelivery) -> bytes:
    from designs.state import design_state

    payload = {"id": str(delivery.pk), "event": f"design.{delivery.event}", "design": design_state(delivery.design)}
    return json.dumps(payload, separators=(",", ":")).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def delivery_headers(delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
    now = int(time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": "Restyle-Webhooks/1",
        "Restyle-Event": f"design.{delivery.event}",
        "Restyle-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: f"t={now},v1={sign(delivery.token.webhook_secret, now, body)}",
    }


# --- HTTP to the checked address ---------------------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address we checked, whatever DNS answers a moment later (no rebinding in between)."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # the certificate of the name


def post(url: str, body: bytes, *, headers: dict[str, str]) -> int:
    """POST and return the status. A redirect is an answer like any other: never followed."""
    host, port, address = _target(url)
    parts = urlsplit(url)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    try:
        connection.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), body=body,
                           headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)  # the receiver's answer is not ours to keep
        return response.status
    finally:
        connection.close()
