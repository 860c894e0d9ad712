"""Sign-ups are limited per client network, an IPv6 /64 being one network, and per hour by accounts created."""
from __future__ import annotations

from django.test import override_settings

from accounts.models import User
from tests.conftest import PASSWORD, assert_error

URL = "/api/v1/auth/register/"
SAME_64 = ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff:ffff:ffff:ffff"]


def _register(api, email: str, ip: str):
    return api.post(URL, {"email": email, "password": PASSWORD}, format="json", REMOTE_ADDR=ip)


@override_settings(SIGNUPS_PER_NETWORK_PER_HOUR=2, RATELIMIT_REGISTER="100/m")
def test_it_counts_one_ipv6_64_as_one_network(api, db):
    assert _register(api, "a@example.com", SAME_64[0]).status_code == 201
    assert _register(api, "b@example.com", SAME_64[1]).status_code == 201
    response = _register(api, "c@example.com", SAME_64[2])
    error = assert_error(response, 429, "rate_limited")
    assert "network" in error["message"]
    assert int(response["Retry-After"]) <= 3600
    assert _register(api, "d@example.com", "2001:db8:1:3::1").status_code == 201  # the next /64 is someone else
    assert not User.objects.filter(email="c@example.com").exists()


@override_settings(RATELIMIT_REGISTER="2/m", SIGNUPS_PER_NETWORK_PER_HOUR=100)
def test_it_counts_sign_up_attempts_per_64_too(api, db):
    for ip, email in zip(SAME_64[:2], ["a@example.com", "b@example.com"], strict=True):
        _register(api, email, ip)
    assert_error(_register(api, "c@example.com", SAME_64[2]), 429, "rate_limited")


@override_settings(SIGNUPS_PER_NETWORK_PER_HOUR=1, RATELIMIT_REGISTER="100/m")
def test_it_counts_accounts_created_not_refused_sign_ups(api, alice):
    for _ in range(3):
        assert_error(_register(api, "alice@example.com", "192.0.2.5"), 400, "email_taken")
    assert _register(api, "new@example.com", "192.0.2.5").status_code == 201
    assert_error(_register(api, "newer@example.com", "192.0.2.5"), 429, "rate_limited")


@override_settings(SIGNUPS_PER_NETWORK_PER_HOUR=1, RATELIMIT_REGISTER="100/m")
def test_it_limits_the_web_sign_up_form_by_network_too(client, db):
    form = {"password1": PASSWORD, "password2": PASSWORD}
    assert client.post("/signup/", {"email": "a@example.com", **form}, REMOTE_ADDR=SAME_64[0]).status_code == 302
    client.logout()
    response = client.post("/signup/", {"email": "b@example.com", **form}, REMOTE_ADDR=SAME_64[1])
    assert response.status_code == 429
    assert not User.objects.filter(email="b@example.com").exists()
