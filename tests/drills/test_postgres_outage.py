"""Postgres unavailable for a moment, as the worker sees it: connections cut, new ones refused, then back."""
from __future__ import annotations

import time

import pytest
from django.db import connection

from tests.drills.conftest import (
    assert_books_balance,
    assert_completed_once,
    submit_design,
    wait_for_status,
    wait_until_settled,
)
from tests.drills.netem import TcpProxy

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postgres_link(stack):
    """The worker reaches the test database through a proxy the drill can cut."""
    proxy = TcpProxy(int(connection.settings_dict["PORT"])).start()
    stack.env["DATABASE_URL"] = stack.database_url(proxy.port)
    yield proxy
    proxy.stop()


def test_it_rides_out_a_short_postgres_blip_mid_design(stack, postgres_link, staff_api):
    # A lease far longer than the blip, as in production (120 s): the design must not wait for it to expire.
    stack.worker(fake_modal=True, DRILL_MODAL_EVENTS="40", DRILL_MODAL_EVENT_S="0.2", DESIGN_LEASE_SECONDS="60")
    design_id = submit_design(staff_api, variations=2)
    wait_for_status(design_id, ["transforming"], timeout=60)
    postgres_link.down_for(2)

    design = wait_until_settled(design_id, timeout=30)
    assert_completed_once(design)
    assert design.attempts == 1  # the same run went on: no second GPU run, no wait for the lease
    assert stack.remote_calls() == 1
    assert_books_balance(staff_api.user)


def test_it_completes_when_postgres_is_down_as_the_result_arrives(stack, postgres_link, staff_api):
    # Without the connection pool (as behind PgBouncer), which would otherwise wait up to 10 s for a connection
    # itself: here every write fails at once, so the final one has to be retried by the worker.
    worker = stack.worker(fake_modal=True, DRILL_MODAL_EVENTS="6", DRILL_MODAL_EVENT_S="0.5",
                          DESIGN_LEASE_SECONDS="60", DB_POOL_MAX="0")
    design_id = submit_design(staff_api)
    wait_for_status(design_id, ["transforming"], timeout=60)
    postgres_link.down_for(5)  # the remaining events take about 2.5 s: the result arrives during the outage

    design = wait_until_settled(design_id, timeout=30)
    assert_completed_once(design)
    assert design.attempts == 1
    assert stack.remote_calls() == 1
    assert "retrying the write" in worker.log_tail(400)
    assert_books_balance(staff_api.user)


def test_it_finishes_a_design_when_postgres_stays_away_past_the_lease(stack, postgres_link, staff_api):
    stack.worker(fake_modal=True, DRILL_MODAL_EVENTS="40", DRILL_MODAL_EVENT_S="0.2")
    design_id = submit_design(staff_api, variations=2)
    wait_for_status(design_id, ["transforming"], timeout=60)
    postgres_link.down_for(5)  # longer than the drills' 3 s lease

    design = wait_until_settled(design_id, timeout=120)
    assert_completed_once(design)
    assert stack.remote_calls() == design.attempts  # a retry runs the design again, never alongside
    assert_books_balance(staff_api.user)


def test_it_claims_a_design_once_postgres_is_back(stack, postgres_link, staff_api):
    postgres_link.outage()
    stack.worker(fake_modal=True, DRILL_MODAL_EVENTS="5", DRILL_MODAL_EVENT_S="0.1")
    design_id = submit_design(staff_api)  # this process reaches Postgres directly: the submit works
    wait_for_status(design_id, ["queued"], timeout=5)
    time.sleep(3)  # the worker got the message and could not claim the design meanwhile
    postgres_link.restore()

    design = wait_until_settled(design_id, timeout=120)
    assert_completed_once(design)
    assert design.attempts == 1
    assert_books_balance(staff_api.user)
