"""Staff grant a user extra designs from the user list: billing's grant, and the audit log says why."""
from __future__ import annotations

import pytest

from billing.models import DailyUsage, UsageEntry
from designs.models import StaffAction
from tests.billing.conftest import assert_ledger_adds_up

pytestmark = pytest.mark.django_db


def test_it_grants_through_billing_and_records_who_and_why(admin_client, admin_user, alice, bob):
    response = admin_client.post("/admin/accounts/user/", {
        "action": "grant", "_selected_action": [str(alice.pk)], "apply": "Grant", "units": "3",
        "reason": "ticket 9: lost designs"})

    assert response.status_code == 302
    assert DailyUsage.objects.get(user=alice).granted == 3
    assert not DailyUsage.objects.filter(user=bob).exists()
    grant = UsageEntry.objects.get(kind="grant")
    assert (grant.user, grant.units, grant.created_by) == (alice, 3, admin_user)
    assert_ledger_adds_up()
    action = StaffAction.objects.get()
    assert (action.staff, action.action, action.user, action.reason) == (
        admin_user, "grant", alice, "3 extra: ticket 9: lost designs")


def test_it_asks_for_a_reason_first(admin_client, alice):
    response = admin_client.post("/admin/accounts/user/", {
        "action": "grant", "_selected_action": [str(alice.pk)], "apply": "Grant", "units": "3", "reason": ""})

    assert response.status_code == 200 and "This field is required" in response.text
    assert not UsageEntry.objects.exists() and not StaffAction.objects.exists()
