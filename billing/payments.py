"""Buying and managing a plan: the Checkout and customer-portal links the account page and the API hand out.

Nothing here changes a plan: that happens when Stripe tells us (billing/stripe_sync.py), or when the person comes
back from Checkout and we read the customer's subscriptions from Stripe ourselves.
"""
from __future__ import annotations

import logging

import stripe
from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework import status

from billing import stripe_api
from billing.models import Plan, StripeCustomer
from billing.selectors import plan_for_user, plan_get
from core.errors import ApiError

log = logging.getLogger(__name__)

# Stripe statuses in which a subscription still pays for its plan: past_due is Stripe retrying a failed payment.
PAYING_STATUSES = frozenset({"active", "trialing", "past_due"})


def plans_for_sale() -> list[Plan]:
    """The plans the pricing page shows side by side: free, and every plan with a price."""
    for code in ("free", "premium"):
        plan_get(code=code)  # recreated if missing, as everywhere built-in plans are read (billing/selectors.py)
    plans = Plan.objects.exclude(code__in=["guest", "staff"]).order_by("monthly_price", "daily_limit")
    return [plan for plan in plans if plan.code == "free" or plan.stripe_price_id or plan.monthly_price]


def billing_checkout_url(*, user, plan_code: str, success_url: str, cancel_url: str) -> str:
    """A Stripe Checkout page that subscribes `user` to the plan. The plan changes when Stripe confirms."""
    if not stripe_api.payments_enabled():
        raise stripe_api.payments_unavailable()
    plan = Plan.objects.filter(code=plan_code).exclude(stripe_price_id="").first()
    if plan is None:
        raise ApiError("plan_not_for_sale", f"There is no plan “{plan_code}” to buy. See the pricing page.",
                       field="plan")
    record = StripeCustomer.objects.filter(user=user).first()
    if record is not None and record.subscription_status in PAYING_STATUSES:
        raise ApiError("already_subscribed", "You already pay for a plan: change or cancel it in the billing "
                       "portal.", status_code=status.HTTP_409_CONFLICT)
    if plan_for_user(user=user).code == plan.code:
        raise ApiError("already_on_plan", f"You are on the {plan.name} plan already.",
                       status_code=status.HTTP_409_CONFLICT)
    try:
        customer_id = stripe_customer_ensure(user=user)
        return stripe_api.checkout_session_create(
            customer_id=customer_id, price_id=plan.stripe_price_id, user_id=user.pk, plan_code=plan.code,
            success_url=success_url, cancel_url=cancel_url,
        )
    except stripe.StripeError as error:
        log.warning("checkout for user %s failed: %s", user.pk, error)
        raise stripe_api.stripe_failed(error) from error


def billing_portal_url(*, user, return_url: str) -> str:
    """Stripe's customer portal for the user's subscription: change plan, card, cancel, invoices."""
    if not stripe_api.payments_enabled():
        raise stripe_api.payments_unavailable()
    record = StripeCustomer.objects.filter(user=user).first()
    if record is None:
        raise ApiError("no_billing_account", "You have not bought a plan yet, so there is nothing to manage.",
                       status_code=status.HTTP_409_CONFLICT)
    try:
        return stripe_api.portal_session_create(customer_id=record.customer_id, return_url=return_url)
    except stripe.StripeError as error:
        log.warning("portal for user %s failed: %s", user.pk, error)
        raise stripe_api.stripe_failed(error) from error


def stripe_customer_ensure(*, user) -> str:
    """The user's Stripe customer id, made on first use. The user row is locked so that two checkouts started
    together make one customer."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        record = StripeCustomer.objects.filter(user=user).first()
        if record is None:
            customer_id = stripe_api.customer_create(email=user.email, user_id=user.pk)
            record = StripeCustomer.objects.create(user=user, customer_id=customer_id)
        return record.customer_id
