"""WebSocket authentication: `Authorization: Token` in the handshake (apps), else the session cookie (browsers).

A session cookie is ambient, so it only counts when the Origin is one of ours; a token is explicit,
so an app without an Origin header is fine. A socket with neither (an app that has no account: browsers
always send an Origin) is anonymous with no session, which can follow only link designs (designs/links.py).
"""
from __future__ import annotations

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator
from django.contrib.auth.models import AnonymousUser

from accounts.authentication import key_from_header
from accounts.tokens import token_find


@database_sync_to_async
def _user_for_key(key: str):
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
