from __future__ import annotations

import pytest
from django.db import transaction

from billing.models import DailyUsage, UsageEntry
from billing.services import quota_reserve
from billing.subjects import seconds_until_reset
from core.errors import ApiError
from tests.billing.conftest import assert_ledger_adds_up


def test_it_reserves_one_unit_per_variation(reserved_design, alice):
    design = reserved_design(owner=alice, variations=2)
    assert DailyUsage.objects.get(user=alice).used == 2
    entry = UsageEntry.objects.get(design=design)
    assert (entry.kind, entry.units, entry.plan_code) == ("reserve", 2, "free")
    assert_ledger_adds_up()


def test_it_refuses_past_the_daily_limit(reserved_design, alice):
    for _ in range(5):
        reserved_design(owner=alice)
    with pytest.raises(ApiError) as caught:
        reserved_design(owner=alice)
    error = caught.value
    assert (error.status_code, error.error_code) == (429, "quota_exceeded")
    assert error.extra["quota"] | {"resets_at": None} == {"limit": 5, "used": 5, "remaining": 0, "resets_at": None}
    assert error.extra["quota"]["resets_at"].endswith("T00:00:00Z")
    assert abs(int(error.headers["Retry-After"]) - seconds_until_reset()) <= 1
    assert "midnight UTC" in str(error.detail)


def test_it_says_how_many_are_left_when_a_design_asks_for_more(reserved_design, alice):
    for _ in range(4):
        reserved_design(owner=alice)
    with pytest.raises(ApiError, match="only 1 of today's 5"):
        reserved_design(owner=alice, variations=2)
    assert DailyUsage.objects.get(user=alice).used == 4


def test_it_leaves_no_trace_when_the_design_insert_rolls_back(design_row, alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        quota_reserve(design=design_row(owner=alice), units=1)
        raise RuntimeError("the upload could not be stored")
    assert not DailyUsage.objects.filter(used__gt=0).exists()
    assert not UsageEntry.objects.exists()


def test_it_counts_each_user_separately(reserved_design, alice, bob):
    for _ in range(5):
        reserved_design(owner=alice)
    reserved_design(owner=bob)
    assert DailyUsage.objects.get(user=bob).used == 1


def test_it_refuses_a_second_reservation_for_the_same_design(reserved_design, alice):
    design = reserved_design(owner=alice)
    with pytest.raises(Exception, match="usage_once_per_design"), transaction.atomic():
        quota_reserve(design=design, units=1)
