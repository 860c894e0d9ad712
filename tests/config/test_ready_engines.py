"""/ready/ shows each GPU engine's breaker, and stays ready while any engine would take a design."""
from __future__ import annotations

import pytest

from designs import engines


@pytest.fixture
def two_engines(settings):
    settings.GPU_ENGINES = ["modal", "replicate"]
    settings.ENGINE_BREAKER_FAILURES = 1
    settings.ENGINE_BREAKER_COOLDOWN_SECONDS = 600
    settings.READY_CACHE_SECONDS = 0


def test_it_stays_ready_while_another_engine_is_healthy(client, db, two_engines):
    engines.breaker_failure("modal")

    response = client.get("/ready/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["engines"]["modal"] == {"state": "open", "ready": False, "failures_in_a_row": 1}
    assert body["engines"]["replicate"] == {"state": "closed", "ready": True, "failures_in_a_row": 0}


def test_it_is_not_ready_when_every_engine_is_open(client, db, two_engines):
    engines.breaker_failure("modal")
    engines.breaker_failure("replicate")

    response = client.get("/ready/")

    assert response.status_code == 503
    assert response.json()["failed"] == ["gpu_engines"]
    assert {name: e["state"] for name, e in response.json()["engines"].items()} == {"modal": "open",
                                                                                     "replicate": "open"}
