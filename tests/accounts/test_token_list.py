"""GET /api/v1/auth/tokens/ and DELETE /api/v1/auth/tokens/<id>/: an app sees and revokes its user's devices."""
from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import token_issue
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_it_lists_the_tokens_without_their_secrets(alice, bob):
    phone = token_issue(user=alice, name="phone")
    tablet = token_issue(user=alice, name="tablet")
    token_issue(user=bob, name="bob's phone")
    _client(tablet).get("/api/v1/me/")  # records the tablet's last use

    response = _client(phone).get("/api/v1/auth/tokens/")

    assert response.status_code == 200, response.content
    tokens = {token["name"]: token for token in response.json()}
    assert set(tokens) == {"phone", "tablet"}
    for key, token in ((phone, tokens["phone"]), (tablet, tokens["tablet"])):
        assert set(token) == {"id", "name", "prefix", "created_at", "last_used_at", "current"}
        assert key.startswith(f"rs_{token['prefix']}_") and len(token["prefix"]) >= 8
        assert key not in response.content.decode() and key.split("_", 2)[2] not in response.content.decode()
        assert ISO.match(token["created_at"])
    assert tokens["phone"]["current"] is True and tokens["tablet"]["current"] is False
    assert ISO.match(tokens["tablet"]["last_used_at"])
    assert "key_hash" not in response.content.decode()


def test_it_revokes_another_of_your_tokens_by_id(alice):
    phone = token_issue(user=alice, name="phone")
    lost = token_issue(user=alice, name="lost tablet")
    lost_id = ApiToken.objects.get(name="lost tablet").pk

    assert _client(phone).delete(f"/api/v1/auth/tokens/{lost_id}/").status_code == 204

    assert_error(_client(lost).get("/api/v1/me/"), 401)
    assert _client(phone).get("/api/v1/me/").status_code == 200
    assert [token["name"] for token in _client(phone).get("/api/v1/auth/tokens/").json()] == ["phone"]


def test_it_never_revokes_someone_elses_token(alice, bob):
    phone = token_issue(user=alice, name="phone")
    theirs = token_issue(user=bob, name="phone")
    their_id = ApiToken.objects.get(user=bob).pk
    assert_error(_client(phone).delete(f"/api/v1/auth/tokens/{their_id}/"), 404, "not_found")
    assert _client(theirs).get("/api/v1/me/").status_code == 200


def test_it_needs_a_signed_in_caller(db):
    assert_error(APIClient().get("/api/v1/auth/tokens/"), 401)
    assert_error(APIClient().delete("/api/v1/auth/tokens/1/"), 401)
