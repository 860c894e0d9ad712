"""Staff refund a design's quota from the admin: billing's refund, once at most, audited with the reason."""
from __future__ import annotations

from billing.models import DailyUsage, UsageEntry
from designs.models import Design, StaffAction, Status
from tests.billing.conftest import assert_ledger_adds_up


def _refund(admin_client, design: Design):
    return admin_client.post("/admin/designs/design/", {
        "action": "refund", "_selected_action": [str(design.pk)], "apply": "Refund", "reason": "ticket 5"})


def test_it_refunds_once_and_records_it(admin_client, admin_user, reserved_design, alice):
    design = reserved_design(owner=alice, variations=2)
    Design.objects.filter(pk=design.pk).update(status=Status.FAILED)

    assert _refund(admin_client, design).status_code == 302
    _refund(admin_client, design)

    assert UsageEntry.objects.filter(design=design, kind="refund").count() == 1
    assert DailyUsage.objects.get(user=alice).used == 0
    assert_ledger_adds_up()
    action = StaffAction.objects.get()
    assert (action.staff, action.action, action.design, action.reason) == (admin_user, "refund", design, "ticket 5")


def test_it_does_not_refund_a_completed_design(admin_client, reserved_design, alice):
    design = reserved_design(owner=alice)
    Design.objects.filter(pk=design.pk).update(status=Status.COMPLETED)

    _refund(admin_client, design)

    assert DailyUsage.objects.get(user=alice).used == 1
    assert not StaffAction.objects.exists()
