"""An upscale is charged once, per the plan: premium and staff, one image of the daily quota each."""
from __future__ import annotations

import pytest

from accounts.requester import Requester
from billing.models import DailyUsage, GpuCharge, UsageEntry
from billing.selectors import quota_status
from designs.models import Upscale
from tests.billing.conftest import assert_ledger_adds_up
from tests.conftest import assert_error
from tests.designs.upscaling import client_on_plan, completed_design, upscale, wait_for_upscale

pytestmark = pytest.mark.django_db(transaction=True)


def _used(user) -> int:
    return quota_status(requester=Requester(user=user, guest_key="", ip=""))["used"]


def test_it_charges_one_image_once_however_often_it_is_asked(worker, alice):
    api = client_on_plan(alice, "premium")
    design = completed_design(alice)
    assert _used(alice) == 1  # the design's own image
    first = upscale(api, design, factor=2)
    assert first.status_code == 202 and first.json()["images_charged"] == 1
    again = upscale(api, design, factor=2)  # a double click while it is queued or running
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    state = wait_for_upscale(api, design, first.json()["id"])
    assert state["status"] == "completed"
    after = upscale(api, design, factor=2)  # and once it is done
    assert after.status_code == 200 and after.json()["id"] == first.json()["id"]
    assert _used(alice) == 2
    assert list(UsageEntry.objects.filter(upscale_id=first.json()["id"]).values_list("kind", "units")) == [
        ("reserve", 1)]
    assert GpuCharge.objects.filter(upscale_id=first.json()["id"], completed=True).count() == 1
    assert_ledger_adds_up()


def test_it_refuses_a_plan_without_upscaling_and_charges_nothing(alice):
    api = client_on_plan(alice, "free")
    design = completed_design(alice)
    assert_error(upscale(api, design, factor=4), 403, "plan_limit", "factor")
    assert _used(alice) == 1 and not Upscale.objects.exists()


def test_it_refuses_bad_requests_before_charging(alice, bob):
    api = client_on_plan(alice, "premium")
    design = completed_design(alice)
    assert_error(upscale(api, design, factor=3), 400, field="factor")
    assert_error(upscale(api, design, factor=2, index=1), 404, "not_found")
    assert_error(upscale(client_on_plan(bob, "premium"), design, factor=2), 404)  # not bob's design
    design.status = "failed"
    design.save()
    assert_error(upscale(api, design, factor=2), 409, "not_completed")
    assert _used(alice) == 1 and not Upscale.objects.exists()


def test_it_refuses_an_upscale_past_the_daily_quota(alice):
    api = client_on_plan(alice, "premium")
    design = completed_design(alice)
    DailyUsage.objects.filter(user=alice).update(used=20)  # premium's 20 images: all used
    assert_error(upscale(api, design, factor=2), 429, "quota_exceeded")
    assert not Upscale.objects.exists()
