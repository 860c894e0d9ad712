"""Plans with a higher queue priority run first: a premium design does not wait behind a backlog of free ones."""
from __future__ import annotations

import time

import dramatiq
import pytest
from rest_framework.test import APIClient

from accounts.tokens import token_issue
from billing.selectors import plan_get
from billing.services import subscription_change
from designs.actors import process_design, process_design_priority
from designs.models import Design
from tests.designs.conftest import submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def premium_api(bob) -> APIClient:
    subscription_change(user=bob, plan=plan_get(code="premium"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=bob, name='test')}")
    return client


def _accepted(client, **fields) -> str:
    response = submit(client, **fields)
    assert response.status_code == 202, response.content
    return response.json()["id"]


def _waiting(queue: str) -> int:
    broker = dramatiq.get_broker()
    return broker.client.llen(f"{broker.namespace}:{queue}")


def _started_at(design_id: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started_at = Design.objects.filter(pk=design_id).values_list("started_at", flat=True).first()
        if started_at:
            return started_at
        time.sleep(0.05)
    raise AssertionError(f"design {design_id} never started")


def _cancel_all(client: APIClient, design_ids) -> None:
    for design_id in design_ids:
        client.post(f"/api/v1/designs/{design_id}/cancel/")  # 409 for one that already finished: fine


def test_it_starts_a_premium_design_before_free_designs_that_waited_longer(worker_control, alice_api,
                                                                         premium_api):
    free = [_accepted(alice_api) for _ in range(5)]
    premium = _accepted(premium_api)

    worker_control.start()  # one worker thread
    try:
        premium_started = _started_at(premium)
        next_started = _started_at(free[0])  # the oldest free design runs next, once the premium one is done
        others = [Design.objects.get(pk=pk).started_at for pk in free[1:]]
    finally:
        _cancel_all(alice_api, free)
    assert premium_started < next_started
    premium_design = Design.objects.get(pk=premium)
    assert premium_design.status == "completed"
    assert premium_design.finished_at <= next_started
    assert others == [None] * 4  # one thread: the rest still wait, in their order


def test_it_leaves_a_design_it_cannot_start_in_redis_for_an_idle_worker(worker, premium_api):
    # The only thread is busy: a worker that prefetched would take the next design and hold it until the thread
    # is free, even with another worker idle. It must stay in Redis, where any idle worker takes it.
    running = _accepted(premium_api)
    _started_at(running)
    waiting = _accepted(premium_api)
    try:
        time.sleep(0.5)  # ten times the worker's polling interval
        still_running = Design.objects.get(pk=running).finished_at is None
        assert _waiting("gpu-priority") == 1
        assert Design.objects.get(pk=waiting).started_at is None
    finally:
        _cancel_all(premium_api, [waiting, running])
    assert still_running, "the first design finished before the check: make it longer"


def test_it_takes_no_free_design_while_a_premium_one_waits_or_no_thread_is_free(worker_control):
    # The consumers a one-thread worker uses, against the real Redis (worker_control: clean queues, no worker).
    broker = worker_control.broker
    broker.gpu_slots.threads, broker.gpu_slots.held = 1, 0  # what a one-thread worker's boot sets
    free_id, premium_id = "00000000-0000-0000-0000-00000000f4ee", "00000000-0000-0000-0000-0000000000a1"
    process_design.send(free_id)
    process_design_priority.send(premium_id)
    free_consumer, premium_consumer = broker.consume("gpu", timeout=10), broker.consume("gpu-priority", timeout=10)
    try:
        assert next(free_consumer) is None  # a premium design waits
        message = next(premium_consumer)
        assert message.args == (premium_id,)
        assert next(free_consumer) is None  # the one thread is taken
        assert _waiting("gpu") == 1
        premium_consumer.ack(message)
        broker.emit_after("ack", message)  # as the worker does once the design ran
        assert next(free_consumer).args == (free_id,)
    finally:
        broker.gpu_slots.held = 0
