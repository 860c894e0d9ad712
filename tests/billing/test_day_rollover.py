from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from billing.models import DailyUsage
from billing.selectors import quota_status
from billing.services import quota_refund
from core.errors import ApiError
from designs.models import Status
from tests.billing.conftest import assert_ledger_adds_up, member

LATE = datetime(2026, 11, 21, 23, 0, tzinfo=UTC)


def test_it_starts_a_fresh_quota_at_midnight_utc(reserved_design, alice):
    with time_machine.travel(LATE, tick=False):
        for _ in range(5):
            reserved_design(owner=alice)
        with pytest.raises(ApiError) as caught:
            reserved_design(owner=alice)
        assert caught.value.headers["Retry-After"] == "3600"
        assert caught.value.extra["quota"]["resets_at"] == "2026-11-22T00:00:00Z"
    with time_machine.travel(datetime(2026, 11, 22, 0, 0, 1, tzinfo=UTC), tick=False):
        reserved_design(owner=alice)
        assert quota_status(requester=member(alice))["used"] == 1
    assert dict(DailyUsage.objects.values_list("day", "used")) == {date(2026, 11, 21): 5, date(2026, 11, 22): 1}


def test_it_refunds_to_the_day_of_the_reservation(reserved_design, alice):
    with time_machine.travel(LATE, tick=False):
        design = reserved_design(owner=alice)
    with time_machine.travel(datetime(2026, 11, 22, 0, 5, tzinfo=UTC), tick=False):
        reserved_design(owner=alice)
        design.status = Status.FAILED
        assert quota_refund(design=design, reason="gpu_error")
        assert quota_status(requester=member(alice))["used"] == 1  # today's counter is untouched
    assert dict(DailyUsage.objects.values_list("day", "used")) == {date(2026, 11, 21): 0, date(2026, 11, 22): 1}
    assert_ledger_adds_up()
