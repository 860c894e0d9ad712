"""WebSocket authentication: `Authorization: Token` in the handshake (apps), else the session cookie (browsers).

A session cookie is ambient, so it only counts when the Origin is one of ours; a token is explicit,
so an app without an Origin header is fine. A socket with neither (an app that has no account: browsers
always send an Origin) is anonymous with no session, which can follow only link designs (designs/links.py).
"""
from __future__ import annotations

import hashlib

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from accounts.authentication import key_from_header
from accounts.tokens import key_well_formed, token_find


async def _user_for_key(key: str):
    """The token's user, or None. A key of the wrong shape costs nothing; one that matched no active account is
    remembered for a while (by hash), so repeating it costs a cache read, not a database query."""
    if not key_well_formed(key):
        return None
    refused = f"restyle:ws:bad-token:{hashlib.sha256(key.encode()).hexdigest()}"
    if await cache.aget(refused):
        return None
    user = await _lookup(key)
    if user is None:
        await cache.aset(refused, 1, settings.WS_BAD_TOKEN_CACHE_SECONDS)
    return user


@database_sync_to_async
def _lookup(key: str):
    token = token_find(key)
    return token.user if token is not None and token.user.is_active else None


class TokenOrSessionAuth:
    def __init__(self, inner) -> None:
        self.session_app = AllowedHostsOriginValidator(AuthMiddlewareStack(inner))
        self.inner = inner

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        header = headers.get(b"authorization")
        if header is None and b"origin" not in headers:
            return await self.inner({**scope, "user": AnonymousUser(), "session": None}, receive, send)
        if header is None:
            return await self.session_app(scope, receive, send)
        key = key_from_header(header)
        user = await _user_for_key(key) if key else None
        return await self.inner({**scope, "user": user or AnonymousUser(), "session": None}, receive, send)
