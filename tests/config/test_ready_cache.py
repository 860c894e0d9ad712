"""/ready/ is public: each process checks at most once per READY_CACHE_SECONDS, over connections it reuses."""
from __future__ import annotations

import time

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_redis(own_redis):
    """The tests count the connections the Redis server receives: only this process's may count."""


def _redis_connections_opened() -> int:
    return redis.Redis.from_url(settings.REDIS_URL).info("stats")["total_connections_received"]


def _probe(client, times: int) -> list[int]:
    return [client.get("/ready/").status_code for _ in range(times)]


def _database_checks(queries) -> int:
    return sum(query["sql"] == "SELECT 1" for query in queries.captured_queries)


def test_it_checks_once_per_window_however_often_it_is_asked(client, settings):
    settings.READY_CACHE_SECONDS = 0
    _probe(client, 1)  # the process's first check connects (the Redis check, the cache's pool for the breakers)
    settings.READY_CACHE_SECONDS = 60  # a new window: the next probe checks again, and the 49 after it do not
    opened = _redis_connections_opened()
    with CaptureQueriesContext(connection) as queries:
        assert _probe(client, 50) == [200] * 50
    assert _database_checks(queries) == 1
    assert _redis_connections_opened() - opened <= 1  # the count's own: the check reused its connections


def test_it_checks_again_once_the_window_has_passed(client, settings):
    settings.READY_CACHE_SECONDS = 0.3
    with CaptureQueriesContext(connection) as queries:
        assert _probe(client, 3) == [200] * 3
        time.sleep(0.4)
        assert _probe(client, 3) == [200] * 3
    assert _database_checks(queries) == 2


def test_it_reuses_its_redis_connection_between_checks(client, settings):
    settings.READY_CACHE_SECONDS = 0  # every probe checks
    _probe(client, 1)  # the process's first probe connects
    opened = _redis_connections_opened()
    assert _probe(client, 30) == [200] * 30
    assert _redis_connections_opened() - opened <= 1  # the count's own; the probes opened none
