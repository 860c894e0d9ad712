"""/ready/ reads the GPU engines' breakers from Redis once per answer: the check judges what the report read."""
from __future__ import annotations

import pytest
import redis
from django.conf import settings

from designs import engines

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_redis(own_redis):
    """The test counts the commands the Redis server ran: only this process's may count."""


def _breaker_reads() -> int:
    stats = redis.Redis.from_url(settings.REDIS_URL).info("commandstats")
    return stats.get("cmdstat_hgetall", {}).get("calls", 0)


def test_it_reads_each_breaker_once_per_answer(client, settings):
    settings.GPU_ENGINES = ["modal", "replicate"]
    settings.ENGINE_BREAKER_FAILURES = 1
    settings.ENGINE_BREAKER_COOLDOWN_SECONDS = 600
    settings.READY_CACHE_SECONDS = 0  # every probe answers anew
    engines.breaker_failure("modal")
    engines.breaker_failure("replicate")
    before = _breaker_reads()

    response = client.get("/ready/")

    assert response.status_code == 503  # the check judged the breakers it read: both open
    assert response.json()["failed"] == ["gpu_engines"]
    assert _breaker_reads() - before == 2  # one HGETALL per engine, not one for the check and one for the report
