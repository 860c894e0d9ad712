"""Stripe does not promise order: a stale event arriving after a newer one must not bring back an ended plan."""
from __future__ import annotations

from billing.models import Subscription
from billing.selectors import plan_for_user
from tests.billing.stripe_support import deliver, events, subscribe


def test_it_keeps_the_latest_state_whatever_the_order(payments, alice, client):
    subscription = subscribe(payments, alice)
    payments.call("DELETE", f"/v1/subscriptions/{subscription['id']}")  # cancelled at once, e.g. in the dashboard
    [created] = events(payments, "customer.subscription.created")
    [completed] = events(payments, "checkout.session.completed")
    [deleted] = events(payments, "customer.subscription.deleted")

    assert deliver(client, deleted).json()["outcome"] == "no change (no paid plan)"  # the newest comes first
    for stale in (completed, created):  # then the old news of the purchase
        assert deliver(client, stale).status_code == 200
        assert plan_for_user(user=alice).code == "free"
    assert not Subscription.objects.filter(user=alice).exists()  # never premium, not even for a moment


def test_it_goes_free_when_the_cancellation_comes_before_the_stale_update(payments, alice, client):
    subscription = subscribe(payments, alice)
    deliver(client, events(payments, "checkout.session.completed")[0])
    payments.call("POST", f"/_config/subscriptions/{subscription['id']}/renewal_fails")
    payments.call("DELETE", f"/v1/subscriptions/{subscription['id']}")
    [deleted] = events(payments, "customer.subscription.deleted")
    [past_due] = events(payments, "customer.subscription.updated")
    assert past_due["data"]["object"]["status"] == "past_due"

    deliver(client, deleted)
    deliver(client, past_due)  # says past_due (still paying), but is older than the cancellation
    assert plan_for_user(user=alice).code == "free"
    assert [row.plan.code for row in Subscription.objects.filter(user=alice).order_by("started_at")] == [
        "premium", "free"]
