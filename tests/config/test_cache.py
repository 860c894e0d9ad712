"""The Django cache shares one Redis pool per process: under ASGI each request has a thread of its own."""
from __future__ import annotations

import threading

import redis
from django.core.cache import caches


def _connections_received(client: redis.Redis) -> int:
    return client.info("stats")["total_connections_received"]


def _in_a_new_thread(work) -> None:
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()


def test_it_does_not_open_a_connection_per_thread(own_redis):
    admin = own_redis
    caches["default"].set("warm", 1)  # the pool's first connection
    before = _connections_received(admin)

    # One at a time, as sequential requests are: each thread gets its own cache object from Django.
    for _ in range(20):
        _in_a_new_thread(lambda: caches["default"].incr("warm"))

    assert caches["default"].get("warm") == 21
    assert _connections_received(admin) - before <= 1  # the admin's INFO is the one


def test_it_reconnects_after_redis_drops_its_connections(own_redis):
    admin = own_redis
    caches["default"].set("probe", "before")
    admin.client_kill_filter(_type="normal", skipme=True)

    assert caches["default"].get("probe") == "before"
