"""Staff disable a user from the admin: their sessions and API tokens stop working at once, and the audit
log records who did it and why."""
from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import token_issue
from designs.models import StaffAction

pytestmark = pytest.mark.django_db


def test_it_ends_the_users_sessions_and_tokens(admin_client, admin_user, alice, bob):
    browser = Client()
    browser.force_login(alice)
    bobs_browser = Client()
    bobs_browser.force_login(bob)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=alice, name='cli')}")
    assert browser.get("/api/v1/me/").status_code == api.get("/api/v1/me/").status_code == 200

    response = admin_client.post("/admin/accounts/user/", {
        "action": "disable", "_selected_action": [str(alice.pk)], "apply": "Disable", "reason": "fraud, ticket 7"})

    assert response.status_code == 302
    assert browser.get("/api/v1/me/").status_code in (401, 403)
    assert api.get("/api/v1/me/").status_code == 401
    assert bobs_browser.get("/api/v1/me/").status_code == 200  # nobody else's
    alice.refresh_from_db()
    assert not alice.is_active
    # Gone, not just refused: enabling the account again does not bring them back.
    assert not ApiToken.objects.filter(user=alice).exists()
    owners = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(alice.pk) not in owners and str(bob.pk) in owners
    action = StaffAction.objects.get()
    assert (action.staff, action.action, action.user, action.reason) == (admin_user, "disable_user", alice,
                                                                        "fraud, ticket 7")
