"""Deleting an account that pays cancels its Stripe subscription: nobody is charged for an account that is gone."""
from __future__ import annotations

from accounts.services import user_delete
from tests.billing.stripe_support import deliver, events, subscribe


def test_it_cancels_the_subscription_of_a_deleted_account(payments, alice, client,
                                                           django_capture_on_commit_callbacks):
    subscription = subscribe(payments, alice)
    deliver(client, events(payments, "checkout.session.completed")[0])
    with django_capture_on_commit_callbacks(execute=True):
        user_delete(user=alice)
    assert payments.call("GET", f"/v1/subscriptions/{subscription['id']}")["status"] == "canceled"
