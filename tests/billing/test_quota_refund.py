from __future__ import annotations

from django.utils import timezone

from billing.models import DailyUsage, UsageEntry
from billing.services import quota_refund
from designs.models import Status
from tests.billing.conftest import assert_ledger_adds_up


def _used(user) -> int:
    return DailyUsage.objects.get(user=user).used


def test_it_gives_back_a_design_cancelled_before_it_started(reserved_design, alice):
    design = reserved_design(owner=alice, variations=2)
    design.status = Status.CANCELLED
    assert quota_refund(design=design, reason="cancelled") is True
    assert _used(alice) == 0
    refund = UsageEntry.objects.get(design=design, kind="refund")
    assert (refund.units, refund.note) == (2, "cancelled")
    assert_ledger_adds_up()


def test_it_refunds_only_once(reserved_design, alice):
    design = reserved_design(owner=alice)
    reserved_design(owner=alice)
    design.status = Status.FAILED
    assert quota_refund(design=design, reason="gpu_error") is True
    assert quota_refund(design=design, reason="gpu_error") is False
    assert _used(alice) == 1
    assert_ledger_adds_up()


def test_it_refunds_a_design_that_failed_on_the_gpu_before_any_result(reserved_design, alice):
    design = reserved_design(owner=alice)
    design.status, design.started_at = Status.FAILED, timezone.now()
    assert quota_refund(design=design, reason="out_of_memory") is True
    assert _used(alice) == 0


def test_it_refunds_whatever_the_caller_decided_and_only_once(reserved_design, alice):
    """Billing does not judge why a design ended (designs' services, worker and remedies do): asked, it refunds,
    once, even a design whose status would make no caller ask."""
    design = reserved_design(owner=alice)
    design.status = Status.COMPLETED
    assert quota_refund(design=design, reason="goodwill") is True
    assert quota_refund(design=design, reason="goodwill") is False
    assert _used(alice) == 0
    assert_ledger_adds_up()


def test_it_refunds_nothing_for_a_design_that_reserved_nothing(design_row, alice):
    assert quota_refund(design=design_row(owner=alice), reason="cancelled") is False
    assert not UsageEntry.objects.exists()


def test_it_refunds_a_guest_design_to_its_network(reserved_design):
    design = reserved_design(ip="198.51.100.7")
    assert quota_refund(design=design, reason="cancelled") is True
    assert DailyUsage.objects.get(guest_ip="198.51.100.7").used == 0
