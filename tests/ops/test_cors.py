"""CORS: the JSON API answers configured app origins only; pages never send CORS headers."""
from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

APP = "https://app.example.com"
ALLOW = "access-control-allow-origin"


def _preflight(client, path: str, origin: str):
    return client.options(path, HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
                          HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, idempotency-key")


@override_settings(CORS_ALLOWED_ORIGINS=[APP])
def test_a_configured_origin_may_call_the_api(client):
    response = _preflight(client, "/api/v1/designs/", APP)
    assert response.headers[ALLOW] == APP
    assert "idempotency-key" in response.headers["access-control-allow-headers"]
    simple = client.get("/api/v1/styles/", HTTP_ORIGIN=APP)
    assert simple.headers[ALLOW] == APP
    assert "X-Request-ID" in simple.headers["access-control-expose-headers"]


@override_settings(CORS_ALLOWED_ORIGINS=[APP])
def test_another_origin_gets_no_cors_headers(client):
    assert ALLOW not in _preflight(client, "/api/v1/designs/", "https://evil.example.net").headers
    assert ALLOW not in client.get("/api/v1/styles/", HTTP_ORIGIN="https://evil.example.net").headers


@override_settings(CORS_ALLOWED_ORIGINS=[APP])
def test_pages_outside_the_api_send_none(client):
    assert ALLOW not in client.get("/login/", HTTP_ORIGIN=APP).headers


def test_no_origin_is_allowed_by_default(client):
    assert ALLOW not in client.get("/api/v1/styles/", HTTP_ORIGIN=APP).headers
