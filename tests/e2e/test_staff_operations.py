"""A staff member runs the service from the admin in a real browser: finds a failed design through the "failed in
the last hour" filter, retries it with one action, watches the real worker take it on the operations page, sees
it completed and the retry in the audit log; the design list's thumbnails, the report's charts and the
operations page are photographed on the way (test-artifacts/screenshots/)."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from accounts.models import User
from billing.services import cost_record
from designs.models import Design, Status
from designs.worker import design_abort
from tests.conftest import PASSWORD
from tests.dashboard.conftest import make_design
from tests.designs.conftest import submit
from tests.e2e.conftest import needs_chromium

pytestmark = [pytest.mark.e2e, needs_chromium]


def _sign_in(page) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Email").fill("ops@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def _until(predicate, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_staff_retry_a_failed_design_and_watch_it_complete(visit, worker_control, alice, alice_api, monkeypatch):
    monkeypatch.setenv("QUALITY_RETRY_BELOW", "1.01")  # every variation denoised twice: long enough to be seen running
    User.objects.create_superuser("ops@example.com", PASSWORD)
    done = make_design(owner=alice, status=Status.COMPLETED, results=2)
    cost_record(design=done, attempt=1, gpu_seconds=60_000, gpu_type="T4", backend="local", worker="gpu-1:7")
    failed_id = submit(alice_api).json()["id"]
    design_abort(failed_id, "gpu_unavailable", "No GPU answered in time.", refund=True)
    worker_control.broker.flush_all()  # its message went with the failure

    browser = visit()
    page = browser.page
    _sign_in(page)

    page.goto("/admin/designs/design/")
    thumbnails = page.locator("#result_list img")
    expect(thumbnails.first).to_be_visible()
    assert page.evaluate("[...document.querySelectorAll('#result_list img')].every(i => i.naturalWidth > 0)")
    browser.screenshot("admin-design-list")

    page.get_by_role("link", name="Failed in the last hour").click()
    expect(page).to_have_url(re.compile(r"failed_within=1h"))
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("gpu_unavailable")

    rows.first.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("retry_failed")
    page.get_by_role("button", name="Go").click()
    page.get_by_label("Reason").fill("ticket 7: the GPU pool was down")
    page.get_by_role("button", name="Retry failed designs").click()
    expect(page.locator(".messagelist")).to_contain_text("Queued 1 design(s) again.")

    page.goto("/admin/designs/operations/")  # open before the worker starts, so it cannot finish unseen
    worker_control.start()
    expect(page.locator("#ops-workers")).to_contain_text("1 alive")
    # The page refreshes itself: the running design appears without a reload.
    expect(page.locator("#ops-workers")).to_contain_text(f"design {failed_id[:8]}", timeout=60_000)
    browser.screenshot("admin-operations")
    _until(lambda: Design.objects.get(pk=failed_id).status in (Status.COMPLETED, Status.FAILED))
    assert Design.objects.get(pk=failed_id).status == Status.COMPLETED
    expect(page.locator("#ops-workers")).to_contain_text("idle", timeout=15_000)

    page.goto(f"/admin/designs/design/{failed_id}/change/")
    expect(page.locator(".field-status")).to_contain_text(re.compile("completed", re.IGNORECASE))

    page.goto("/admin/designs/staffaction/")
    audit = page.locator("#result_list tbody tr")
    expect(audit).to_have_count(1)
    expect(audit.first).to_contain_text("ops@example.com")
    expect(audit.first).to_contain_text("retry")
    expect(audit.first).to_contain_text("ticket 7: the GPU pool was down")

    page.goto("/admin/billing/usagereport/?days=14")
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(6)  # designs, images, success, cost, times, layout kept
    expect(page.locator("figcaption").first).to_have_text("Designs per day by plan")
    browser.screenshot("admin-report-charts")
