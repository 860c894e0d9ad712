"""The only module that talks to Stripe: a configured client and the few calls Restyle makes.

Kept thin on purpose: Checkout sells a plan, the customer portal manages it, and the webhook (billing/webhooks.py)
tells us when something changed; billing/stripe_sync.py then reads the customer's subscriptions back from here.
"""
from __future__ import annotations

import stripe
from django.conf import settings
from rest_framework import status

from core.errors import ApiError


def payments_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def client() -> stripe.StripeClient:
    if not payments_enabled():
        raise payments_unavailable()
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    http = stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS)
    # No automatic retries: a request waits for one answer, and a webhook that fails is sent again by Stripe.
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses=base, http_client=http, max_network_retries=0)


def payments_unavailable() -> ApiError:
    # 409, not 503: nothing to wait for, this Restyle sells no plans (and a 5xx would say we failed).
    return ApiError("payments_unavailable", "Payments are not set up on this Restyle: plans are assigned by staff.",
                    status_code=status.HTTP_409_CONFLICT)


def stripe_failed(error: stripe.StripeError) -> ApiError:
    return ApiError("payment_provider_error", "Stripe did not answer as expected. Please try again in a minute.",
                    status_code=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "60"})


def customer_create(*, email: str, user_id: int) -> str:
    customer = client().v1.customers.create(params={"email": email, "metadata": {"restyle_user_id": str(user_id)}})
    return customer.id


def checkout_session_create(*, customer_id: str, price_id: str, user_id: int, plan_code: str, success_url: str,
                            cancel_url: str) -> str:
    metadata = {"restyle_user_id": str(user_id), "restyle_plan": plan_code}
    session = client().v1.checkout.sessions.create(params={
        "mode": "subscription",
        "customer": customer_id,
        "line_items": [{"price": price_id, "quantity": 1}],
        "client_reference_id": str(user_id),
        "metadata": metadata,
        "subscription_data": {"metadata": metadata},
        "success_url": success_url,
        "cancel_url": cancel_url,
    })
    return session.url


def checkout_session_customer(session_id: str) -> str:
    return client().v1.checkout.sessions.retrieve(session_id).customer


def portal_session_create(*, customer_id: str, return_url: str) -> str:
    session = client().v1.billing_portal.sessions.create(params={"customer": customer_id, "return_url": return_url})
    return session.url


def subscriptions_of(customer_id: str) -> list[dict]:
    """Every subscription of the customer as Stripe has it now, ended ones included, as plain dicts."""
    page = client().v1.subscriptions.list(params={"customer": customer_id, "status": "all", "limit": 100})
    return [subscription.to_dict() for subscription in page.data]


def event_verified(*, payload: bytes, signature: str) -> dict:
    """The event as a plain dict, if Stripe (holding STRIPE_WEBHOOK_SECRET) signed this very body in the last five
    minutes. Raises ValueError or stripe.SignatureVerificationError otherwise."""
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET).to_dict()
