from __future__ import annotations

import pytest

from accounts.models import User
from billing.models import DailyUsage, UsageEntry
from designs.models import Design
from tests.billing.conftest import assert_ledger_adds_up, quota_errors, run_together


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_the_remaining_designs_through_twenty_simultaneous_submits(reserved_design):
    alice = User.objects.create_user("alice@example.com", "x")  # free: 5 a day
    reserved_design(owner=alice)
    reserved_design(owner=alice)  # 3 left

    results = run_together([lambda: reserved_design(owner=alice) for _ in range(20)])

    accepted = [r for r in results if isinstance(r, Design)]
    assert len(accepted) == 3, results
    assert len(quota_errors(results)) == 17
    assert DailyUsage.objects.get(user=alice).used == 5
    assert UsageEntry.objects.filter(user=alice, kind="reserve").count() == 5
    assert Design.objects.filter(owner=alice).count() == 5  # refused submits left no design behind
    assert_ledger_adds_up()
