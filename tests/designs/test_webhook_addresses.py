"""Callbacks never go to private, loopback or link-local addresses (WEBHOOK_ALLOW_PRIVATE_ADDRESSES off, as it
always is in production): refused at submit, after DNS resolution, and again when the call is made. Redirects
are never followed."""
from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from designs.models import Design
from tests.conftest import PASSWORD, assert_error
from tests.designs.conftest import settled_delivery, submit, token_with_secret

PRIVATE = ["http://127.0.0.1/hook", "http://localhost:8080/hook", "http://10.1.2.3/hook", "https://192.168.0.10/",
           "http://169.254.169.254/latest/meta-data/", "http://[::1]/hook", "http://[::ffff:127.0.0.1]/hook",
           "http://0.0.0.0/", "http://2130706433/", "http://100.64.0.1/", "http://[fe80::1]/"]


@pytest.fixture
def production(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False


@pytest.fixture
def app(alice):
    key, _secret = token_with_secret(APIClient(), email=alice.email, password=PASSWORD, name="phone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize("url", PRIVATE)
def test_it_refuses_a_private_callback_at_submit(production, app, url):
    error = assert_error(submit(app, callback_url=url), 400, "invalid_callback_url", "callback_url")
    assert "public addresses only" in error["message"]
    assert not Design.objects.exists()


def test_it_refuses_a_private_default_for_a_token(production, alice):
    response = APIClient().post("/api/v1/auth/token/", {"email": alice.email, "password": PASSWORD,
                                                        "webhook_url": "http://localhost/hook"}, format="json")
    assert_error(response, 400, "invalid_callback_url", "webhook_url")


@pytest.mark.parametrize("url", ["https://93.184.215.14/hook", "http://[::ffff:93.184.215.14]:8443/hook",
                                 "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/"])
def test_it_accepts_a_public_address(production, app, url):
    assert submit(app, callback_url=url).status_code == 202
    assert Design.objects.get().callback_url == url


def test_it_refuses_a_callback_without_a_token(alice):
    client = APIClient()
    client.force_login(alice)  # a browser session has no secret to sign with
    assert_error(submit(client, callback_url="https://93.184.215.14/hook"), 400, "webhook_needs_token",
                 "callback_url")


def test_it_refuses_a_private_address_again_when_calling(worker_control, app, receiver, settings):
    """The name pointed somewhere public at submit and privately now (DNS rebinding): no call is made."""
    design_id = submit(app, callback_url=receiver.url).json()["id"]  # loopback allowed here (settings_test)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    app.post(f"/api/v1/designs/{design_id}/cancel/")
    worker_control.start()
    delivery = settled_delivery(design_id)
    time.sleep(0.5)
    assert receiver.calls == []
    assert delivery.state == "failed" and "127.0.0.1" in delivery.last_error and delivery.next_try_at is None


def test_it_does_not_follow_a_redirect(worker_control, app, receiver):
    receiver.answers = [("redirect", "/elsewhere")]
    design_id = submit(app, callback_url=receiver.url).json()["id"]
    app.post(f"/api/v1/designs/{design_id}/cancel/")
    worker_control.start()
    receiver.wait_for(2)  # the retry, to the same URL
    assert [call.path for call in receiver.calls] == ["/hook", "/hook"]
    delivery = settled_delivery(design_id)
    assert (delivery.state, delivery.attempts) == ("delivered", 2)


def test_production_never_allows_private_addresses():
    from tests.config.test_settings import PRODUCTION, _manage

    result = _manage("shell", "-c", "from django.conf import settings; print(settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES)",
                     env={**PRODUCTION, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"
