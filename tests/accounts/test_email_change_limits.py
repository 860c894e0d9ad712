"""Asking to change the address needs the password, a different address, and is limited per account."""
from __future__ import annotations

from accounts.mail import mail_drain
from accounts.models import User
from tests.accounts.test_email_change_confirm import CHANGE
from tests.conftest import PASSWORD, assert_error


def test_it_needs_the_password_and_another_address(alice_api, alice, mailbox):
    assert_error(alice_api.post(CHANGE, {"new_email": "x@example.com", "password": "wrong"}, format="json"),
                 400, "wrong_password", "password")
    assert_error(alice_api.post(CHANGE, {"new_email": "ALICE@example.com", "password": PASSWORD}, format="json"),
                 400, "same_email", "new_email")
    assert_error(alice_api.post(CHANGE, {"new_email": "not an address", "password": PASSWORD}, format="json"),
                 400, "invalid", "new_email")
    assert_error(alice_api.post(CHANGE, {"new_email": "x@example.com"}, format="json"), 400, "required", "password")
    mail_drain()
    assert mailbox.messages == []
    assert User.objects.get(pk=alice.pk).email == "alice@example.com"


def test_it_is_limited_per_account(alice_api, api, mailbox, settings):
    settings.RATELIMIT_EMAIL_CHANGE = "2/h"
    for n in range(2):
        assert alice_api.post(CHANGE, {"new_email": f"n{n}@example.com", "password": PASSWORD},
                              format="json").status_code == 202
    response = alice_api.post(CHANGE, {"new_email": "n3@example.com", "password": PASSWORD}, format="json")
    assert_error(response, 429, "rate_limited")
    assert int(response["Retry-After"]) > 0
    mailbox.wait(2)
    mail_drain()
    assert len(mailbox.messages) == 2
    assert_error(api.post(CHANGE, {"new_email": "n4@example.com", "password": PASSWORD}, format="json"), 401)
