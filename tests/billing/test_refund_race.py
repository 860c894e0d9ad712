from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import User
from billing.models import DailyUsage, UsageEntry
from billing.services import quota_refund
from designs.models import Design, Status
from tests.billing.conftest import assert_ledger_adds_up, run_together


def _fail_or_cancel(design_id, new_status: str, reason: str):
    """What the worker's failure path and the cancel endpoint do, each in its own process."""

    def run() -> bool:
        with transaction.atomic():
            design = Design.objects.get(pk=design_id)
            design.status = new_status
            return quota_refund(design=design, reason=reason)

    return run


@pytest.mark.django_db(transaction=True)
def test_it_refunds_once_when_cancel_and_failure_race(reserved_design):
    alice = User.objects.create_user("alice@example.com", "x")
    designs = [reserved_design(owner=alice) for _ in range(4)]

    racers = []
    for design in designs:
        racers += [_fail_or_cancel(design.pk, Status.CANCELLED, "cancelled"),
                   _fail_or_cancel(design.pk, Status.FAILED, "gpu_error")]
    results = run_together(racers)

    assert all(isinstance(r, bool) for r in results), results
    for index in range(len(designs)):
        assert sorted(results[2 * index: 2 * index + 2]) == [False, True]
    assert UsageEntry.objects.filter(kind="refund").count() == 4
    assert DailyUsage.objects.get(user=alice).used == 0
    assert_ledger_adds_up()
