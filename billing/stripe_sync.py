"""Stripe's word on a customer becomes the user's plan, through the same subscription_change staff use.

Every event is only a trigger: the state applied is the customer's subscriptions as Stripe has them *now*, read
while the customer's row is locked. So events may come twice, late or out of order (Stripe promises no order):
a stale `customer.subscription.updated` arriving after the `deleted` reads the canceled subscription and changes
nothing, and the same event twice finds the plan already right. Each event id is recorded once (StripeEvent),
in the same transaction as its effect; if Stripe cannot be read, nothing is recorded and Stripe sends it again.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.mail import mail_send
from billing import stripe_api
from billing.models import Plan, StripeCustomer, StripeEvent, Subscription
from billing.payments import PAYING_STATUSES
from billing.selectors import plan_get
from billing.services import subscription_change

log = logging.getLogger(__name__)

# Events that may change what a customer pays for. Any other event is recorded and otherwise ignored.
SYNC_EVENTS = frozenset({
    "checkout.session.completed", "checkout.session.async_payment_succeeded",
    "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
    "customer.subscription.paused", "customer.subscription.resumed",
    "invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed",
})


def stripe_event_handle(*, event, portal_url: str) -> str:
    """Apply one verified event at most once. Returns what happened, for the log and the admin."""
    data = event["data"]["object"]
    customer_id = _customer_of(event["type"], data)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(
                    event_id=event["id"], type=event["type"], customer_id=customer_id,
                    created=datetime.fromtimestamp(event["created"], tz=UTC),
                )
        except IntegrityError:  # delivered before (or right now, by a concurrent request that committed first)
            return "duplicate"
        outcome = "ignored"
        if event["type"] in SYNC_EVENTS and customer_id:
            outcome = stripe_customer_sync(customer_id=customer_id, reason=f"{event['type']} {event['id']}")
        customer = StripeCustomer.objects.filter(customer_id=customer_id).select_related("user").first()
        if event["type"] == "invoice.payment_failed" and customer is not None:
            _payment_failed_mail(user=customer.user, invoice=data, portal_url=portal_url)
            outcome += "; payment failure mailed"
        record.user = customer.user if customer else None
        record.outcome = outcome[:200]
        record.save(update_fields=["user", "outcome"])
    return outcome


def _customer_of(event_type: str, data: dict) -> str:
    if event_type.startswith("customer.") and data.get("object") == "customer":
        return data.get("id") or ""
    customer = data.get("customer") or ""
    return customer if isinstance(customer, str) else customer.get("id", "")


def stripe_customer_sync(*, customer_id: str, reason: str) -> str:
    """Read the customer's subscriptions from Stripe and make the user's plan match, effective now."""
    with transaction.atomic():
        record = (StripeCustomer.objects.select_for_update().select_related("user")
                  .filter(customer_id=customer_id).first())
        if record is None:
            return "unknown customer"
        subscriptions = stripe_api.subscriptions_of(customer_id)
        paying = _paying(subscriptions)
        shown = paying[0] if paying else _newest(subscriptions)
        _mirror(record, shown[1] if shown else None)
        if paying:
            plan, subscription = paying[0]
            subscription_change(user=record.user, plan=plan, note=f"Stripe: {reason}",
                                stripe_subscription_id=subscription["id"])
            return f"{plan.code} ({subscription['id']} {subscription['status']})"
        current = Subscription.objects.filter(user=record.user, ended_at__isnull=True).first()
        if current is not None and current.stripe_subscription_id:
            status = shown[1]["status"] if shown else "gone"
            subscription_change(user=record.user, plan=plan_get(code="free"), stripe_subscription_id="",
                                note=f"Stripe: {current.stripe_subscription_id} {status} ({reason})")
            return f"free ({current.stripe_subscription_id} {status})"
        return "no change (no paid plan)"


def _paying(subscriptions: list[dict]) -> list[tuple[Plan, dict]]:
    """Subscriptions that pay for one of our plans, the best plan first."""
    prices = {plan.stripe_price_id: plan for plan in Plan.objects.exclude(stripe_price_id="")}
    found = []
    for subscription in subscriptions:
        plan = prices.get(_price_of(subscription))
        if subscription["status"] in PAYING_STATUSES and plan is not None:
            found.append((plan, subscription))
        elif subscription["status"] in PAYING_STATUSES:
            log.error("Stripe subscription %s pays for price %s, which no plan has", subscription["id"],
                      _price_of(subscription))
    return sorted(found, key=lambda pair: (-pair[0].daily_limit, -pair[1]["created"]))


def _newest(subscriptions: list[dict]) -> tuple[None, dict] | None:
    return (None, max(subscriptions, key=lambda s: s["created"])) if subscriptions else None


def _item(subscription: dict) -> dict:
    items = (subscription.get("items") or {}).get("data") or [{}]
    return items[0]


def _price_of(subscription: dict) -> str:
    return (_item(subscription).get("price") or {}).get("id", "")


def _mirror(record: StripeCustomer, subscription: dict | None) -> None:
    """What the account page and the admin show about the Stripe side."""
    if subscription is None:
        record.subscription_id = record.subscription_status = record.price_id = ""
        record.current_period_end, record.cancel_at_period_end = None, False
    else:
        period_end = _item(subscription).get("current_period_end") or subscription.get("current_period_end")
        record.subscription_id = subscription["id"]
        record.subscription_status = subscription["status"]
        record.price_id = _price_of(subscription)
        record.current_period_end = datetime.fromtimestamp(period_end, tz=UTC) if period_end else None
        record.cancel_at_period_end = bool(subscription.get("cancel_at_period_end") or subscription.get("cancel_at"))
    record.synced_at = timezone.now()
    record.save()


def _payment_failed_mail(*, user, invoice: dict, portal_url: str) -> None:
    next_try = invoice.get("next_payment_attempt")
    context = {
        "amount": f"{(invoice.get('amount_due') or 0) / 100:.2f} {(invoice.get('currency') or 'usd').upper()}",
        "next_try": datetime.fromtimestamp(next_try, tz=UTC) if next_try else None,
        "portal_url": portal_url,
    }
    transaction.on_commit(lambda: mail_send(name="payment_failed", to=user.email, context=context))
