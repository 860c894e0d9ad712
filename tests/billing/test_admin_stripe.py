"""Staff see each account's Stripe customer, subscription and recent billing events, and set plans' price ids."""
from __future__ import annotations

from billing.models import Plan, StripeCustomer
from tests.billing.conftest import plan_change_form
from tests.billing.stripe_support import PRICE, deliver, events, subscribe


def test_it_shows_the_stripe_side_of_an_account(payments, admin_client, alice, client):
    subscription = subscribe(payments, alice)
    completed = events(payments, "checkout.session.completed")[0]
    deliver(client, completed)
    record = StripeCustomer.objects.get(user=alice)

    listing = admin_client.get("/admin/billing/stripecustomer/?q=alice").content.decode()
    assert record.customer_id in listing and subscription["id"] in listing and "active" in listing
    page = admin_client.get(f"/admin/billing/stripecustomer/{record.pk}/change/").content.decode()
    event_row = f"checkout.session.completed · <code>{completed['id']}</code> · premium ({subscription['id']} active)"
    assert event_row in page  # recent billing events, with what each did
    assert "Premium" in page and "Stripe: checkout.session.completed" in page  # the plan history
    events_page = admin_client.get("/admin/billing/stripeevent/").content.decode()
    assert completed["id"] in events_page and alice.email in events_page
    assert admin_client.post(f"/admin/billing/stripecustomer/{record.pk}/delete/").status_code == 403


def test_it_sets_a_plans_price_id(admin_client):
    premium = Plan.objects.get(code="premium")
    answer = admin_client.post(f"/admin/billing/plan/{premium.pk}/change/",
                               plan_change_form(premium, quick_drafts="on", upscales="on", stripe_price_id=PRICE))
    assert answer.status_code == 302, answer.content
    premium.refresh_from_db()
    assert premium.stripe_price_id == PRICE
