"""The suite runs against real servers, never SQLite or an in-memory fake."""
from __future__ import annotations

import asyncio

import pytest
import redis
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.core.cache import cache
from django.db import connection


def test_it_runs_on_postgres(db):
    assert connection.vendor == "postgresql"


def test_it_uses_a_real_redis():
    assert redis.Redis.from_url(settings.REDIS_URL).ping()
    cache.set("probe", 41)
    assert cache.incr("probe") == 42


@pytest.mark.timeout(30)
def test_it_keeps_idle_channel_layer_receivers_alive():
    """redis-py 8's default 5 s socket timeout would break a receive() idle for longer."""

    async def scenario():
        # A layer of our own, built from the settings: the shared one holds pools bound to other event loops.
        layer = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
        channel = await layer.new_channel()
        receiver = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(6.5)
        assert not receiver.done(), f"receiver failed while idle: {receiver.exception()!r}"
        await layer.send(channel, {"type": "hello"})
        message = await asyncio.wait_for(receiver, 5)
        await layer.flush()
        return message

    assert asyncio.run(scenario())["type"] == "hello"
