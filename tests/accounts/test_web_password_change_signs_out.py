"""The account page's password change ends API tokens and other sessions too, like the API's (one service)."""
from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tokens import token_issue
from tests.conftest import PASSWORD, assert_error

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another long passphrase 42"


def test_it_signs_out_tokens_and_other_sessions_but_keeps_this_one(client, alice):
    phone = token_issue(user=alice, name="phone")
    client.force_login(alice)
    other = Client()
    other.force_login(alice)

    response = client.post("/account/password/",
                           {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    assert other.get("/account/").status_code == 302
    assert_error(APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {phone}"), 401)
