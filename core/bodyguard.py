"""Request bodies, bounded before Django reads them: size by route, and a deadline for the whole body.

Django's ASGI handler reads the whole body (spooling to disk past FILE_UPLOAD_MAX_MEMORY_SIZE) before any view
or upload check runs, and uvicorn has no body timeout. So this sits between uvicorn and Django, for HTTP only:

- a declared Content-Length over the route's limit is answered 413 before a byte of the body is read;
- a body without one (chunked) is counted as it streams and cut with 413 at the limit;
- a body not complete within the route's deadline (slowloris) is answered 408.

The refusal closes the connection (the rest of the body is never read) and tells Django the client went away,
so Django drops the request without answering. The photo routes allow MAX_UPLOAD_BYTES plus the form's other
fields; everything else MAX_REQUEST_BODY_BYTES.
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.urls import Resolver404, resolve

logger = logging.getLogger("restyle.security")

# URL names of the routes that take a photo: the v1 submit (also the dashboard's upload form) and the first
# mobile client's submit.
UPLOAD_ROUTES = frozenset({"api-designs", "transform-submit"})
# Routes that take several photos at once (projects): PROJECT_UPLOAD_MAX_PHOTOS of them.
MULTI_UPLOAD_ROUTES = frozenset({"api-projects", "api-project-photos", "project-new"})
API_PREFIXES = ("/api/", "/transform/")
DISCONNECT = {"type": "http.disconnect"}


@dataclass(frozen=True)
class BodyLimits:
    max_bytes: int
    timeout: float


def limits_for(path: str) -> BodyLimits:
    try:
        name = resolve(path).url_name
    except Resolver404:
        name = None
    if name in UPLOAD_ROUTES:
        return BodyLimits(settings.MAX_UPLOAD_BYTES + settings.UPLOAD_FORM_OVERHEAD_BYTES,
                          settings.UPLOAD_BODY_TIMEOUT_SECONDS)
    if name in MULTI_UPLOAD_ROUTES:
        return BodyLimits(settings.MAX_UPLOAD_BYTES * settings.PROJECT_UPLOAD_MAX_PHOTOS
                          + settings.UPLOAD_FORM_OVERHEAD_BYTES, settings.UPLOAD_BODY_TIMEOUT_SECONDS)
    return BodyLimits(settings.MAX_REQUEST_BODY_BYTES, settings.REQUEST_BODY_TIMEOUT_SECONDS)


def _declared_length(headers) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # uvicorn's parser has already refused a malformed one
    return None


def _has_body(headers) -> bool:
    return any(name in (b"content-length", b"transfer-encoding") for name, _value in headers)


class BodyGuard:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not _has_body(scope["headers"]):
            return await self.app(scope, receive, send)
        limits = limits_for(scope["path"])
        declared = _declared_length(scope["headers"])
        if declared is not None and declared > limits.max_bytes:
            await _refuse(scope, send, 413, limits)
            return
        return await self.app(scope, _GuardedReceive(scope, receive, send, limits), send)


class _GuardedReceive:
    """The receive() Django gets: counts the body and enforces the deadline until the body is complete."""

    def __init__(self, scope, receive, send, limits: BodyLimits) -> None:
        self.scope, self.receive, self.send, self.limits = scope, receive, send, limits
        self.deadline = asyncio.get_running_loop().time() + limits.timeout
        self.received = 0
        self.complete = False

    async def __call__(self):
        if self.complete:
            return await self.receive()  # after the body: only Django's wait for a disconnect
        remaining = self.deadline - asyncio.get_running_loop().time()
        try:
            async with asyncio.timeout(max(remaining, 0)):
                message = await self.receive()
        except TimeoutError:
            return await self._cut(408)
        if message["type"] != "http.request":
            return message
        self.received += len(message.get("body", b""))
        if self.received > self.limits.max_bytes:
            return await self._cut(413)
        self.complete = not message.get("more_body", False)
        return message

    async def _cut(self, status: int) -> dict:
        self.complete = True
        await _refuse(self.scope, self.send, status, self.limits)
        return DISCONNECT


async def _refuse(scope, send, status: int, limits: BodyLimits) -> None:
    client = (scope.get("client") or ("?",))[0]
    logger.warning("request body refused with %s: %s %s from %s", status, scope.get("method"), scope["path"], client)
    if status == 413:
        code, message = "too_large", f"The request body is larger than {_size(limits.max_bytes)}."
    else:
        code, message = "request_timeout", f"The request body did not arrive within {limits.timeout:g} seconds."
    if scope["path"].startswith(API_PREFIXES):
        body = json.dumps({"error": {"code": code, "message": message, "field": None}}).encode()
        content_type = b"application/json"
    else:
        body, content_type = message.encode(), b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", content_type), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:g} MB" if count >= 1024 * 1024 else f"{count // 1024} KB"
