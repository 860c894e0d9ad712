from __future__ import annotations

from django.test import override_settings

from tests.conftest import PASSWORD, assert_error


@override_settings(RATELIMIT_LOGIN="5/m")
def test_it_cuts_a_login_flood_from_one_ip(api, alice):
    codes = [
        api.post("/api/v1/auth/token/", {"email": f"u{i}@example.com", "password": "x"}, format="json").status_code
        for i in range(7)
    ]
    assert codes[:5] == [400] * 5
    response = api.post("/api/v1/auth/token/", {"email": "alice@example.com", "password": "x"}, format="json")
    error = assert_error(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "seconds" in error["message"]


@override_settings(RATELIMIT_LOGIN="3/m")
def test_it_cuts_a_guess_spread_over_networks_only_for_the_networks_that_guessed(api, alice):
    for i in range(3):
        api.post("/api/v1/auth/token/", {"email": "alice@example.com", "password": "x"}, format="json",
                 REMOTE_ADDR=f"10.0.0.{i}")
    response = api.post("/api/v1/auth/token/", {"email": "ALICE@example.com", "password": PASSWORD}, format="json",
                        REMOTE_ADDR="10.0.0.1")
    assert_error(response, 429, "rate_limited")
    response = api.post("/api/v1/auth/token/", {"email": "alice@example.com", "password": PASSWORD}, format="json",
                        REMOTE_ADDR="10.0.0.99")
    assert response.status_code == 200, response.content


@override_settings(RATELIMIT_REGISTER="2/m")
def test_it_cuts_a_registration_flood(api, db):
    for i in range(2):
        api.post("/api/v1/auth/register/", {"email": f"r{i}@example.com", "password": "x"}, format="json")
    response = api.post("/api/v1/auth/register/", {"email": "r9@example.com", "password": "x"}, format="json")
    assert_error(response, 429, "rate_limited")
    assert response["Retry-After"]


@override_settings(RATELIMIT_LOGIN="2/m")
def test_it_cuts_the_web_login_form_too(client, alice):
    for _ in range(2):
        client.post("/login/", {"username": "alice@example.com", "password": "x"})
    response = client.post("/login/", {"username": "alice@example.com", "password": "x"})
    assert response.status_code == 429
    assert response["Retry-After"]
