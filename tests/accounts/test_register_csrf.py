"""A page on another site cannot register accounts (or send sign-ins) through the API with a plain form post."""
from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from tests.conftest import PASSWORD, assert_error

CROSS_SITE = {"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "cross-site"}


@pytest.fixture
def browser() -> Client:
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"])
def test_it_refuses_a_form_post_to_register(browser, db, content_type):
    body = {"email": "victim-made@example.com", "password": PASSWORD}
    if content_type == "multipart/form-data":
        response = browser.post("/api/v1/auth/register/", body, **CROSS_SITE)
    elif content_type == "text/plain":  # what <form enctype="text/plain"> sends, JSON-looking or not
        response = browser.post("/api/v1/auth/register/", '{"email": "victim-made@example.com", "password": "x"}',
                                content_type=content_type, **CROSS_SITE)
    else:
        response = browser.post("/api/v1/auth/register/", "email=victim-made%40example.com&password=long+pass+42",
                                content_type=content_type, **CROSS_SITE)
    assert_error(response, 415, "unsupported_media_type")
    assert not User.objects.filter(email="victim-made@example.com").exists()


def test_it_refuses_a_form_post_to_the_token_api(browser, alice):
    response = browser.post("/api/v1/auth/token/", {"email": "alice@example.com", "password": PASSWORD},
                            **CROSS_SITE)
    assert_error(response, 415, "unsupported_media_type")


def test_it_takes_json_from_the_app(browser, db):
    response = browser.post("/api/v1/auth/register/", {"email": "app@example.com", "password": PASSWORD},
                            content_type="application/json")
    assert response.status_code == 201
    assert User.objects.filter(email="app@example.com").exists()
