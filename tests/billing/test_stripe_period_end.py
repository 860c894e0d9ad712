"""Cancelling in the portal keeps premium until the period ends; when Stripe ends the subscription the account is
on free from that moment, with today's usage carried over and the ledger and counters still adding up."""
from __future__ import annotations

import pytest
from django.db import transaction

from billing.models import StripeCustomer, Subscription
from billing.selectors import plan_for_user
from billing.services import quota_reserve
from core.errors import ApiError
from tests.billing.conftest import assert_ledger_adds_up
from tests.billing.stripe_support import deliver, events, post_form, subscribe


def test_it_moves_to_free_when_the_period_ends(payments, alice, client, alice_api, reserved_design, design_row):
    subscription = subscribe(payments, alice)
    deliver(client, events(payments, "checkout.session.completed")[0])
    for _ in range(2):
        reserved_design(owner=alice, variations=4)  # 8 of premium's 20 today
    quota = alice_api.get("/api/v1/me/").json()["quota"]
    assert (quota["limit"], quota["used"], quota["remaining"]) == (20, 8, 12)

    portal = alice_api.post("/api/v1/billing/portal/").json()["url"]  # the person presses "Cancel" there
    post_form(f"{portal}/cancel", {"subscription": subscription["id"], "when": "period_end"})
    [cancelling] = events(payments, "customer.subscription.updated")
    assert cancelling["data"]["object"]["cancel_at_period_end"] is True
    deliver(client, cancelling)
    assert plan_for_user(user=alice).code == "premium"  # paid until the end of the period
    assert StripeCustomer.objects.get(user=alice).cancel_at_period_end

    payments.call("DELETE", f"/v1/subscriptions/{subscription['id']}")  # the period ends: Stripe ends it
    deliver(client, events(payments, "customer.subscription.deleted")[0])
    premium, free = Subscription.objects.filter(user=alice).order_by("started_at")
    assert premium.ended_at == free.started_at and free.ended_at is None and free.plan.code == "free"
    me = alice_api.get("/api/v1/me/").json()
    assert me["plan"]["code"] == "free"
    assert (me["quota"]["limit"], me["quota"]["used"], me["quota"]["remaining"]) == (5, 8, 0)
    with pytest.raises(ApiError) as refused, transaction.atomic():  # as design_create's transaction
        quota_reserve(design=design_row(owner=alice), units=1)
    assert refused.value.error_code == "quota_exceeded"
    assert_ledger_adds_up()
