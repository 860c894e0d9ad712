"""Asking for a password reset: a mail for an address with an account, and for any other address the very same
answer (status, body, about the same time) and no mail."""
from __future__ import annotations

import re
import statistics
import time

from accounts.mail import mail_drain
from tests.mailserver import link_in, text_of

URL = "/api/v1/auth/password/reset/"


def test_it_mails_a_known_address_and_answers_an_unknown_one_alike(api, alice, mailbox):
    unknown = api.post(URL, {"email": "nobody@example.com"}, format="json")
    known = api.post(URL, {"email": "ALICE@example.com"}, format="json")

    assert unknown.status_code == known.status_code == 202
    assert unknown.content == known.content
    assert "If an account uses this address" in known.json()["detail"]
    [message] = mailbox.wait(1)
    mail_drain()
    assert len(mailbox.messages) == 1 and mailbox.recipients == [["alice@example.com"]]
    assert message["Subject"] == "Choose a new Restyle password"
    assert "works once, for 1 hour" in text_of(message)
    assert link_in(message).startswith("http://testserver/password/reset/")


def test_the_web_form_answers_every_address_with_the_same_page(client, alice, mailbox):
    login = client.get("/login/").content.decode()
    assert 'href="/password/reset/"' in login and "Forgot your password?" in login
    pages = []
    for email in ("nobody@example.com", "alice@example.com"):
        response = client.post("/password/reset/", {"email": email}, follow=True)
        assert response.redirect_chain == [("/password/reset/sent/", 302)]
        pages.append(re.sub(r'name="csrf-token" content="\w+"', "", response.content.decode()))  # per request
    assert pages[0] == pages[1]
    mailbox.wait(1)
    mail_drain()
    assert mailbox.recipients == [["alice@example.com"]]


def test_it_takes_about_the_same_time_either_way(api, alice, settings, mailbox):
    settings.RATELIMIT_ENABLE = False
    mailbox.delay = 0.2  # an SMTP provider across the internet: the request must not wait for it

    def timed(email: str) -> float:
        started = time.perf_counter()
        assert api.post(URL, {"email": email}, format="json").status_code == 202
        return time.perf_counter() - started

    known = statistics.median(timed("alice@example.com") for _ in range(7))
    unknown = statistics.median(timed("nobody@example.com") for _ in range(7))
    mail_drain()
    # The mail leaves from another thread: the request that sends one only renders it (a few milliseconds).
    assert abs(known - unknown) < 0.05, (known, unknown)


def test_it_refuses_a_malformed_address(api, db, mailbox):
    response = api.post(URL, {"email": "not-an-email"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "email"
