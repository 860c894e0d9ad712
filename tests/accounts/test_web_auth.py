from __future__ import annotations

from accounts.models import User
from tests.conftest import PASSWORD


def test_it_signs_up_and_logs_in(client, db):
    assert client.get("/signup/").status_code == 200
    response = client.post("/signup/", {"email": "web@example.com", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account/").context["user"].email == "web@example.com"


def test_it_shows_signup_errors_next_to_the_field(client, alice):
    response = client.post("/signup/", {"email": "alice@example.com", "password1": "123", "password2": "123"})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


def test_it_logs_in_and_out(client, alice):
    response = client.post("/login/", {"username": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    client.post("/logout/")
    assert client.get("/account/").status_code == 302


def test_it_rejects_a_wrong_password_on_the_form(client, alice):
    response = client.post("/login/", {"username": "alice@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "correct email and password" in response.content.decode()


def test_it_changes_the_password(client, alice):
    client.force_login(alice)
    new = "another long passphrase 42"
    response = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new)


def test_it_requires_csrf_on_forms(alice):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/login/", {"username": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 403
