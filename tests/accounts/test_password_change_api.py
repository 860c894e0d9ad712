"""POST /api/v1/auth/password/change/: every other token and session ends; the calling one keeps working."""
from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import token_issue
from tests.conftest import PASSWORD, assert_error

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a brand new pass phrase 2026"
URL = "/api/v1/auth/password/change/"


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _browser_signed_in() -> Client:
    browser = Client()
    response = browser.post("/login/", {"username": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert browser.get("/account/").status_code == 200
    return browser


def test_it_ends_every_other_token_and_session_but_the_callers(alice):
    phone = token_issue(user=alice, name="phone")
    tablet = token_issue(user=alice, name="tablet")
    browser = _browser_signed_in()

    response = _client(phone).post(URL, {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json")

    assert response.status_code == 204, response.content
    assert User.objects.get(pk=alice.pk).check_password(NEW_PASSWORD)
    assert _client(phone).get("/api/v1/me/").status_code == 200
    assert_error(_client(tablet).get("/api/v1/me/"), 401)
    assert browser.get("/account/").status_code == 302  # signed out: back to the login page


def test_it_keeps_the_calling_browser_session_and_ends_the_tokens(alice):
    phone = token_issue(user=alice, name="phone")
    browser = _browser_signed_in()
    other_browser = _browser_signed_in()

    response = browser.post(URL, {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                            content_type="application/json")

    assert response.status_code == 204, response.content
    assert browser.get("/account/").status_code == 200
    assert other_browser.get("/account/").status_code == 302
    assert_error(_client(phone).get("/api/v1/me/"), 401)


def test_it_refuses_a_wrong_current_password_or_a_weak_new_one(alice):
    phone = token_issue(user=alice, name="phone")
    tablet = token_issue(user=alice, name="tablet")
    wrong = _client(phone).post(URL, {"current_password": "nope", "new_password": NEW_PASSWORD}, format="json")
    assert_error(wrong, 400, "wrong_password", "current_password")
    weak = _client(phone).post(URL, {"current_password": PASSWORD, "new_password": "123"}, format="json")
    assert_error(weak, 400, "weak_password", "new_password")
    assert User.objects.get(pk=alice.pk).check_password(PASSWORD)
    assert _client(tablet).get("/api/v1/me/").status_code == 200
