"""A change-of-address link works once, expires, and only while it is the account's latest request for the
address the account still has."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from accounts.models import User
from tests.accounts.test_email_change_confirm import CHANGE, confirm_token
from tests.conftest import PASSWORD, assert_error
from tests.mailserver import link_in


def _ask(alice_api, mailbox, new_email: str, count: int = 1) -> str:
    response = alice_api.post(CHANGE, {"new_email": new_email, "password": PASSWORD}, format="json")
    assert response.status_code == 202, response.content
    return confirm_token(link_in(mailbox.wait(count)[count - 1]))


def _confirm(api, token: str):
    return api.post(f"{CHANGE}confirm/", {"token": token}, format="json")


def test_a_used_link_is_refused(api, alice, alice_api, mailbox):
    token = _ask(alice_api, mailbox, "first@example.com")
    assert _confirm(api, token).status_code == 200
    assert_error(_confirm(api, token), 400, "invalid_token", "token")

    # Back to the first address and the old link again: still used.
    User.objects.filter(pk=alice.pk).update(email="alice@example.com")
    assert_error(_confirm(api, token), 400, "invalid_token", "token")
    assert User.objects.get(pk=alice.pk).email == "alice@example.com"


def test_an_expired_link_is_refused(api, alice, alice_api, mailbox, settings):
    token = _ask(alice_api, mailbox, "late@example.com")
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.EMAIL_CHANGE_MAX_AGE + 60)):
        assert_error(_confirm(api, token), 400, "token_expired", "token")
    assert User.objects.get(pk=alice.pk).email == "alice@example.com"


def test_a_newer_request_outdates_the_older_link(api, alice, alice_api, mailbox):
    older = _ask(alice_api, mailbox, "older@example.com")
    newer = _ask(alice_api, mailbox, "newer@example.com", count=2)
    assert_error(_confirm(api, older), 400, "invalid_token")
    assert _confirm(api, newer).status_code == 200
    assert User.objects.get(pk=alice.pk).email == "newer@example.com"


def test_a_forged_link_is_refused_on_the_page_too(client, alice, mailbox):
    response = client.post("/account/email/confirm/eyJjIjoxfQ:1abc:forged/")
    assert response.status_code == 400 and "This link is not valid." in response.content.decode()
    assert User.objects.get(pk=alice.pk).email == "alice@example.com"


def test_reset_and_verification_links_of_the_old_address_stop_working(api, alice, alice_api, mailbox):
    from django.contrib.auth.tokens import default_token_generator

    from accounts.password_reset import password_reset_uid
    from accounts.verification import verification_token

    reset, verify = default_token_generator.make_token(alice), verification_token(user=alice)
    assert _confirm(api, _ask(alice_api, mailbox, "moved@example.com")).status_code == 200

    response = api.post("/api/v1/auth/password/reset/confirm/", {
        "uid": password_reset_uid(alice), "token": reset, "new_password": "a brand new pass phrase 2026"},
        format="json")
    assert_error(response, 400, "invalid_token")
    assert_error(api.post("/api/v1/auth/verify/", {"token": verify}, format="json"), 400, "invalid_token")
