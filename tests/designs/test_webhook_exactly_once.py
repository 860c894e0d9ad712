"""One call per terminal state, whatever restarts: the delivery row is unique per (design, event) and made in
the transaction that ends the design; a delivered row is never sent again; a delivery whose message was lost
(the worker died before sending it, Redis restarted) is sent by the reaper, once."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from designs import webhooks, worker
from designs.actors import deliver_webhook, process_design
from designs.models import Status, WebhookDelivery
from tests.conftest import PASSWORD
from tests.designs.conftest import submit, token_with_secret, wait_for


@pytest.fixture
def app(alice):
    key, _secret = token_with_secret(APIClient(), email=alice.email, password=PASSWORD, name="phone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _restart(worker_control) -> None:
    worker_control.stop()
    worker_control.start()


def _settle(worker_control) -> None:
    worker_control.broker.join("default", timeout=30_000)
    worker_control.drain()


def test_it_calls_once_per_end_across_a_worker_restart(worker_control, app, receiver, settings):
    settings.WEBHOOK_RESEND_AFTER_SECONDS = 0
    worker_control.start()
    design_id = submit(app, callback_url=receiver.url).json()["id"]
    assert wait_for(app, design_id)["status"] == Status.COMPLETED
    receiver.wait_for(1)
    [delivery] = WebhookDelivery.objects.filter(design_id=design_id)

    _restart(worker_control)  # and every message of that design comes again, as after a crash before its ack
    process_design.send(design_id)
    deliver_webhook.send(str(delivery.pk))
    _settle(worker_control)
    assert worker.design_abort(design_id, "timeout", "late reaper", refund=True) is False  # an end happens once
    assert app.post(f"/api/v1/designs/{design_id}/cancel/").status_code == 409
    assert webhooks.deliveries_resend() == 0
    _settle(worker_control)

    assert [call.payload["event"] for call in receiver.calls] == ["design.completed"]
    assert WebhookDelivery.objects.filter(design_id=design_id).count() == 1


def test_it_sends_a_lost_delivery_once(worker_control, app, receiver, settings):
    """The worker died between the commit that ended the design and sending its delivery's message."""
    settings.WEBHOOK_RESEND_AFTER_SECONDS = 0
    design_id = submit(app, callback_url=receiver.url).json()["id"]
    app.post(f"/api/v1/designs/{design_id}/cancel/")
    worker_control.broker.flush("default")  # the message is gone; the row that records the end is not
    assert WebhookDelivery.objects.get(design_id=design_id).state == "pending"

    worker_control.start()
    assert webhooks.deliveries_resend() == 1  # the reaper's sweep
    receiver.wait_for(1)
    _settle(worker_control)
    assert webhooks.deliveries_resend() == 0
    _settle(worker_control)
    assert [call.payload["event"] for call in receiver.calls] == ["design.cancelled"]
    assert WebhookDelivery.objects.get(design_id=design_id).state == "delivered"
