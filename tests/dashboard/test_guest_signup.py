"""A guest's designs follow them into the account they create (or log in to) in the same browser."""
from __future__ import annotations

from django.test import Client

from accounts.models import User
from accounts.requester import GUEST_SESSION_KEY
from designs.models import Design
from tests.conftest import PASSWORD
from tests.designs.conftest import submit


def _guest_with_a_design(client: Client) -> Design:
    response = submit(client)
    assert response.status_code == 202, response.content
    design = Design.objects.get(pk=response.json()["id"])
    assert design.owner is None and design.guest_key
    return design


def test_signing_up_keeps_the_guests_designs(client, db):
    design = _guest_with_a_design(client)
    session_before = client.session.session_key
    response = client.post("/signup/", {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/designs/new/"
    # Verified, not assumed: login rotates the session key but keeps an anonymous session's data.
    assert client.session.session_key != session_before
    assert client.session[GUEST_SESSION_KEY] == design.guest_key
    design.refresh_from_db()
    assert design.owner == User.objects.get(email="new@example.com")
    assert str(design.id) in client.get("/designs/").content.decode()


def test_logging_in_keeps_the_guests_designs(client, alice):
    design = _guest_with_a_design(client)
    response = client.post("/login/", {"username": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 302
    design.refresh_from_db()
    assert design.owner == alice


def test_another_browser_does_not_take_them(client, alice):
    design = _guest_with_a_design(client)
    Client().post("/login/", {"username": "alice@example.com", "password": PASSWORD})
    design.refresh_from_db()
    assert design.owner is None
