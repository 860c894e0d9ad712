from __future__ import annotations

import pytest

from billing.models import Plan, Subscription
from billing.selectors import plan_for_user, quota_status
from billing.services import subscription_change
from core.errors import ApiError
from tests.billing.conftest import member


def test_it_applies_a_new_plan_to_the_next_reservation(reserved_design, alice):
    for _ in range(5):
        reserved_design(owner=alice)
    with pytest.raises(ApiError):
        reserved_design(owner=alice)
    subscription_change(user=alice, plan=Plan.objects.get(code="premium"))
    reserved_design(owner=alice, variations=4)
    assert quota_status(requester=member(alice)) | {"resets_at": None} == {
        "limit": 20, "used": 9, "remaining": 11, "resets_at": None}


def test_it_carries_todays_usage_into_a_downgrade(reserved_design, alice):
    subscription_change(user=alice, plan=Plan.objects.get(code="premium"))
    for _ in range(6):
        reserved_design(owner=alice)
    subscription_change(user=alice, plan=Plan.objects.get(code="free"))
    with pytest.raises(ApiError) as caught:
        reserved_design(owner=alice)
    assert caught.value.extra["quota"]["remaining"] == 0


def test_it_keeps_the_history_of_plans(alice, admin_user):
    premium, free = Plan.objects.get(code="premium"), Plan.objects.get(code="free")
    subscription_change(user=alice, plan=premium, changed_by=admin_user, note="paid by invoice 12")
    subscription_change(user=alice, plan=free)
    history = list(Subscription.objects.filter(user=alice).order_by("pk"))
    assert [(s.plan.code, s.is_current) for s in history] == [("premium", False), ("free", True)]
    assert history[0].ended_at == history[1].started_at
    assert (history[0].changed_by, history[0].note) == (admin_user, "paid by invoice 12")
    assert plan_for_user(user=alice) == free


def test_it_does_nothing_when_the_plan_is_the_same(alice):
    premium = Plan.objects.get(code="premium")
    first = subscription_change(user=alice, plan=premium)
    assert subscription_change(user=alice, plan=premium) == first
    assert Subscription.objects.count() == 1
