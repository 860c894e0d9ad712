"""Re-sending the verification mail: a fresh link each time, a few an hour per account, none once confirmed."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from accounts.models import User
from accounts.tokens import token_issue
from tests.conftest import PASSWORD, assert_error
from tests.mailserver import link_in

URL = "/api/v1/auth/verify/resend/"


@pytest.fixture
def newcomer(db) -> User:
    return User.objects.create_user("new@example.com", PASSWORD, email_verified=False)


def test_it_resends_until_the_hourly_limit_then_refuses(api, newcomer, mailbox, settings):
    settings.RATELIMIT_VERIFY_RESEND = "2/h"
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=newcomer, name='phone')}")
    for _ in range(2):
        response = api.post(URL)
        assert response.status_code == 202, response.content
    error = assert_error(api.post(URL), 429, "rate_limited")
    assert "Try again" in error["message"]
    assert len(mailbox.wait(2)) == 2
    assert mailbox.recipients == [["new@example.com"], ["new@example.com"]]

    link = link_in(mailbox.messages[1])
    assert api.post("/api/v1/auth/verify/", {"token": urlsplit(link).path.split("/")[2]},
                    format="json").status_code == 200
    newcomer.refresh_from_db()
    assert newcomer.email_verified


def test_the_web_button_resends_and_is_limited_too(client, newcomer, mailbox, settings):
    settings.RATELIMIT_VERIFY_RESEND = "1/h"
    client.force_login(newcomer)
    response = client.post("/account/verify/resend/", {"next": "/account/"})
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert mailbox.wait(1)[0]["To"] == "new@example.com"
    refused = client.post("/account/verify/resend/", {"next": "/account/"})
    assert refused.status_code == 429 and refused["Retry-After"]


def test_a_confirmed_account_gets_no_mail(alice_api, mailbox):
    assert_error(alice_api.post(URL), 409, "already_verified")
    assert_error(alice_api.post(URL), 409, "already_verified")
    assert mailbox.messages == []


def test_it_needs_a_signed_in_account(api, db):
    assert_error(api.post(URL), 401)
