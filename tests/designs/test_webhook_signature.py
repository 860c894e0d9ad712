"""A design's callback gets one signed call when it ends: the signature recomputed here from the secret shown
with the token matches, and the body is the design's state."""
from __future__ import annotations

import hashlib
import hmac
import time

from rest_framework.test import APIClient

from tests.conftest import PASSWORD
from tests.designs.conftest import settled_delivery, submit, token_with_secret, wait_for


def _verify(secret: str, header: str, body: bytes) -> int:
    """What a receiver does (README, Webhooks): t and v1 from the header, HMAC-SHA256 over "<t>.<body>"."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, fields["v1"])
    return int(fields["t"])


def test_it_signs_the_completed_call_with_the_tokens_secret(worker, alice, receiver):
    key, secret = token_with_secret(APIClient(), email=alice.email, password=PASSWORD, name="phone")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    design_id = submit(client, callback_url=receiver.url).json()["id"]
    state = wait_for(client, design_id)
    assert state["status"] == "completed", state["error"]

    [call] = receiver.wait_for(1)
    stamp = _verify(secret, call.headers["Restyle-Signature"], call.body)
    assert abs(time.time() - stamp) < 60
    assert call.path == "/hook" and call.headers["Content-Type"] == "application/json"
    assert call.headers["Restyle-Event"] == "design.completed" and call.payload["event"] == "design.completed"
    delivery = settled_delivery(design_id)
    assert call.headers["Restyle-Delivery"] == call.payload["id"] == str(delivery.pk)
    design = call.payload["design"]
    assert design["id"] == design_id and design["status"] == "completed" and len(design["results"]) == 1
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None

    forged = call.body.replace(b'"completed"', b'"failed"', 1)
    fields = dict(part.split("=", 1) for part in call.headers["Restyle-Signature"].split(","))
    assert hmac.new(secret.encode(), fields["t"].encode() + b"." + forged, hashlib.sha256).hexdigest() != fields["v1"]


def test_it_calls_the_tokens_default_url_on_cancel(worker_control, alice, receiver):
    key, secret = token_with_secret(APIClient(), email=alice.email, password=PASSWORD, name="server",
                                    webhook_url=receiver.url)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    design_id = submit(client).json()["id"]  # no callback_url: the token's default
    assert client.post(f"/api/v1/designs/{design_id}/cancel/").json()["status"] == "cancelled"
    worker_control.start()

    [call] = receiver.wait_for(1)
    _verify(secret, call.headers["Restyle-Signature"], call.body)
    assert call.payload["event"] == "design.cancelled" and call.payload["design"]["status"] == "cancelled"
