"""`{% billing_account %}`: the account page's plan card says how to buy or manage a plan, without the accounts
app knowing about Stripe."""
from __future__ import annotations

from django import template

from billing import stripe_api
from billing.models import StripeCustomer
from billing.payments import PAYING_STATUSES

register = template.Library()


@register.inclusion_tag("billing/_account_billing.html", takes_context=True)
def billing_account(context) -> dict:
    user = context["request"].user
    record = StripeCustomer.objects.filter(user=user).first()
    return {
        "payments_enabled": stripe_api.payments_enabled(),
        "stripe": record,
        "paying": record is not None and record.subscription_status in PAYING_STATUSES,
        "csrf_token": context.get("csrf_token"),
    }
