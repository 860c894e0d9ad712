"""Buying premium: the API hands out a Checkout URL on (local)stripe; once paid, Stripe's event makes the account
premium at once, through the same subscription change staff use, with the history kept."""
from __future__ import annotations

from billing.models import StripeCustomer, Subscription
from billing.selectors import plan_get
from billing.services import subscription_change
from tests.billing.stripe_support import PRICE, deliver, events, subscribe
from tests.conftest import assert_error


def test_it_upgrades_through_checkout_and_the_webhook(payments, alice, alice_api, client, admin_user):
    subscription_change(user=alice, plan=plan_get(code="free"), changed_by=admin_user, note="staff, before")
    answer = alice_api.post("/api/v1/billing/checkout/", {"plan": "premium"}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["url"].startswith(f"{payments.url}/pay/cs_test_")
    customer = StripeCustomer.objects.get(user=alice)
    assert payments.call("GET", f"/v1/customers/{customer.customer_id}")["email"] == alice.email

    stripe_subscription = subscribe(payments, alice)  # the person pays on the hosted page
    assert alice_api.get("/api/v1/me/").json()["plan"]["code"] == "free"  # nothing until Stripe says so
    [completed] = events(payments, "checkout.session.completed")
    assert deliver(client, completed).status_code == 200

    me = alice_api.get("/api/v1/me/").json()
    assert (me["plan"]["code"], me["plan"]["daily_limit"], me["quota"]["limit"]) == ("premium", 20, 20)
    staff, paid = Subscription.objects.filter(user=alice).order_by("started_at")
    assert staff.ended_at == paid.started_at  # the history: free until this moment, premium from it
    assert paid.stripe_subscription_id == stripe_subscription["id"] and paid.ended_at is None
    assert paid.note.startswith("Stripe: checkout.session.completed")
    customer.refresh_from_db()
    assert (customer.subscription_status, customer.price_id) == ("active", PRICE)
    assert customer.current_period_end is not None and not customer.cancel_at_period_end


def test_it_shows_the_new_plan_on_return_before_the_webhook(payments, alice, client):
    client.force_login(alice)
    subscribe(payments, alice)
    [completed] = events(payments, "checkout.session.completed")
    page = client.get(f"/billing/checkout/done/?session_id={completed['data']['object']['id']}", follow=True)
    assert "You are on the Premium plan" in page.content.decode()
    assert page.context["plan"]["code"] == "premium"


def test_it_refuses_what_cannot_be_bought(payments, alice, alice_api, bob):
    assert_error(alice_api.post("/api/v1/billing/checkout/", {"plan": "staff"}, format="json"), 400,
                 "plan_not_for_sale", "plan")
    assert_error(alice_api.post("/api/v1/billing/portal/"), 409, "no_billing_account")
    subscribe(payments, alice)
    deliver(alice_api, events(payments, "checkout.session.completed")[0])
    assert_error(alice_api.post("/api/v1/billing/checkout/", {"plan": "premium"}, format="json"), 409,
                 "already_subscribed")
    portal = alice_api.post("/api/v1/billing/portal/")
    assert portal.status_code == 200 and portal.json()["url"].startswith(f"{payments.url}/portal/bps_")


def test_it_answers_409_without_stripe_keys(alice_api, api, settings):
    settings.STRIPE_SECRET_KEY = ""
    assert_error(alice_api.post("/api/v1/billing/checkout/", {}, format="json"), 409, "payments_unavailable")
    assert_error(alice_api.post("/api/v1/billing/portal/"), 409, "payments_unavailable")
    assert_error(api.post("/api/v1/billing/checkout/", {}, format="json"), 401)
