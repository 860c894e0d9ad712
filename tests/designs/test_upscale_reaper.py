"""The reaper's share of upscales: one past its deadline fails and gives its images back once; a lost message is
sent again; a silent worker's claim is taken back."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import UsageEntry
from designs.models import Upscale
from designs.upscale_worker import upscale_claim, upscales_reap
from tests.billing.conftest import assert_ledger_adds_up
from tests.designs.upscaling import client_on_plan, completed_design, upscale

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_fails_an_upscale_past_its_deadline_and_refunds_it_once(worker_control, alice):
    api = client_on_plan(alice, "premium")
    design = completed_design(alice)
    upscale_id = upscale(api, design, factor=2).json()["id"]
    Upscale.objects.filter(pk=upscale_id).update(deadline_at=timezone.now() - timedelta(seconds=1))
    assert upscales_reap()["upscales_failed"] == 1
    assert upscales_reap()["upscales_failed"] == 0  # the next sweep finds nothing more to do
    failed = Upscale.objects.get(pk=upscale_id)
    assert (failed.status, failed.error_code) == ("failed", "timeout")
    assert sorted(UsageEntry.objects.filter(upscale_id=upscale_id).values_list("kind", flat=True)) == [
        "refund", "reserve"]
    assert_ledger_adds_up()


def test_it_takes_back_a_silent_workers_claim_and_resends_a_lost_message(worker_control, alice, settings):
    api = client_on_plan(alice, "premium")
    design = completed_design(alice)
    silent = upscale(api, design, factor=2).json()["id"]
    assert upscale_claim(silent) == 1
    Upscale.objects.filter(pk=silent).update(lease_until=timezone.now() - timedelta(seconds=1))
    lost = upscale(api, design, factor=4).json()["id"]
    Upscale.objects.filter(pk=lost).update(queued_at=timezone.now() - timedelta(hours=1))
    counts = upscales_reap()
    assert (counts["upscales_requeued"], counts["upscales_resent"]) == (1, 1)
    assert Upscale.objects.get(pk=silent).status == "queued"
