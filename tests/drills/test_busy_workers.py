"""Every worker thread busy with a long design: the reaper still keeps the deadline of a design left behind
by a dead worker."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from designs.models import Design, Status
from tests.drills.conftest import (
    THREADS,
    assert_books_balance,
    assert_completed_once,
    assert_failed_and_refunded,
    submit_design,
    wait_for_status,
    wait_until_settled,
)

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]


def test_it_reaps_while_every_thread_is_busy(stack, staff_api):
    # 20 s a design: longer than the orphan may take to be reaped (deadline + REAPER_S + 5 s) with room to spare.
    stack.worker(fake_modal=True, DRILL_MODAL_EVENTS="40", DRILL_MODAL_EVENT_S="0.5")
    busy = [submit_design(staff_api) for _ in range(int(THREADS))]
    for design_id in busy:
        wait_for_status(design_id, ["transforming"], timeout=60)
    # A design claimed by a worker that died since: running, its lease lapsed, its deadline seconds away.
    orphan_id = submit_design(staff_api)
    Design.objects.filter(pk=orphan_id).update(
        status=Status.TRANSFORMING, attempts=1, lease_until=timezone.now() - timedelta(seconds=1),
        deadline_at=timezone.now() + timedelta(seconds=3))

    orphan = wait_until_settled(orphan_id, timeout=30)
    assert_failed_and_refunded(orphan, code="timeout")
    assert all(Design.objects.get(pk=pk).status == Status.TRANSFORMING for pk in busy)  # still going
    for design_id in busy:
        assert_completed_once(wait_until_settled(design_id, timeout=120))
    assert_books_balance(staff_api.user)
