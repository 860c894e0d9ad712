"""Reset requests are limited per address and per network, the same for addresses with and without an account."""
from __future__ import annotations

from accounts.mail import mail_drain
from tests.conftest import assert_error

URL = "/api/v1/auth/password/reset/"


def test_it_limits_requests_per_address_whether_or_not_it_has_an_account(api, alice, mailbox, settings):
    settings.RATELIMIT_PASSWORD_RESET = "2/h"
    for email in ("alice@example.com", "nobody@example.com"):
        for _ in range(2):
            assert api.post(URL, {"email": email}, format="json").status_code == 202
        error = assert_error(api.post(URL, {"email": email.upper()}, format="json"), 429, "rate_limited")
        assert error["field"] is None
    mailbox.wait(2)
    mail_drain()
    assert mailbox.recipients == [["alice@example.com"]] * 2


def test_it_limits_requests_per_network_across_addresses(api, alice, mailbox, settings):
    settings.RATELIMIT_PASSWORD_RESET_NETWORK = "3/h"
    for number in range(3):
        assert api.post(URL, {"email": f"guess{number}@example.com"}, format="json").status_code == 202
    assert_error(api.post(URL, {"email": "alice@example.com"}, format="json"), 429, "rate_limited")
    other_network = api.post(URL, {"email": "alice@example.com"}, format="json", REMOTE_ADDR="198.51.100.7")
    assert other_network.status_code == 202
    mailbox.wait(1)
    mail_drain()
    assert len(mailbox.messages) == 1
