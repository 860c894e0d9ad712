"""X-Forwarded-For counts only as NUM_PROXIES and FORWARDED_ALLOW_IPS say, in core.clients.client_ip alone: the
server `make run` starts must not let a local client rewrite its address (uvicorn's default trusts 127.0.0.1)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.test import RequestFactory, override_settings

from core.clients import client_ip
from tests.config.conftest import photo_form
from tests.designs.conftest import photo_bytes


def _guest_submit(server, forwarded_for: str) -> int:
    body, content_type = photo_form(photo_bytes())
    request = urllib.request.Request(f"{server.url}/api/v1/designs/", data=body, method="POST", headers={
        "Content-Type": content_type, "X-Forwarded-For": forwarded_for})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        if error.code == 429:
            assert json.loads(error.read())["error"]["code"] == "quota_exceeded"
        return error.code


@pytest.mark.django_db(transaction=True)
def test_it_ignores_forwarded_for_from_a_local_client_of_make_run(serve):
    server = serve()  # NUM_PROXIES unset: no proxy in front
    statuses = [_guest_submit(server, f"203.0.113.{i}") for i in range(4)]
    assert statuses == [202, 202, 202, 429]  # the guest plan's 3 a day, for 127.0.0.1 whatever the header says


@pytest.mark.django_db(transaction=True)
def test_it_counts_the_address_a_configured_proxy_saw(serve):
    server = serve(NUM_PROXIES="1", FORWARDED_ALLOW_IPS="127.0.0.0/8")  # the "proxy" is this test, on loopback
    assert [_guest_submit(server, f"6.6.6.{i}, 203.0.113.9") for i in range(4)] == [202, 202, 202, 429]
    assert _guest_submit(server, "203.0.113.10") == 202  # another client behind the same proxy


@override_settings(NUM_PROXIES=1, FORWARDED_ALLOW_IPS=[__import__("ipaddress").ip_network("10.0.0.0/8")])
def test_it_ignores_forwarded_for_from_a_peer_that_is_not_a_proxy():
    factory = RequestFactory()
    assert client_ip(factory.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.9")) == "203.0.113.9"
    assert client_ip(factory.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9")) == "198.51.100.7"
