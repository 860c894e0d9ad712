from __future__ import annotations

from accounts.models import ApiToken, User
from tests.conftest import PASSWORD, assert_error

URL = "/api/v1/auth/register/"


def test_it_creates_the_account_and_returns_a_token(api, db):
    response = api.post(URL, {"email": "New@Example.com", "password": PASSWORD}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == "new@example.com"
    assert body["token"].startswith("rs_")
    assert User.objects.get(email="new@example.com").check_password(PASSWORD)
    me = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert me.json()["user"]["email"] == "new@example.com"


def test_it_rejects_a_duplicate_email_case_insensitively(api, alice):
    response = api.post(URL, {"email": "ALICE@example.com", "password": PASSWORD}, format="json")
    assert_error(response, 400, "email_taken", "email")
    assert User.objects.count() == 1


def test_it_rejects_a_weak_password(api, db):
    response = api.post(URL, {"email": "c@example.com", "password": "12345678"}, format="json")
    assert_error(response, 400, "weak_password", "password")
    assert not User.objects.exists()


def test_it_rejects_a_malformed_email(api, db):
    response = api.post(URL, {"email": "not-an-email", "password": PASSWORD}, format="json")
    assert_error(response, 400, field="email")


def test_it_rejects_malformed_json(api, db):
    response = api.post(URL, data='{"email": "x@example.com", "password": ', content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_it_names_a_missing_field(api, db):
    response = api.post(URL, {"email": "x@example.com"}, format="json")
    assert_error(response, 400, "required", "password")


def test_it_stores_only_a_hash_of_the_token(api, db):
    token = api.post(URL, {"email": "d@example.com", "password": PASSWORD}, format="json").json()["token"]
    row = ApiToken.objects.get()
    assert token not in (row.key_hash, row.prefix)
    assert row.prefix in token
