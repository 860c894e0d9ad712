"""/metrics shows each GPU engine's circuit breaker, read from the Redis every worker shares."""
from __future__ import annotations

import pytest

from designs import engines
from tests.ops.conftest import sample, scrape

pytestmark = pytest.mark.django_db


def test_it_reports_each_engines_breaker(client, settings):
    settings.GPU_ENGINES = ["modal", "replicate"]
    settings.ENGINE_BREAKER_FAILURES = 2
    engines.breaker_failure("replicate")
    for _ in range(2):
        engines.breaker_failure("modal")

    samples = scrape(client)

    assert sample(samples, "restyle_gpu_engine_breaker_state", engine="modal") == 2
    assert sample(samples, "restyle_gpu_engine_breaker_state", engine="replicate") == 0
    assert sample(samples, "restyle_gpu_engine_failures_in_a_row", engine="replicate") == 1
    assert sample(samples, "restyle_gpu_engine_breaker_opened_total", engine="modal") == 1
    assert sample(samples, "restyle_metrics_source_up", source="engine_breakers") == 1
