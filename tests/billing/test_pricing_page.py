"""The pricing page shows the plans side by side with their limits and prices; with Stripe it sells premium through
Checkout, without Stripe keys it says plans are assigned by staff. The account page links to both."""
from __future__ import annotations

import re

from billing.selectors import plan_get
from tests.billing.stripe_support import deliver, events, subscribe


def _cards(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-plan="(\w+)">(.*?)</section>', html, flags=re.S))


def test_it_says_staff_assign_plans_without_stripe(client, alice, settings):
    settings.STRIPE_SECRET_KEY = ""
    page = client.get("/pricing/").content.decode()
    assert "plans are assigned by staff" in page
    cards = _cards(page)
    assert list(cards) == ["free", "premium"]
    assert "<strong>5</strong> images a day" in cards["free"] and "<strong>$0</strong> a month" in cards["free"]
    assert "<strong>20</strong> images a day" in cards["premium"] and "<strong>$12.00</strong> a month" in cards[
        "premium"]
    assert "Up to <strong>4</strong> variations" in cards["premium"] and "1024 px" in cards["premium"]
    assert "/billing/checkout/" not in page
    client.force_login(alice)
    account = client.get("/account/").content.decode()
    assert "Plans are assigned by staff" in account and 'href="/pricing/"' in account
    assert "/billing/checkout/" not in client.get("/pricing/").content.decode()


def test_it_sells_premium_through_checkout(payments, client, alice):
    plan = plan_get(code="premium")
    plan.daily_limit = 25  # limits live in the database: the page shows what staff set
    plan.save()
    client.force_login(alice)
    page = client.get("/pricing/").content.decode()
    assert 'href="/pricing/" aria-current="page">Pricing</a>' in page  # in the nav
    cards = _cards(page)
    assert "Your plan" in cards["free"] and "<strong>25</strong> images a day" in cards["premium"]
    assert 'action="/billing/checkout/"' in cards["premium"] and "Upgrade to Premium" in cards["premium"]
    assert '<a class="button" href="/pricing/">Upgrade</a>' in client.get("/account/").content.decode()

    to_stripe = client.post("/billing/checkout/", {"plan": "premium"})
    assert to_stripe.status_code == 302 and to_stripe["Location"].startswith(f"{payments.url}/pay/cs_test_")

    subscribe(payments, alice)
    deliver(client, events(payments, "checkout.session.completed")[0])
    account = client.get("/account/").content.decode()
    assert '<strong class="plan-name">Premium</strong>' in account
    assert "Manage billing" in account and "renews on" in account
    to_portal = client.post("/billing/portal/")
    assert to_portal.status_code == 302 and to_portal["Location"].startswith(f"{payments.url}/portal/bps_")
    assert "Your plan" in _cards(client.get("/pricing/").content.decode())["premium"]
