from __future__ import annotations

from accounts.models import ApiToken
from tests.conftest import PASSWORD, assert_error

URL = "/api/v1/auth/token/"


def _login(api, **extra):
    return api.post(URL, {"email": "alice@example.com", "password": PASSWORD, **extra}, format="json")


def test_it_issues_a_token_that_authenticates(api, alice):
    token = _login(api).json()["token"]
    response = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert response.json()["user"]["email"] == "alice@example.com"


def test_it_accepts_bearer_too(api, alice):
    token = _login(api).json()["token"]
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_it_rejects_a_wrong_password(api, alice):
    response = api.post(URL, {"email": "alice@example.com", "password": "wrong password"}, format="json")
    assert_error(response, 400, "invalid_credentials")
    assert not ApiToken.objects.exists()


def test_it_revokes_the_calling_token(api, alice):
    token = _login(api, name="phone").json()["token"]
    other = _login(api, name="tablet").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.delete(URL).status_code == 204
    assert_error(api.get("/api/v1/me/"), 401, "authentication_failed")
    api.credentials()
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {other}").status_code == 200


def test_it_keeps_one_token_per_device(api, alice):
    first = _login(api, name="phone").json()["token"]
    second = _login(api, name="phone").json()["token"]
    assert ApiToken.objects.filter(user=alice, name="phone").count() == 1
    assert_error(api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {first}"), 401)
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {second}").status_code == 200


def test_it_records_last_use(api, alice):
    token = _login(api).json()["token"]
    assert ApiToken.objects.get().last_used_at is None
    api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert ApiToken.objects.get().last_used_at is not None


def test_it_rejects_a_forged_key_with_a_real_prefix(api, alice):
    token = _login(api).json()["token"]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert_error(api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {forged}"), 401)


def test_it_needs_authentication_for_me(api, db):
    assert_error(api.get("/api/v1/me/"), 401, "not_authenticated")
