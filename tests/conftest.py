from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import token_issue

PASSWORD = "correct horse battery staple"

# tests.skips: in CI a skipped test fails the run; pytester: tests/ops/test_ci_skips.py runs a small suite.
pytest_plugins = ["tests.skips", "pytester"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the Redis cache: every test starts from zero."""
    cache.clear()
    yield


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def alice(db) -> User:
    return User.objects.create_user("alice@example.com", PASSWORD)


@pytest.fixture
def bob(db) -> User:
    return User.objects.create_user("bob@example.com", PASSWORD)


@pytest.fixture
def alice_api(alice) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=alice, name='test')}")
    return client


def assert_error(response, status: int, code: str | None = None, field: str | None = None) -> dict:
    """The documented error shape, with the expected status (and code and field when given)."""
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) >= {"code", "message", "field"}
    assert error["message"]
    if code is not None:
        assert error["code"] == code, error
    if field is not None:
        assert error["field"] == field, error
    return error
