"""Every admin sign-in and failure, and staff signing in anywhere, is kept in an audit staff read in the admin."""
from __future__ import annotations

import logging

import pytest

from accounts.models import SignInEvent, User
from tests.conftest import PASSWORD

A = "203.0.113.7"


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_superuser("ops@example.com", PASSWORD)


def _admin_login(client, email: str, password: str, **extra):
    return client.post("/admin/login/", {"username": email, "password": password, "next": "/admin/"},
                       REMOTE_ADDR=A, HTTP_USER_AGENT="curl/8.5", **extra)


def test_it_records_admin_failures_and_sign_ins(client, staff, caplog):
    caplog.set_level(logging.INFO, logger="restyle.security")
    _admin_login(client, "OPS@example.com", "guess")
    _admin_login(client, "nobody@example.com", "guess")
    assert _admin_login(client, "ops@example.com", PASSWORD).status_code == 302
    events = list(SignInEvent.objects.order_by("at", "pk").values_list("email", "outcome", "channel", "ip", "user"))
    assert events == [
        ("ops@example.com", "failed", "admin", A, staff.pk),
        ("nobody@example.com", "failed", "admin", A, None),
        ("ops@example.com", "signed_in", "admin", A, staff.pk),
    ]
    assert SignInEvent.objects.filter(user_agent="curl/8.5", network=A).count() == 3
    lines = [(record.levelname, record.getMessage()) for record in caplog.records if record.name == "restyle.security"]
    assert ("WARNING", f"staff sign-in failed: nobody@example.com via admin from {A}") in lines
    assert ("INFO", f"staff sign-in signed_in: ops@example.com via admin from {A}") in lines


def test_it_records_staff_signing_in_on_the_site_and_the_api_but_not_customers(client, api, staff, alice):
    client.post("/login/", {"username": "ops@example.com", "password": "guess"})
    client.post("/login/", {"username": "alice@example.com", "password": "guess"})
    api.post("/api/v1/auth/token/", {"email": "ops@example.com", "password": PASSWORD}, format="json")
    api.post("/api/v1/auth/token/", {"email": "alice@example.com", "password": PASSWORD}, format="json")
    assert set(SignInEvent.objects.values_list("email", "outcome", "channel")) == {
        ("ops@example.com", "failed", "web"), ("ops@example.com", "signed_in", "token")}


def test_it_shows_the_audit_to_staff_read_only(client, staff):
    _admin_login(client, "nobody@example.com", "guess")
    client.force_login(staff)
    response = client.get("/admin/accounts/signinevent/")
    assert response.status_code == 200
    assert [event.email for event in response.context["cl"].result_list] == ["nobody@example.com"]
    event = SignInEvent.objects.get()
    assert client.post(f"/admin/accounts/signinevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/accounts/signinevent/{event.pk}/change/", {"email": "x"}).status_code == 403
    assert SignInEvent.objects.get().email == "nobody@example.com"
