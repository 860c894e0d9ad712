"""Helpers for the payment tests: localstripe set up as Restyle's Stripe, and events posted to the webhook
signed as Stripe signs them."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from billing.models import StripeCustomer
from billing.selectors import plan_get
from tests.stripe_server import StripeServer

SECRET_KEY = "sk_test_restyle"
WEBHOOK_SECRET = "whsec_test_restyle"
PRICE = "price_premium_monthly"
WEBHOOK = "/billing/stripe/webhook/"


@pytest.fixture
def payments(stripe_server, settings, db) -> StripeServer:
    """Payments on, against an empty localstripe that sells the premium plan at PRICE."""
    stripe_server.flush()
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = SECRET_KEY, WEBHOOK_SECRET
    settings.STRIPE_API_BASE = stripe_server.url
    stripe_server.call("POST", "/v1/products", {"id": "prod_premium", "name": "Restyle Premium", "type": "service"})
    stripe_server.call("POST", "/v1/plans", {"id": PRICE, "amount": 1200, "currency": "usd", "interval": "month",
                                             "product": "prod_premium", "nickname": "Premium"})
    premium = plan_get(code="premium")  # a flushed database (transactional tests) has lost the built-in rows
    premium.stripe_price_id = PRICE
    premium.save(update_fields=["stripe_price_id"])
    return stripe_server


def signature(payload: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    at = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def deliver(client, event: dict, **signing):
    """POST one event to the webhook the way Stripe does."""
    payload = json.dumps(event).encode()
    return client.post(WEBHOOK, data=payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=signature(payload, **signing))


def events(server: StripeServer, event_type: str) -> list[dict]:
    """The events localstripe made, of one type, oldest first."""
    found = server.call("GET", f"/v1/events?type={event_type}&limit=100")["data"]
    return sorted(found, key=lambda event: event["created"])


def subscribe(server: StripeServer, user, *, card: str = "4242424242424242") -> dict:
    """What a person does in Checkout: Restyle makes the customer and the session, the hosted page is paid.
    Returns the subscription localstripe made."""
    from billing.payments import billing_checkout_url

    url = billing_checkout_url(user=user, plan_code="premium", success_url="http://testserver/billing/checkout/"
                               "done/?session_id={CHECKOUT_SESSION_ID}", cancel_url="http://testserver/pricing/")
    assert url.startswith(f"{server.url}/pay/cs_test_"), url
    post_form(url, {"card": card})
    customer = StripeCustomer.objects.get(user=user).customer_id
    [subscription] = server.call("GET", f"/v1/subscriptions?customer={customer}&status=all")["data"]
    return subscription


def post_form(url: str, fields: dict) -> int:
    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, data=urlencode(fields).encode())
    try:
        with urllib.request.build_opener(Stay).open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:  # the 303 to the success URL
        assert error.code == 303, error.read()
        return error.code
