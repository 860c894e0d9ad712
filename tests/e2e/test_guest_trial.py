"""A guest, on a phone, tries Restyle without an account until the guest plan's daily limit."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from billing.selectors import plan_get
from designs.models import Design
from tests.e2e.conftest import needs_chromium

pytestmark = [pytest.mark.e2e, needs_chromium]


def _submit(page, room_photo, style: str = "Japandi") -> None:
    page.goto("/designs/new/")
    page.set_input_files("#image", room_photo)
    page.locator(".style-card", has_text=style).click()
    page.get_by_role("button", name="Restyle my room").click()


def test_a_guest_tries_it_up_to_the_guest_limit(visit, worker_control, room_photo, tmp_path):
    limit = plan_get(code="guest").daily_limit
    browser = visit(mobile=True)
    page = browser.page
    page.goto("/")
    browser.screenshot("landing-mobile")
    page.get_by_role("link", name="Try it now, no account needed").click()
    expect(page.get_by_text(f"{limit} of {limit}")).to_be_visible()

    # Checked here before sending: the wrong kind of file never leaves the browser.
    not_a_photo = tmp_path / "notes.txt"
    not_a_photo.write_text("not a photo")
    page.set_input_files("#image", not_a_photo)
    expect(page.locator("#error-image")).to_have_text("Upload a JPEG, PNG, WebP or HEIC photo.")
    expect(page.locator("#image")).to_have_attribute("aria-invalid", "true")

    # The API's answer lands next to the field it names.
    page.set_input_files("#image", room_photo)
    page.get_by_role("button", name="Restyle my room").click()
    expect(page.locator("#error-style")).to_contain_text("Pick a style")
    expect(page.locator("#error-image")).to_be_hidden()
    browser.screenshot("new-design-mobile")
    assert not Design.objects.exists()

    # The first design: its socket is refused, so polling has to carry it to the end.
    page.route_web_socket(re.compile(r"/ws/designs/"), lambda ws: ws.close())
    page.locator(".style-card", has_text="Japandi").click()
    page.get_by_role("button", name="Restyle my room").click()
    expect(page.locator("#connection")).to_contain_text("checking every few seconds")
    worker_control.start()
    expect(page.get_by_label("Compare before and after")).to_be_visible(timeout=120_000)
    browser.screenshot("design-completed-mobile")
    worker_control.stop()  # the rest only need to be accepted; nobody waits for them

    for _ in range(limit - 1):
        _submit(page, room_photo)
        expect(page).to_have_url(re.compile(r"/designs/[0-9a-f-]{36}/$"))
    _submit(page, room_photo)
    refusal = page.locator("#error-form")
    expect(refusal).to_contain_text(f"You have used all {limit} designs of today's quota")
    expect(refusal).to_contain_text("Sign up for a free account to get more")
    browser.screenshot("guest-quota-reached")
    assert Design.objects.filter(owner=None).count() == limit

    # Cancelling a design the worker has not started gives its image back.
    page.goto("/designs/")
    expect(page.locator(".gallery-item")).to_have_count(limit)
    browser.screenshot("history-mobile")
    page.locator(".gallery-item", has_text="Queued").first.get_by_role("link").click()
    page.get_by_role("button", name="Cancel this design").click()
    expect(page.get_by_role("heading", name="This design was cancelled")).to_be_visible()
    page.goto("/designs/new/")
    expect(page.locator(".plan-line")).to_contain_text(f"1 of {limit}")
