"""The admin login is under the same failure limits as the site's: per network, and per account."""
from __future__ import annotations

import pytest
from django.test import override_settings

from accounts.models import User
from tests.conftest import PASSWORD

A, B = "203.0.113.7", "198.51.100.20"


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_superuser("ops@example.com", PASSWORD)


def _admin_login(client, email: str, password: str, ip: str):
    return client.post("/admin/login/", {"username": email, "password": password, "next": "/admin/"},
                       REMOTE_ADDR=ip)


@override_settings(RATELIMIT_LOGIN="3/m")
def test_it_refuses_a_network_after_its_failed_admin_logins(client, staff):
    for _ in range(3):
        assert _admin_login(client, "ops@example.com", "guess", A).status_code == 200  # the form, with its error
    response = _admin_login(client, "ops@example.com", PASSWORD, A)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert client.get("/admin/", REMOTE_ADDR=A).status_code == 302  # not signed in


@override_settings(RATELIMIT_LOGIN="3/m")
def test_it_lets_the_right_password_in_from_another_network(client, staff):
    for i in range(4):
        _admin_login(client, "ops@example.com", "guess", f"10.2.0.{i}")
    assert _admin_login(client, "ops@example.com", PASSWORD, "10.2.0.1").status_code == 429
    assert _admin_login(client, "ops@example.com", PASSWORD, B).status_code == 302
    assert client.get("/admin/", REMOTE_ADDR=B).status_code == 200


@override_settings(RATELIMIT_LOGIN="3/m")
def test_it_shares_the_failure_budget_with_the_site_login(client, staff):
    """Guessing at the site's login and then at the admin's is one budget, not two."""
    for _ in range(2):
        client.post("/login/", {"username": "ops@example.com", "password": "guess"}, REMOTE_ADDR=A)
    _admin_login(client, "ops@example.com", "guess", A)
    assert _admin_login(client, "ops@example.com", PASSWORD, A).status_code == 429


def test_it_answers_a_half_filled_form_with_the_form(client, staff):
    response = client.post("/admin/login/", {"username": "ops@example.com"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
