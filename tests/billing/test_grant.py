from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from billing.models import UsageEntry
from billing.selectors import quota_status
from billing.services import quota_grant
from core.errors import ApiError
from tests.billing.conftest import assert_ledger_adds_up, guest, member

DAY = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)


def test_it_raises_the_limit_for_today_only(reserved_design, alice, admin_user):
    with time_machine.travel(DAY, tick=False):
        for _ in range(5):
            reserved_design(owner=alice)
        quota_grant(user=alice, units=2, granted_by=admin_user, note="support ticket 42")
        reserved_design(owner=alice)
        reserved_design(owner=alice)
        with pytest.raises(ApiError):
            reserved_design(owner=alice)
        assert quota_status(requester=member(alice))["limit"] == 7
    with time_machine.travel(datetime(2026, 11, 22, 9, 0, tzinfo=UTC), tick=False):
        assert quota_status(requester=member(alice))["limit"] == 5
    entry = UsageEntry.objects.get(kind="grant")
    assert (entry.units, entry.created_by, entry.note) == (2, admin_user, "support ticket 42")
    assert_ledger_adds_up()


def test_it_grants_a_guest_network_more(reserved_design):
    for _ in range(3):
        reserved_design(ip="198.51.100.7")
    quota_grant(guest_ip="198.51.100.7", units=1)
    reserved_design(ip="198.51.100.7")
    assert quota_status(requester=guest(ip="198.51.100.7")) | {"resets_at": None} == {
        "limit": 4, "used": 4, "remaining": 0, "resets_at": None}
