"""Stripe may deliver an event more than once, even twice at the same moment: it changes the plan once."""
from __future__ import annotations

import json

import pytest
from django.test import Client

from billing.models import StripeEvent, Subscription
from billing.selectors import plan_for_user
from tests.billing.conftest import run_together
from tests.billing.stripe_support import deliver, events, subscribe


def test_it_applies_the_same_event_once(payments, alice, client):
    subscribe(payments, alice)
    [completed] = events(payments, "checkout.session.completed")
    first, again = deliver(client, completed), deliver(client, completed)
    assert first.status_code == again.status_code == 200
    assert first.json()["outcome"].startswith("premium")
    assert again.json()["outcome"] == "duplicate"
    assert StripeEvent.objects.filter(event_id=completed["id"]).count() == 1
    [premium] = Subscription.objects.filter(user=alice)
    assert premium.plan.code == "premium" and premium.stripe_subscription_id


@pytest.mark.django_db(transaction=True)
def test_it_applies_an_event_delivered_twice_at_once_once(payments, alice):
    subscribe(payments, alice)
    [completed] = events(payments, "checkout.session.completed")
    answers = run_together([lambda: deliver(Client(), completed) for _ in range(2)])
    outcomes = sorted(json.loads(answer.content)["outcome"] for answer in answers)
    assert outcomes[0] == "duplicate" and outcomes[1].startswith("premium"), outcomes
    assert Subscription.objects.filter(user=alice).count() == 1
    assert plan_for_user(user=alice).code == "premium"
