"""Redis restarts (kill -9, so its queues are lost) while designs run or wait: Postgres is the truth."""
from __future__ import annotations

import time
from collections import Counter

import pytest

from designs.models import Design
from tests.designs.conftest import photo_bytes, upload
from tests.drills.conftest import (
    assert_books_balance,
    assert_completed_once,
    ledger,
    submit_design,
    wait_for_status,
    wait_until_settled,
)

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]


def _restart(redis_server, down_s: float = 1.0) -> None:
    redis_server.kill()
    time.sleep(down_s)
    redis_server.start()  # the same port, empty: no persistence, as a crashed cache node


def test_it_finishes_a_design_running_while_redis_restarts(stack, staff_api):
    stack.worker(fake_modal=True, DRILL_MODAL_EVENTS="40", DRILL_MODAL_EVENT_S="0.2")
    design_id = submit_design(staff_api, variations=2)
    wait_for_status(design_id, ["transforming"], timeout=60)
    _restart(stack.redis)

    design = wait_until_settled(design_id, timeout=120)
    assert_completed_once(design)
    assert design.attempts == 1  # the worker never lost its claim: only the hints went missing
    # The worker still takes new work from the Redis that came back.
    second = wait_until_settled(submit_design(staff_api), timeout=120)
    assert_completed_once(second)
    assert_books_balance(staff_api.user)


def test_it_sends_again_a_message_that_redis_lost(stack, staff_api):
    design_id = submit_design(staff_api)  # queued, its message in Redis only: no worker runs yet
    _restart(stack.redis)
    worker = stack.worker(fake_modal=True, DRILL_MODAL_EVENTS="5", DRILL_MODAL_EVENT_S="0.1")

    design = wait_until_settled(design_id, timeout=120)
    assert_completed_once(design)
    assert design.attempts == 1
    assert "'resent': 1" in worker.log_tail(200)  # the reaper, once the design had waited long enough
    assert_books_balance(staff_api.user)


def test_it_accepts_a_submit_while_redis_is_down_and_runs_it_once_redis_is_back(stack, staff_api):
    # Postgres is the truth: the design and its reservation commit, the message that Redis refused is sent again
    # by the reaper (design_create enqueues on commit, robust to a broker error).
    staff_api.raise_request_exception = False  # the response the client gets, not the exception behind it
    stack.redis.kill()
    response = staff_api.post("/api/v1/designs/", {"style": "japandi", "image": upload(photo_bytes(long_side=640))},
                              format="multipart")
    assert response.status_code == 202, response.content
    design = Design.objects.get(pk=response.json()["id"])
    assert design.status == "queued" and ledger(design) == Counter({"reserve": 1})

    stack.redis.start()  # empty: the message was never sent, so only the reaper can start the design
    worker = stack.worker(fake_modal=True, DRILL_MODAL_EVENTS="5", DRILL_MODAL_EVENT_S="0.1")
    design = wait_until_settled(design.pk, timeout=120)
    assert_completed_once(design)
    assert design.attempts == 1
    assert "'resent': 1" in worker.log_tail(200)
    assert_books_balance(staff_api.user)
