"""The sign-in limits count failed passwords, not attempts, and a success clears only the owner's own typos."""
from __future__ import annotations

from django.test import override_settings

from tests.conftest import PASSWORD, assert_error

URL = "/api/v1/auth/token/"
A, B = "203.0.113.7", "198.51.100.20"


def _token(api, email: str, password: str, ip: str):
    return api.post(URL, {"email": email, "password": password}, format="json", REMOTE_ADDR=ip)


@override_settings(RATELIMIT_LOGIN="3/m")
def test_it_never_counts_the_right_password(api, alice):
    codes = [_token(api, "alice@example.com", PASSWORD, A).status_code for _ in range(6)]
    assert codes == [200] * 6


@override_settings(RATELIMIT_LOGIN="3/m")
def test_it_forgets_the_owners_typo_once_the_password_is_right(api, alice):
    """A typo the owner then corrected does not make their network one of those refused in a later flood."""
    assert _token(api, "alice@example.com", "typo", B).status_code == 400
    assert _token(api, "alice@example.com", PASSWORD, B).status_code == 200
    for i in range(3):
        _token(api, "alice@example.com", "guess", f"10.1.0.{i}")
    assert_error(_token(api, "alice@example.com", PASSWORD, "10.1.0.0"), 429, "rate_limited")
    assert _token(api, "alice@example.com", PASSWORD, B).status_code == 200


@override_settings(RATELIMIT_LOGIN="3/m")
def test_it_keeps_a_networks_failures_when_it_signs_in_to_its_own_account(api, alice, bob):
    """Signing in to an account you own between guesses buys no more guesses at someone else's."""
    for _ in range(2):
        _token(api, "alice@example.com", "guess", A)
    assert _token(api, "bob@example.com", PASSWORD, A).status_code == 200
    _token(api, "carol@example.com", "guess", A)
    assert_error(_token(api, "bob@example.com", PASSWORD, A), 429, "rate_limited")


@override_settings(RATELIMIT_LOGIN="3/m")
def test_it_keeps_the_accounts_failures_when_the_owner_signs_in(api, alice):
    """The owner signing in from home does not hand the networks that guessed a new budget."""
    for i in range(3):
        _token(api, "alice@example.com", "guess", f"10.1.0.{i}")
    assert _token(api, "alice@example.com", PASSWORD, B).status_code == 200
    assert_error(_token(api, "alice@example.com", PASSWORD, "10.1.0.1"), 429, "rate_limited")


@override_settings(RATELIMIT_LOGIN="3/m")
def test_it_counts_wrong_passwords_at_account_deletion(client, alice):
    client.force_login(alice)
    for _ in range(3):
        response = client.post("/account/delete/", {"password": "guess", "confirm": "on"})
        assert response.status_code == 400
    response = client.post("/account/delete/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 429
    assert response["Retry-After"]


@override_settings(RATELIMIT_LOGIN="3/m")
def test_it_does_not_count_an_unticked_confirmation_as_a_failure(client, alice):
    client.force_login(alice)
    for _ in range(4):
        assert client.post("/account/delete/", {"password": PASSWORD}).status_code == 400
    assert client.post("/account/delete/", {"password": PASSWORD, "confirm": "on"}).status_code == 302


@override_settings(RATELIMIT_LOGIN_ATTEMPTS="3/m")
def test_it_bounds_every_networks_attempts_without_touching_other_networks(api, alice):
    """Right passwords are not failures, but a network still cannot ask for unlimited password checks."""
    assert [_token(api, "alice@example.com", PASSWORD, A).status_code for _ in range(3)] == [200] * 3
    assert_error(_token(api, "alice@example.com", PASSWORD, A), 429, "rate_limited")
    assert _token(api, "alice@example.com", PASSWORD, B).status_code == 200
