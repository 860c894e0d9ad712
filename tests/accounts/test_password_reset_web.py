"""The reset pages: the link from the mail, a new password, every session ended, and a sign-in with the new one."""
from __future__ import annotations

from urllib.parse import urlsplit

from django.test import Client

from tests.conftest import PASSWORD
from tests.mailserver import link_in

NEW_PASSWORD = "a brand new pass phrase 2026"


def test_a_person_resets_the_password_from_the_mail_and_logs_in(client, alice, mailbox):
    elsewhere = Client()
    assert elsewhere.post("/login/", {"username": "alice@example.com", "password": PASSWORD}).status_code == 302
    client.post("/password/reset/", {"email": "alice@example.com"})
    path = urlsplit(link_in(mailbox.wait(1)[0])).path

    form = client.get(path, follow=True)  # the token moves into the session, out of the address bar
    assert form.redirect_chain[-1][0].endswith("/set-password/")
    assert "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
                       follow=True)
    assert done.redirect_chain[-1][0] == "/login/"
    assert "every device signed out" in done.content.decode()

    assert elsewhere.get("/account/").status_code == 302
    assert "not valid" in client.get(path, follow=True).content.decode()  # used once
    assert client.post("/login/", {"username": "alice@example.com", "password": PASSWORD}).status_code == 200
    assert client.post("/login/", {"username": "alice@example.com", "password": NEW_PASSWORD}).status_code == 302
