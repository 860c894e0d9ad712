"""On the account page a user creates an API token for the mobile app, sees it once, and revokes it."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import needs_chromium

pytestmark = [pytest.mark.e2e, needs_chromium]


def _api_status(live_app, key: str) -> int:
    request = urllib.request.Request(f"{live_app.url}/api/v1/me/", headers={"Authorization": f"Token {key}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_token_is_created_shown_once_and_revoked(visit, live_app, alice):
    browser = visit()
    page = browser.page
    page.goto("/login/")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_text("No tokens yet")).to_be_visible()
    expect(page.locator("#quota-meter")).to_have_attribute("max", "5")
    expect(page.locator("#quota-reset-local")).to_contain_text("your time")
    browser.screenshot("account")

    page.get_by_label("Device name").fill("Pixel 9")
    page.get_by_role("button", name="Create token").click()
    key = page.get_by_label("New API token").input_value()
    assert key.startswith("rs_")
    expect(page.get_by_text("it is shown only once")).to_be_visible()
    browser.screenshot("account-new-token")
    assert _api_status(live_app, key) == 200

    page.goto("/account/")
    expect(page.get_by_label("New API token")).to_have_count(0)
    assert key not in page.content()
    row = page.get_by_role("row", name="Pixel 9")
    expect(row).to_contain_text(key.split("_")[1])  # the readable prefix, never the secret
    row.get_by_role("button", name="Revoke Pixel 9").click()
    expect(page.get_by_text("“Pixel 9” was revoked")).to_be_visible()
    expect(page.get_by_text("No tokens yet")).to_be_visible()
    assert _api_status(live_app, key) == 401
    page.set_viewport_size({"width": 390, "height": 844})
    browser.screenshot("account-mobile")
