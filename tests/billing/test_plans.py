from __future__ import annotations

from billing.models import Plan
from billing.services import plan_limits
from tests.billing.conftest import guest, member


def test_it_ships_the_four_plans(db):
    plans = {p.code: (p.daily_limit, p.max_variations, p.max_resolution) for p in Plan.objects.all()}
    assert plans == {"guest": (3, 1, 512), "free": (5, 2, 768), "premium": (20, 4, 1024), "staff": (100, 4, 1024)}


def test_it_puts_a_user_without_a_subscription_on_free(alice):
    assert plan_limits(member(alice)).code == "free"


def test_it_puts_staff_on_the_staff_plan(admin_user):
    assert plan_limits(member(admin_user)).code == "staff"


def test_it_limits_guests_to_the_guest_plan(db):
    limits = plan_limits(guest())
    assert (limits.code, limits.max_variations, limits.max_resolution) == ("guest", 1, 512)


def test_it_reads_limits_that_staff_edited(alice):
    Plan.objects.filter(code="free").update(daily_limit=8, max_variations=3)
    assert plan_limits(member(alice)).max_variations == 3


def test_it_brings_back_a_missing_builtin_plan(alice):
    Plan.objects.filter(code="free").delete()
    assert plan_limits(member(alice)).code == "free"
    assert Plan.objects.get(code="free").daily_limit == 5
