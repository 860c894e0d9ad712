from __future__ import annotations

from accounts.models import ApiToken, User
from accounts.tokens import token_issue


def test_it_lets_staff_search_users_by_email(client, alice, bob):
    staff = User.objects.create_superuser("ops@example.com", "x")
    client.force_login(staff)
    response = client.get("/admin/accounts/user/", {"q": "alice"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [alice]


def test_it_lets_staff_revoke_tokens(client, alice):
    token_issue(user=alice, name="phone")
    staff = User.objects.create_superuser("ops@example.com", "x")
    client.force_login(staff)
    ids = list(ApiToken.objects.values_list("pk", flat=True))
    response = client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": ids})
    assert response.status_code == 302
    assert not ApiToken.objects.exists()


def test_it_keeps_non_staff_out(client, alice):
    client.force_login(alice)
    assert client.get("/admin/accounts/user/").status_code == 302
