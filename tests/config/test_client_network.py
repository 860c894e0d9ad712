"""The client's network: the unit every per-client limit counts (an IPv4 address, or an IPv6 /64)."""
from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from core.clients import client_network, network_key


@pytest.mark.parametrize(("ip", "network"), [
    ("203.0.113.9", "203.0.113.9"),
    ("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd:12::/64"),
    ("2001:DB8:ABCD:12::ffff", "2001:db8:abcd:12::/64"),
    ("::ffff:198.51.100.4", "198.51.100.4"),
    ("", "unknown"),
    ("not-an-ip", "unknown"),
])
def test_it_names_the_network(ip, network):
    assert network_key(ip) == network


@override_settings(NUM_PROXIES=0)
def test_it_takes_the_network_of_the_client_address():
    request = RequestFactory().get("/", REMOTE_ADDR="2001:db8:0:7::99")
    assert client_network(request) == "2001:db8:0:7::/64"
