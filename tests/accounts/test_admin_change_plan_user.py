"""Staff move a user to another plan from the user list: billing's plan change, audited with the reason."""
from __future__ import annotations

import pytest

from billing.models import Subscription
from billing.selectors import plan_get
from designs.models import StaffAction

pytestmark = pytest.mark.django_db


def test_it_changes_the_plan_through_billing_and_records_why(admin_client, admin_user, alice):
    premium = plan_get(code="premium")

    response = admin_client.post("/admin/accounts/user/", {
        "action": "change_plan", "_selected_action": [str(alice.pk)], "apply": "Change plan",
        "plan": str(premium.pk), "reason": "paid by invoice 12"})

    assert response.status_code == 302
    current = Subscription.objects.get(user=alice, ended_at__isnull=True)
    assert (current.plan, current.changed_by, current.note) == (premium, admin_user, "paid by invoice 12")
    action = StaffAction.objects.get()
    assert (action.staff, action.action, action.user, action.reason) == (
        admin_user, "change_plan", alice, "to premium: paid by invoice 12")
