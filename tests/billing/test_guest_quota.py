from __future__ import annotations

import pytest
from django.db import transaction
from django.test import RequestFactory, override_settings

from accounts.requester import requester_from_request
from billing.models import DailyUsage
from billing.services import quota_reserve
from core.errors import ApiError


def _submit_over_http(design_row, **meta) -> None:
    """The guest path of design_create: the requester comes from the request, the design keeps its IP."""
    request = RequestFactory().post("/api/v1/designs/", **meta)
    request.session = {}  # a new browser session each time: clearing cookies must not reset the quota
    requester = requester_from_request(request)
    with transaction.atomic():
        quota_reserve(design=design_row(ip=requester.ip or None), units=1)


def _refused(design_row, **meta) -> bool:
    try:
        _submit_over_http(design_row, **meta)
    except ApiError as error:
        assert error.error_code == "quota_exceeded"
        return True
    return False


def test_it_gives_each_guest_ip_three_designs_a_day(design_row):
    assert [_refused(design_row, REMOTE_ADDR="198.51.100.7") for _ in range(4)] == [False, False, False, True]
    assert not _refused(design_row, REMOTE_ADDR="198.51.100.8")


@override_settings(NUM_PROXIES=0)
def test_it_ignores_a_spoofed_forwarded_for_without_a_proxy(design_row):
    outcomes = [
        _refused(design_row, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}") for i in range(4)
    ]
    assert outcomes == [False, False, False, True]
    assert list(DailyUsage.objects.values_list("guest_ip", flat=True)) == ["198.51.100.7"]


@override_settings(NUM_PROXIES=1)
def test_it_counts_the_address_our_proxy_saw(design_row):
    # The client may prepend anything; only the last entry, appended by our proxy, is trusted.
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    outcomes = [_refused(design_row, **proxy, HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 198.51.100.7") for i in range(4)]
    assert outcomes == [False, False, False, True]
    assert not _refused(design_row, **proxy, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert set(DailyUsage.objects.values_list("guest_ip", flat=True)) == {"198.51.100.7", "198.51.100.8"}


def test_it_counts_an_ipv6_guest_per_64(design_row):
    for suffix in ("1", "2", "3"):
        _submit_over_http(design_row, REMOTE_ADDR=f"2001:db8:1:2::{suffix}")
    with pytest.raises(ApiError):
        _submit_over_http(design_row, REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert DailyUsage.objects.get().guest_ip == "2001:db8:1:2::/64"


def test_it_points_guests_to_signing_up(design_row):
    for _ in range(3):
        _submit_over_http(design_row, REMOTE_ADDR="198.51.100.7")
    with pytest.raises(ApiError, match="Sign up"):
        _submit_over_http(design_row, REMOTE_ADDR="198.51.100.7")
