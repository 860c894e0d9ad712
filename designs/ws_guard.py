"""WebSocket limits: handshakes per network per minute, and open sockets per network and per user.

The counts live in Redis, so every uvicorn process (and every replica) shares them. An open socket holds a slot:
a member of a sorted set scored with its expiry, renewed by a heartbeat while the socket lives and removed when it
closes. A process that dies takes its heartbeats with it, so its slots expire after WS_SLOT_TTL_SECONDS instead of
counting forever.

A refused socket is accepted and then closed with 4429, so a client sees why (a close before accepting reaches
it only as an HTTP 403 on the handshake). Networks are counted like guests (core.clients.network_key: an
IPv6 client owns its /64), from the same client address as HTTP (core.clients.client_ip_from_scope).
"""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from functools import cache

import redis
from asgiref.sync import sync_to_async
from django.conf import settings

from core.clients import client_ip_from_scope, network_key

logger = logging.getLogger("restyle.security")

TOO_MANY = 4429
PREFIX = "restyle:ws"

# KEYS: the slot sets; ARGV: member, ttl, then one limit per key. Takes a slot in every set, or in none.
TAKE = """
local now = tonumber(redis.call('TIME')[1])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) >= tonumber(ARGV[i + 2]) then return 0 end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + tonumber(ARGV[2]), ARGV[1])
  redis.call('EXPIRE', key, ARGV[2])
end
return 1
"""
# KEYS: the slot sets; ARGV: member, ttl. Pushes the member's expiry out, if it still holds the slot.
RENEW = """
local now = tonumber(redis.call('TIME')[1])
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', now + tonumber(ARGV[2]), ARGV[1])
  redis.call('EXPIRE', key, ARGV[2])
end
return 1
"""


@cache
def _redis() -> redis.Redis:
    # The cache's Redis (tests flush it between tests). A sync client used from threads: its pool is thread-safe
    # and, unlike an asyncio client, not tied to one event loop.
    return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"], socket_timeout=5)


def network_of(scope) -> str:
    return network_key(client_ip_from_scope(scope))


@sync_to_async(thread_sensitive=False)
def handshake_allowed(network: str) -> bool:
    limit = settings.WS_HANDSHAKES_PER_MINUTE
    if not limit:
        return True
    key = f"{PREFIX}:handshakes:{network}:{int(time.time() // 60)}"
    count, _ = _redis().pipeline().incr(key).expire(key, 120).execute()
    return count <= limit


class Slot:
    def __init__(self, keys: list[str], limits: list[int]) -> None:
        self.keys, self.limits = keys, limits
        self.member = uuid.uuid4().hex
        self.ttl = settings.WS_SLOT_TTL_SECONDS

    @sync_to_async(thread_sensitive=False)
    def take(self) -> bool:
        return bool(_redis().eval(TAKE, len(self.keys), *self.keys, self.member, self.ttl, *self.limits))

    async def keep(self) -> None:
        """Renew the slot until cancelled (the socket closed)."""
        while True:
            await asyncio.sleep(self.ttl / 3)
            try:
                await sync_to_async(_redis().eval, thread_sensitive=False)(
                    RENEW, len(self.keys), *self.keys, self.member, self.ttl)
            except redis.RedisError:
                logger.warning("could not renew a WebSocket slot; it expires in %s s unless renewed", self.ttl)

    @sync_to_async(thread_sensitive=False)
    def release(self) -> None:
        pipeline = _redis().pipeline()
        for key in self.keys:
            pipeline.zrem(key, self.member)
        pipeline.execute()


def slot_for(scope) -> Slot | None:
    keys, limits = [], []
    if settings.WS_MAX_SOCKETS_PER_NETWORK:
        keys.append(f"{PREFIX}:sockets:net:{scope['client_network']}")
        limits.append(settings.WS_MAX_SOCKETS_PER_NETWORK)
    user = scope.get("user")
    if settings.WS_MAX_SOCKETS_PER_USER and user is not None and user.is_authenticated:
        keys.append(f"{PREFIX}:sockets:user:{user.pk}")
        limits.append(settings.WS_MAX_SOCKETS_PER_USER)
    return Slot(keys, limits) if keys else None


async def refuse(receive, send, reason: str) -> None:
    """Accept, then close with 4429: the client learns it was turned away, and why."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": TOO_MANY, "reason": reason})


class HandshakeLimit:
    """Outermost: counts the handshake per network before anything else (authentication included) runs."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        scope = {**scope, "client_network": network_of(scope)}
        if not await handshake_allowed(scope["client_network"]):
            logger.warning("WebSocket handshakes over the limit from %s", scope["client_network"])
            return await refuse(receive, send, "too many connection attempts")
        return await self.inner(scope, receive, send)


class SocketSlots:
    """Inside authentication (it needs the user): holds a slot for as long as the socket is open."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if "client_network" not in scope:
            scope = {**scope, "client_network": network_of(scope)}
        slot = slot_for(scope)
        if slot is None:
            return await self.inner(scope, receive, send)
        if not await slot.take():
            logger.warning("too many open WebSockets for %s", scope["client_network"])
            return await refuse(receive, send, "too many open sockets")
        keeper = asyncio.ensure_future(slot.keep())
        try:
            return await self.inner(scope, receive, send)
        finally:
            keeper.cancel()
            await slot.release()
