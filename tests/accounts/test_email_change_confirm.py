"""Changing the address: the link goes to the new address, the address changes only when it is opened, the old
address gets a notice, and the account stays verified. Mail goes through the real SMTP server on loopback."""
from __future__ import annotations

from urllib.parse import urlsplit

from accounts.mail import mail_drain
from accounts.models import User
from tests.conftest import PASSWORD
from tests.mailserver import html_of, link_in, text_of

CHANGE = "/api/v1/me/email/"


def confirm_token(link: str) -> str:
    path = urlsplit(link).path
    assert path.startswith("/account/email/confirm/"), link
    return path.removeprefix("/account/email/confirm/").strip("/")


def test_it_changes_the_address_when_the_link_is_confirmed(api, alice, alice_api, mailbox):
    response = alice_api.post(CHANGE, {"new_email": "Alice.New@Example.com", "password": PASSWORD}, format="json")

    assert response.status_code == 202, response.content
    assert "alice.new@example.com" in response.json()["detail"]
    [message] = mailbox.wait(1)
    assert mailbox.recipients == [["alice.new@example.com"]]
    assert message["Subject"] == "Confirm your new address for Restyle"
    assert "alice@example.com" in text_of(message) and "Use this address" in html_of(message)
    assert User.objects.get(pk=alice.pk).email == "alice@example.com"  # nothing changes before the click

    response = api.post(f"{CHANGE}confirm/", {"token": confirm_token(link_in(message))}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"email": "alice.new@example.com", "email_verified": True}
    alice.refresh_from_db()
    assert (alice.email, alice.email_verified) == ("alice.new@example.com", True)
    notice = mailbox.wait(2)[1]
    assert mailbox.recipients[1] == ["alice@example.com"]
    assert notice["Subject"] == "Your Restyle address was changed"
    assert "alice.new@example.com" in text_of(notice) and "alice.new@example.com" in html_of(notice)
    me = alice_api.get("/api/v1/me/").json()
    assert me["user"]["email"] == "alice.new@example.com" and me["plan"]["code"] == "free"
    assert api.post("/api/v1/auth/token/", {"email": "alice.new@example.com", "password": PASSWORD},
                    format="json").status_code == 200


def test_an_unverified_account_is_verified_by_the_new_address(api, db, mailbox):
    user = User.objects.create_user("new@example.com", PASSWORD, email_verified=False)
    api.force_authenticate(user)
    assert api.post(CHANGE, {"new_email": "proven@example.com", "password": PASSWORD}, format="json").status_code == 202
    api.force_authenticate(None)
    token = confirm_token(link_in(mailbox.wait(1)[0]))
    assert api.post(f"{CHANGE}confirm/", {"token": token}, format="json").status_code == 200
    user.refresh_from_db()
    assert (user.email, user.email_verified) == ("proven@example.com", True)


def test_the_web_page_asks_then_the_link_shows_a_button_that_changes_it(client, alice, mailbox):
    client.force_login(alice)
    response = client.post("/account/email/", {"new_email": "web@example.com", "password": PASSWORD}, follow=True)
    page = response.content.decode()
    assert "We sent a link to web@example.com" in page and 'id="email-pending"' in page

    path = urlsplit(link_in(mailbox.wait(1)[0])).path
    assert "Use the new address" in client.get(path).content.decode()
    assert User.objects.get(pk=alice.pk).email == "alice@example.com"  # opening it (a mail scanner) is not enough
    response = client.post(path, follow=True)

    assert response.redirect_chain[-1][0] == "/account/"
    assert "Your address is now web@example.com" in response.content.decode()
    assert User.objects.get(pk=alice.pk).email == "web@example.com"
    assert mailbox.wait(2)[1]["To"] == "alice@example.com"


def test_the_web_form_names_a_wrong_password(client, alice, mailbox):
    client.force_login(alice)
    response = client.post("/account/email/", {"new_email": "web@example.com", "password": "not it"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    mail_drain()
    assert mailbox.messages == []
