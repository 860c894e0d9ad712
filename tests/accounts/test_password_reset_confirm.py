"""Setting a new password from the reset mail: the token works once and expires, and the reset ends every
session and API token of the account."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import token_issue
from tests.conftest import PASSWORD, assert_error
from tests.mailserver import link_in

NEW_PASSWORD = "a brand new pass phrase 2026"
CONFIRM = "/api/v1/auth/password/reset/confirm/"


def _uid_and_token(api, mailbox, email: str = "alice@example.com") -> tuple[str, str]:
    assert api.post("/api/v1/auth/password/reset/", {"email": email}, format="json").status_code == 202
    link = link_in(mailbox.wait(1)[-1])
    _, _password, _reset, uid, token, _ = urlsplit(link).path.split("/")
    return uid, token


def _confirm(api, uid: str, token: str, password: str = NEW_PASSWORD):
    return api.post(CONFIRM, {"uid": uid, "token": token, "new_password": password}, format="json")


def test_the_token_from_the_mail_works_once(api, alice, mailbox):
    uid, token = _uid_and_token(api, mailbox)

    assert _confirm(api, uid, token).status_code == 204
    assert User.objects.get(pk=alice.pk).check_password(NEW_PASSWORD)
    assert_error(_confirm(api, uid, token, "yet another pass phrase 77"), 400, "invalid_token", "token")
    assert User.objects.get(pk=alice.pk).check_password(NEW_PASSWORD)


def test_it_refuses_an_expired_token(api, alice, mailbox, settings):
    uid, token = _uid_and_token(api, mailbox)
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)):
        assert_error(_confirm(api, uid, token), 400, "invalid_token")
    assert User.objects.get(pk=alice.pk).check_password(PASSWORD)


def test_it_ends_every_session_and_token_of_the_account(api, alice, bob, mailbox):
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=alice, name='phone')}")
    bobs_phone = APIClient()
    bobs_phone.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=bob, name='phone')}")
    browser = Client()
    assert browser.post("/login/", {"username": "alice@example.com", "password": PASSWORD}).status_code == 302
    assert browser.get("/account/").status_code == 200
    uid, token = _uid_and_token(api, mailbox)

    assert _confirm(api, uid, token).status_code == 204

    assert_error(phone.get("/api/v1/me/"), 401)
    assert browser.get("/account/").status_code == 302  # signed out
    assert bobs_phone.get("/api/v1/me/").status_code == 200  # nobody else's
    signin = api.post("/api/v1/auth/token/", {"email": "alice@example.com", "password": NEW_PASSWORD}, format="json")
    assert signin.status_code == 200


def test_a_weak_password_or_a_bad_uid_changes_nothing_and_keeps_the_token(api, alice, mailbox):
    uid, token = _uid_and_token(api, mailbox)
    assert_error(_confirm(api, uid, token, "123"), 400, "weak_password", "new_password")
    assert_error(_confirm(api, "not-base64!", token), 400, "invalid_token")
    assert_error(api.post(CONFIRM, {"uid": uid, "token": token}, format="json"), 400, "required", "new_password")
    assert User.objects.get(pk=alice.pk).check_password(PASSWORD)
    assert _confirm(api, uid, token).status_code == 204


def test_a_reset_confirms_the_address_too(api, db, mailbox):
    User.objects.create_user("new@example.com", PASSWORD, email_verified=False)
    uid, token = _uid_and_token(api, mailbox, "new@example.com")
    assert _confirm(api, uid, token).status_code == 204
    assert User.objects.get(email="new@example.com").email_verified
