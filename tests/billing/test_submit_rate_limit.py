from __future__ import annotations

from django.test import override_settings

from billing.services import submit_guard
from core.errors import ApiError
from tests.billing.conftest import guest, member


def _refusals(requesters) -> list[bool]:
    outcomes = []
    for requester in requesters:
        try:
            submit_guard(requester)
            outcomes.append(False)
        except ApiError as error:
            assert (error.status_code, error.error_code) == (429, "rate_limited")
            assert int(error.headers["Retry-After"]) >= 1
            outcomes.append(True)
    return outcomes


@override_settings(RATELIMIT_SUBMIT="3/m")
def test_it_cuts_a_submit_flood_from_one_ip(db):
    # New guest sessions do not help: the client's address is counted.
    assert _refusals([guest(key=f"session-{i}") for i in range(4)]) == [False, False, False, True]
    assert _refusals([guest(ip="198.51.100.99")]) == [False]


@override_settings(RATELIMIT_SUBMIT="3/m")
def test_it_cuts_a_submit_flood_from_one_user_on_many_ips(alice):
    requesters = [member(alice, ip=f"198.51.100.{i}") for i in range(4)]
    assert _refusals(requesters) == [False, False, False, True]


@override_settings(RATELIMIT_SUBMIT="3/m")
def test_it_counts_an_ipv6_client_by_its_64(db):
    requesters = [guest(ip=f"2001:db8::{i}") for i in range(1, 5)]
    assert _refusals(requesters) == [False, False, False, True]


@override_settings(RATELIMIT_SUBMIT="1/m", RATELIMIT_ENABLE=False)
def test_it_can_be_switched_off(db):
    assert _refusals([guest(), guest()]) == [False, False]

