"""Failover between GPU engines on the real stack: a worker process as production runs it, with Modal faked at
its SDK edge (tests/drills/modal_edge.py) and Replicate at its HTTP edge (tests/gpu/replicate_edge.py, a loopback
server the worker's unmodified SDK talks to). The verdict is read from Postgres and the drill's Redis."""
from __future__ import annotations

import time
from decimal import Decimal

import pytest
import redis

from billing.models import GpuCharge
from designs import engines
from designs.models import DesignAttempt, DesignResult
from tests.drills.conftest import (
    MAX_ATTEMPTS,
    assert_books_balance,
    assert_completed_once,
    assert_failed_and_refunded,
    submit_design,
    wait_until_settled,
)
from tests.gpu.replicate_edge import FakeReplicate

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]

L4, REPLICATE_L40S = Decimal("0.000222"), Decimal("0.000975")  # config.settings' list prices


@pytest.fixture
def replicate_api():
    server = FakeReplicate("ok").start()
    yield server
    server.stop()


def engines_worker(stack, replicate_api, *, modal: str, replicate: str = "ok", **env):
    replicate_api.script = replicate.split(",")
    return stack.worker(fake_modal=True, GPU_ENGINES="modal,replicate", DRILL_MODAL_SCRIPT=modal,
                        DRILL_MODAL_EVENTS="4", DRILL_MODAL_EVENT_S="0.05", MODAL_GPU_TYPE="L4",
                        REPLICATE_BASE_URL=replicate_api.url, REPLICATE_API_TOKEN="r8_drill",
                        REPLICATE_MODEL_VERSION="fake/controlnet:v1", REPLICATE_GPU_TYPE="replicate-L40S",
                        REPLICATE_POLL_SECONDS="0.05",
                        QUALITY_RETRY_BELOW="0",  # the fake model's picture is no restyle: no layout refund here
                        **env)


def attempts(design) -> list[tuple[str, str]]:
    return list(DesignAttempt.objects.filter(design=design).order_by("attempt").values_list("engine", "outcome"))


def test_it_completes_on_the_second_engine_when_the_first_times_out(stack, staff_api, replicate_api):
    engines_worker(stack, replicate_api, modal="timeout")
    design_id = submit_design(staff_api, variations=2)

    design = wait_until_settled(design_id, timeout=120)
    assert_completed_once(design)
    assert attempts(design) == [("modal", "backend_timeout"), ("replicate", "completed")]
    assert stack.remote_calls() == 1 and len(replicate_api.created) == 1
    # Charged once per attempt, each at its engine's price.
    charges = list(GpuCharge.objects.filter(design=design).order_by("attempt").values_list(
        "attempt", "backend", "gpu_type", "price_per_second", "completed", "gpu_seconds", "cost_usd"))
    assert [c[:5] for c in charges] == [(1, "modal", "L4", L4, False), (2, "replicate", "replicate-L40S",
                                                                       REPLICATE_L40S, True)]
    assert charges[1][5:] == (Decimal("2.500"), Decimal("0.002438"))  # the prediction's predict_time
    # The design says which engine made its results.
    assert set(DesignResult.objects.filter(design=design).values_list("engine", flat=True)) == {"replicate"}
    assert design.metadata["backend"] == "replicate"
    assert_books_balance(staff_api.user)


def test_it_fails_readably_and_refunds_once_when_every_engine_is_down(stack, staff_api, replicate_api):
    engines_worker(stack, replicate_api, modal="unavailable", replicate="503")
    design_id = submit_design(staff_api)

    design = wait_until_settled(design_id, timeout=120)
    assert_failed_and_refunded(design, code="backend_unavailable")
    assert design.error_message == "The GPU service is busy or unreachable. Please try again in a moment."
    assert design.attempts == MAX_ATTEMPTS
    assert attempts(design) == [("modal", "backend_unavailable"), ("replicate", "backend_unavailable"),
                                ("modal", "backend_unavailable")]
    assert_books_balance(staff_api.user)


def test_it_opens_the_breaker_and_closes_it_after_a_successful_trial(stack, staff_api, replicate_api):
    cooldown = 6
    engines_worker(stack, replicate_api, modal="unavailable,unavailable,ok", ENGINE_BREAKER_FAILURES="2",
                   ENGINE_BREAKER_COOLDOWN_SECONDS=str(cooldown))
    shared = redis.Redis.from_url(stack.redis.url)

    def breaker(expected: str) -> bool | str:
        # The worker tells the breaker just after the design's final commit: give it a moment.
        deadline = time.monotonic() + 5
        while (state := engines.breaker_states(["modal"], client=shared)[0].state) != expected:
            if time.monotonic() > deadline:
                return state
            time.sleep(0.05)
        return True

    def run_one() -> list[tuple[str, str]]:
        design = wait_until_settled(submit_design(staff_api), timeout=120)
        assert_completed_once(design)
        return attempts(design)

    assert run_one() == [("modal", "backend_unavailable"), ("replicate", "completed")]
    assert breaker("closed") is True
    assert run_one() == [("modal", "backend_unavailable"), ("replicate", "completed")]
    assert breaker("open") is True
    opened_at = time.monotonic()

    assert run_one() == [("replicate", "completed")]  # modal skipped while its breaker is open
    assert stack.remote_calls() == 2

    time.sleep(max(0.0, cooldown - (time.monotonic() - opened_at)) + 0.5)
    assert run_one() == [("modal", "completed")]  # the trial after the cool-down, which succeeds
    assert breaker("closed") is True
    assert engines.breaker_states(["modal"], client=shared)[0].opened == 1
    assert_books_balance(staff_api.user)
    shared.close()
