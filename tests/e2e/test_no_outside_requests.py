"""Every page loads only from this site: no CDN, no web fonts, no analytics. And the basics of accessibility
hold on each: every image has a text alternative and every form control a label."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from designs.models import Status
from tests.conftest import PASSWORD
from tests.dashboard.conftest import make_design
from tests.e2e.conftest import needs_chromium

pytestmark = [pytest.mark.e2e, needs_chromium]

AUDIT = """() => {
  const unlabelled = [...document.querySelectorAll("input, select, textarea")]
    .filter(el => el.type !== "hidden" && !el.labels.length && !el.getAttribute("aria-label"))
    .map(el => el.outerHTML);
  const noAlt = [...document.querySelectorAll("img")].filter(img => !img.hasAttribute("alt")).map(img => img.outerHTML);
  const broken = [...document.querySelectorAll("img")].filter(img => img.complete && img.src && !img.naturalWidth)
    .map(img => img.src);
  return {unlabelled, noAlt, broken};
}"""


def _audit(page) -> None:
    page.wait_for_load_state("networkidle")
    assert page.evaluate(AUDIT) == {"unlabelled": [], "noAlt": [], "broken": []}, page.url


def test_no_page_asks_another_site_for_anything(visit, alice):
    done = make_design(owner=alice, status=Status.COMPLETED, results=2, style="boho")
    running = make_design(owner=alice, status=Status.TRANSFORMING, progress=0.3)
    failed = make_design(owner=alice, status=Status.FAILED, error_code="x", error_message="It broke.")

    guest = visit()
    for path in ("/", "/signup/", "/login/", "/designs/new/", "/designs/"):
        guest.page.goto(path)
        _audit(guest.page)
        if path == "/login/":
            guest.screenshot("login")
    assert guest.page.goto("/designs/00000000-0000-0000-0000-000000000000/").status == 404
    expect(guest.page.get_by_role("heading", name="Page not found")).to_be_visible()
    guest.screenshot("not-found")

    user = visit()
    user.page.goto("/login/")
    user.page.get_by_label("Email").fill("alice@example.com")
    user.page.get_by_label("Password").fill(PASSWORD)
    user.page.get_by_role("button", name="Log in").click()
    for path in ("/", "/designs/new/", "/designs/", "/designs/?status=completed", f"/designs/{done.id}/",
                 f"/designs/{running.id}/", f"/designs/{failed.id}/", "/account/", "/account/password/"):
        user.page.goto(path)
        _audit(user.page)
        if path == f"/designs/{failed.id}/":
            user.screenshot("design-failed")
        if path == f"/designs/{running.id}/":
            user.screenshot("design-running", full_page=False)

    assert guest.requests and user.requests
    assert guest.outside() == [] and user.outside() == []
    # The static files really came from us (and were found): a page without its CSS would pass the check above.
    assert any(url.endswith("/static/css/site.css") for url in user.requests)
    assert user.page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") == "flex"


def test_the_check_would_notice_an_outside_request(visit):
    """The recorder is not vacuous: a page that reached for another host would be caught."""
    browser = visit()
    browser.page.goto("/")
    browser.page.evaluate("""() => {
        const image = new Image();
        image.alt = "";
        image.src = "http://cdn.example.invalid/x.png";
        document.body.append(image);
    }""")
    browser.page.wait_for_timeout(300)
    assert browser.outside() == ["http://cdn.example.invalid/x.png"]
    browser.requests.clear()  # the fixture's own check at the end must pass
