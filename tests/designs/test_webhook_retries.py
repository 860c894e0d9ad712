"""A call that fails (a 500, a receiver slower than WEBHOOK_TIMEOUT_SECONDS) is tried again with backoff by the
worker, until it is answered 2xx or the retry window passes. settings_test makes the waits short."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.conftest import PASSWORD
from tests.designs.conftest import settled_delivery, submit, token_with_secret


@pytest.fixture
def cancelled_design(worker_control, alice, receiver):
    """A design that ends by cancel (no GPU run needed) with its callback on the receiver; then the worker."""

    def make() -> str:
        key, _secret = token_with_secret(APIClient(), email=alice.email, password=PASSWORD, name="phone")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        design_id = submit(client, callback_url=receiver.url).json()["id"]
        assert client.post(f"/api/v1/designs/{design_id}/cancel/").status_code == 200
        worker_control.start()
        return design_id

    return make


def test_it_retries_after_a_server_error(cancelled_design, receiver):
    receiver.answers = [500, 503]
    design_id = cancelled_design()
    calls = receiver.wait_for(3)
    delivery = settled_delivery(design_id)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 3, 200)
    assert len({call.headers["Restyle-Delivery"] for call in calls}) == 1  # the same delivery, tried again
    assert len(receiver.calls) == 3


def test_it_retries_after_a_timeout(cancelled_design, receiver, settings):
    receiver.answers = [("sleep", settings.WEBHOOK_TIMEOUT_SECONDS + 1)]
    design_id = cancelled_design()
    receiver.wait_for(2)
    delivery = settled_delivery(design_id)
    assert (delivery.state, delivery.attempts) == ("delivered", 2)


def test_it_gives_up_when_the_window_passes(cancelled_design, receiver, settings):
    settings.WEBHOOK_RETRY_FOR_SECONDS = 1
    receiver.answers = [500] * 100
    design_id = cancelled_design()
    delivery = settled_delivery(design_id)
    assert delivery.state == "failed" and delivery.next_try_at is None
    assert "gave up" in delivery.last_error and delivery.last_status == 500
    assert delivery.attempts == len(receiver.calls) >= 2
