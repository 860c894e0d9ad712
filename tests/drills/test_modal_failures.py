"""The Modal boundary timing out or erroring (faked at the SDK edge, tests/drills/modal_edge.py): bounded
retries for what may pass, an immediate failure for what will not, and exactly one refund either way."""
from __future__ import annotations

import pytest

from tests.drills.conftest import (
    LEASE_S,
    MAX_ATTEMPTS,
    assert_books_balance,
    assert_completed_once,
    assert_failed_and_refunded,
    submit_design,
    unfinished_charges,
    wait_until_settled,
)

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]


# A call that timed out had started on a GPU (it sent an event) and is charged for it; one that could not reach
# Modal never ran.
@pytest.mark.parametrize("failure, code, charged", [("timeout", "backend_timeout", [1, 2, 3]),
                                                    ("unavailable", "backend_unavailable", [])])
def test_it_retries_a_transient_failure_a_bounded_number_of_times(stack, staff_api, failure, code, charged):
    stack.worker(fake_modal=True, DRILL_MODAL_SCRIPT=failure)
    design_id = submit_design(staff_api, variations=2)

    design = wait_until_settled(design_id, timeout=120)
    assert_failed_and_refunded(design, code=code)
    assert design.attempts == MAX_ATTEMPTS
    assert stack.remote_calls() == MAX_ATTEMPTS
    assert unfinished_charges(design) == charged
    assert_books_balance(staff_api.user)


def test_it_completes_when_a_retry_succeeds(stack, staff_api):
    stack.worker(fake_modal=True, DRILL_MODAL_SCRIPT="timeout,unavailable,ok", DRILL_MODAL_EVENTS="5",
                 DRILL_MODAL_EVENT_S="0.1")
    design_id = submit_design(staff_api, variations=2)

    design = wait_until_settled(design_id, timeout=120)
    assert_completed_once(design)
    assert design.attempts == stack.remote_calls() == 3
    assert unfinished_charges(design) == [1]  # the timed-out run; the unreachable one never ran
    assert_books_balance(staff_api.user)


@pytest.mark.parametrize("failure, code", [("crash", "generation_failed"), ("notfound", "model_unavailable")])
def test_it_fails_at_once_when_retrying_cannot_help(stack, staff_api, failure, code):
    stack.worker(fake_modal=True, DRILL_MODAL_SCRIPT=failure)
    design_id = submit_design(staff_api)

    design = wait_until_settled(design_id, timeout=60)
    assert_failed_and_refunded(design, code=code)
    assert design.attempts == stack.remote_calls() == 1
    assert_books_balance(staff_api.user)


def test_it_waits_out_a_cold_start_longer_than_the_lease(stack, staff_api):
    # Queued for a GPU and a container starting: minutes without a word from Modal in production.
    stack.worker(fake_modal=True, DRILL_MODAL_SCRIPT="cold", DRILL_MODAL_COLD_S=str(LEASE_S * 3),
                 DRILL_MODAL_EVENTS="5", DRILL_MODAL_EVENT_S="0.1")
    design_id = submit_design(staff_api)

    design = wait_until_settled(design_id, timeout=120)
    assert_completed_once(design)
    assert design.attempts == stack.remote_calls() == 1  # the waiting worker kept its claim
    assert_books_balance(staff_api.user)
