"""The account page: plan and quota, API tokens (shown once, revocable), and closing the account."""
from __future__ import annotations

from django.core.files.storage import default_storage

from accounts.models import ApiToken, User
from accounts.tokens import token_find, token_issue
from designs.models import Design, Status
from tests.conftest import PASSWORD
from tests.dashboard.conftest import make_design


def test_it_shows_the_plan_and_todays_quota(alice_client):
    page = alice_client.get("/account/").content.decode()
    assert "Free" in page and "5 images a day" in page and "up to 2 variations" in page
    assert '<meter id="quota-meter" min="0" max="5" value="0"' in page
    assert 'datetime="' in page and "Resets at" in page


def test_it_needs_a_login(client, db):
    assert client.get("/account/")["Location"].startswith("/login/")


def test_it_creates_a_token_and_shows_it_once(alice_client, alice):
    response = alice_client.post("/account/tokens/", {"name": "Anna's phone"})
    page = response.content.decode()
    key = page.split('id="new-key" type="text" readonly value="')[1].split('"')[0]
    assert token_find(key).user == alice and token_find(key).name == "Anna's phone"
    again = alice_client.get("/account/").content.decode()
    assert key not in again and "Anna&#x27;s phone" in again


def test_it_wants_a_name_for_the_token(alice_client):
    response = alice_client.post("/account/tokens/", {"name": "  "})
    assert response.status_code == 400 and 'aria-invalid="true"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_it_revokes_a_token(alice_client, alice):
    key = token_issue(user=alice, name="tablet")
    token = token_find(key)
    response = alice_client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)
    assert "was revoked" in response.content.decode()
    assert token_find(key) is None


def test_it_cannot_revoke_someone_elses_token(alice_client, bob):
    key = token_issue(user=bob, name="bob's phone")
    assert alice_client.post(f"/account/tokens/{token_find(key).pk}/revoke/").status_code == 404
    assert token_find(key) is not None


def test_it_deletes_the_account_with_every_design_and_file(alice_client, alice, bob):
    mine = [make_design(owner=alice, status=Status.COMPLETED, results=2), make_design(owner=alice)]
    files = [d.original.name for d in mine] + [r.image.name for r in mine[0].results.all()]
    theirs = make_design(owner=bob)
    response = alice_client.post("/account/delete/", {"password": PASSWORD, "confirm": "on"}, follow=True)
    assert "were deleted" in response.content.decode()
    assert not User.objects.filter(pk=alice.pk).exists()
    assert list(Design.objects.all()) == [theirs]
    assert not any(default_storage.exists(name) for name in files)
    assert default_storage.exists(theirs.original.name)
    assert alice_client.get("/account/").status_code == 302  # logged out


def test_it_asks_for_the_password_and_a_confirmation_before_deleting(alice_client, alice):
    make_design(owner=alice)
    wrong = alice_client.post("/account/delete/", {"password": "nope", "confirm": "on"})
    unconfirmed = alice_client.post("/account/delete/", {"password": PASSWORD})
    assert wrong.status_code == unconfirmed.status_code == 400
    assert "That is not your password." in wrong.content.decode()
    assert User.objects.filter(pk=alice.pk).exists() and Design.objects.count() == 1
