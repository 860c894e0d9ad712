"""A person signs up, confirms the address from the mail the SMTP server received and sees the free plan; later
forgets the password, resets it from another mail and logs in with the new one."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.conftest import PASSWORD
from tests.e2e.conftest import needs_chromium
from tests.mailserver import link_in

pytestmark = [pytest.mark.e2e, needs_chromium]
EMAIL = "lifecycle@example.com"
NEW_PASSWORD = "a brand new pass phrase 2026"


def test_sign_up_verify_forget_reset_and_log_in(visit, live_app, mailbox):
    browser = visit()
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
