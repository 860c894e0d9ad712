"""kill -9 the worker in the middle of a design: after a restart the design completes, charged once."""
from __future__ import annotations

import time

import pytest
from django.utils import timezone

from tests.drills.conftest import (
    assert_books_balance,
    assert_completed_once,
    assert_failed_and_refunded,
    submit_design,
    wait_for_status,
    wait_until_settled,
)

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]


def test_it_finishes_a_design_whose_worker_was_killed_on_modal(stack, staff_api):
    worker = stack.worker(fake_modal=True, DRILL_MODAL_EVENTS="40", DRILL_MODAL_EVENT_S="0.2")
    design_id = submit_design(staff_api, variations=2)
    wait_for_status(design_id, ["transforming"], timeout=120)
    worker.kill()

    stack.worker(fake_modal=True, DRILL_MODAL_EVENTS="10", DRILL_MODAL_EVENT_S="0.1")
    design = wait_until_settled(design_id)
    assert_completed_once(design)
    assert design.attempts == 2  # the killed run, then the one the reaper gave to the new worker
    assert stack.remote_calls() == 2
    assert_books_balance(staff_api.user)


@pytest.mark.timeout(900)
def test_it_finishes_a_design_whose_worker_was_killed_running_the_local_pipeline(stack, staff_api):
    # Two variations at 768 px: denoising lasts long enough on the tiny profile to be caught mid-way, even with
    # the test settings' 8 steps (the kill comes within a poll of the design starting to run).
    worker = stack.worker(DESIGN_STEPS="8")
    design_id = submit_design(staff_api, variations=2, resolution=768, long_side=900)
    running = wait_for_status(design_id, ["transforming"], timeout=600, poll=0.02)
    worker.kill()

    stack.worker(DESIGN_STEPS="8")
    design = wait_until_settled(design_id)
    assert_completed_once(design)
    assert design.attempts == running.attempts + 1
    assert_books_balance(staff_api.user)


def test_it_fails_and_refunds_a_design_whose_worker_came_back_after_the_deadline(stack, staff_api, settings):
    settings.DESIGN_DEADLINE_SECONDS = 10
    worker = stack.worker(fake_modal=True, DRILL_MODAL_EVENTS="200", DRILL_MODAL_EVENT_S="0.2")
    design_id = submit_design(staff_api)
    design = wait_for_status(design_id, ["transforming"], timeout=60)
    worker.kill()
    # Nobody reaps while no worker runs; the first one back finds the design past its deadline.
    time.sleep(max(0.0, (design.deadline_at - timezone.now()).total_seconds()) + 1)

    restarted = timezone.now()
    stack.worker(fake_modal=True)
    design = wait_until_settled(design_id, timeout=60)
    assert_failed_and_refunded(design, code="timeout", check_deadline=False)
    assert (design.finished_at - restarted).total_seconds() < 30  # the new worker's first reaps
    assert stack.remote_calls() == 1  # not started again once past the deadline
    assert_books_balance(staff_api.user)
