"""A person signs up, confirms the address from the mail the SMTP server received and sees the free plan; later
forgets the password, resets it from another mail and logs in with the new one; then buys premium through Stripe
Checkout (localstripe's, tests/stripe_server.py) and sees the premium limits on the account page and the API."""
from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.models import User
from billing.models import StripeEvent
from tests.billing.stripe_support import WEBHOOK_SECRET
from tests.conftest import PASSWORD
from tests.e2e.conftest import needs_chromium
from tests.mailserver import link_in

pytestmark = [pytest.mark.e2e, needs_chromium]
EMAIL = "lifecycle@example.com"
NEW_PASSWORD = "a brand new pass phrase 2026"


def test_sign_up_verify_forget_reset_log_in_and_buy_premium(visit, live_app, mailbox, payments):
    # localstripe sends its events to this server's webhook, signed with the secret the server has.
    payments.call("POST", "/_config/webhooks/restyle", {"url": f"{live_app.url}/billing/stripe/webhook/",
                                                         "secret": WEBHOOK_SECRET})
    try:
        _journey(visit(allow=(urlsplit(payments.url).netloc,)), live_app, mailbox)
    finally:
        payments.call("DELETE", "/_config/webhooks/restyle")


def _journey(browser, live_app, mailbox):
    page = browser.page
    page.goto("/signup/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#verify-banner")).to_contain_text(EMAIL)
    page.get_by_role("link", name="Account").click()
    expect(page.locator(".plan-name")).to_have_text("Guest")
    expect(page.locator("#quota-meter")).to_have_attribute("max", "3")
    browser.screenshot("verify-banner")

    [welcome] = mailbox.wait(1)
    assert welcome["To"] == EMAIL
    link = link_in(welcome)
    assert link.startswith(f"{live_app.url}/verify/")
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_text("Your address is confirmed")).to_be_visible()
    expect(page.locator("#verify-banner")).to_have_count(0)
    expect(page.locator(".plan-name")).to_have_text("Free")
    expect(page.locator("#quota-meter")).to_have_attribute("max", "5")
    assert User.objects.get(email=EMAIL).email_verified

    page.get_by_role("button", name="Log out").click()
    page.goto("/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    reset = mailbox.wait(2)[1]
    assert reset["Subject"] == "Choose a new Restyle password"
    page.goto(link_in(reset))
    expect(page).to_have_url(re.compile(r"/set-password/$"))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    browser.screenshot("password-reset")
    page.get_by_role("button", name="Set my new password").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_text("Your password was changed")).to_be_visible()

    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_text(f"Signed in as {EMAIL}")).to_be_visible()
    expect(page.locator(".plan-name")).to_have_text("Free")

    page.get_by_role("link", name="Pricing").click()
    premium = page.locator('[data-plan="premium"]')
    expect(premium).to_contain_text("20 images a day")
    expect(premium).to_contain_text("$12.00 a month")
    expect(page.locator('[data-plan="free"]')).to_contain_text("Your plan")
    browser.screenshot("pricing")
    premium.get_by_role("button", name="Upgrade to Premium").click()
    expect(page.get_by_role("heading", name="Pay Restyle (test mode)")).to_be_visible()  # Stripe's hosted page
    page.get_by_role("button", name="Subscribe").click()

    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_text("You are on the Premium plan")).to_be_visible()
    expect(page.locator(".plan-name")).to_have_text("Premium")
    expect(page.locator("#quota-meter")).to_have_attribute("max", "20")
    expect(page.locator("#billing-status")).to_contain_text("renews on")
    browser.screenshot("account-premium")
    me = page.request.get("/api/v1/me/").json()
    assert (me["plan"]["code"], me["plan"]["daily_limit"], me["plan"]["max_variations"]) == ("premium", 20, 4)
    assert me["quota"]["limit"] == 20
    deadline = time.monotonic() + 15  # Stripe's own event reaches the webhook too, and changes nothing more
    while not StripeEvent.objects.filter(type="checkout.session.completed").exists():
        assert time.monotonic() < deadline, "localstripe's checkout.session.completed never reached the webhook"
        time.sleep(0.2)
    assert User.objects.get(email=EMAIL).subscriptions.filter(plan__code="premium").count() == 1
