"""A deleted account stops paying: its Stripe subscriptions are cancelled once the deletion has committed."""
from __future__ import annotations

import logging

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from billing import stripe_api
from billing.models import StripeCustomer

log = logging.getLogger(__name__)
ENDED = frozenset({"canceled", "incomplete_expired"})


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def stripe_cancel_on_delete(sender, instance, **kwargs) -> None:
    record = StripeCustomer.objects.filter(user_id=instance.pk).first()
    if record is not None and stripe_api.payments_enabled():
        transaction.on_commit(lambda: stripe_subscriptions_cancel(customer_id=record.customer_id))


def stripe_subscriptions_cancel(*, customer_id: str) -> None:
    """Best effort after the account is gone: a failure is logged for staff to finish in Stripe's dashboard."""
    try:
        for subscription in stripe_api.subscriptions_of(customer_id):
            if subscription["status"] not in ENDED:
                stripe_api.client().v1.subscriptions.cancel(subscription["id"])
                log.info("cancelled Stripe subscription %s of a deleted account", subscription["id"])
    except stripe.StripeError:
        log.exception("could not cancel the Stripe subscriptions of deleted customer %s: cancel them in Stripe",
                      customer_id)
