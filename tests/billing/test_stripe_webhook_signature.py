"""The webhook believes only bodies Stripe signed: anything else is a 400 that changes nothing."""
from __future__ import annotations

import json
import time

from billing.models import StripeEvent, Subscription
from billing.selectors import plan_for_user
from tests.billing.stripe_support import WEBHOOK, deliver, events, signature, subscribe


def test_it_refuses_a_bad_signature_and_changes_nothing(payments, alice, client):
    subscribe(payments, alice)
    [completed] = events(payments, "checkout.session.completed")
    payload = json.dumps(completed).encode()
    for header in (signature(payload, secret="whsec_someone_else"),  # signed with another secret
                   signature(payload + b" "),  # signed, but for another body
                   signature(payload, at=int(time.time()) - 3600),  # an old signature replayed
                   ""):
        response = client.post(WEBHOOK, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
        assert response.status_code == 400, header
        assert response.json()["error"]["code"] == "bad_signature"
    assert StripeEvent.objects.count() == 0
    assert not Subscription.objects.filter(user=alice).exists()
    assert plan_for_user(user=alice).code == "free"

    assert deliver(client, completed).status_code == 200  # the same event, signed by Stripe's secret
    assert plan_for_user(user=alice).code == "premium"
