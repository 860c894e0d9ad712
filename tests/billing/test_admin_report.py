from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import time_machine

from billing.services import cost_record, quota_refund
from designs.models import Status

TODAY = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)


def test_it_reports_usage_cost_and_success_per_day(admin_client, reserved_design, alice, bob):
    with time_machine.travel(TODAY, tick=False):
        done = [reserved_design(owner=alice, variations=2), reserved_design(owner=alice), reserved_design(owner=bob)]
        for design in done[:2]:
            cost_record(design=design, attempt=1, gpu_seconds=100, gpu_type="T4")
        type(done[0]).objects.filter(pk__in=[d.pk for d in done[:2]]).update(status=Status.COMPLETED)
        failed = reserved_design(ip="198.51.100.7")
        failed.status = Status.FAILED
        failed.save()
        quota_refund(design=failed, reason="gpu_error")
        response = admin_client.get("/admin/billing/usagereport/", {"days": "7"})

    assert response.status_code == 200
    today = response.context["day_rows"][0]
    assert len(response.context["day_rows"]) == 7
    assert {key: today[key] for key in ("designs", "images", "refunded", "users", "guests", "completed", "failed")} == {
        "designs": 4, "images": 4, "refunded": 1, "users": 2, "guests": 1, "completed": 2, "failed": 1}
    assert today["cost_usd"] == Decimal("0.032800")
    assert today["success_percent"] == 66.7
    assert response.context["plan_codes"][:2] == ["guest", "free"]
    assert response.context["plan_rows"][0]["images"][:2] == [0, 4]
    assert [(row["user__email"], row["images"]) for row in response.context["top_users"]] == [
        ("alice@example.com", 3), ("bob@example.com", 1)]
    assert response.context["top_users"][0]["cost_usd"] == Decimal("0.032800")
    assert b"Usage report" in response.content and b"66.7%" in response.content


def test_it_is_linked_from_the_billing_section(admin_client):
    response = admin_client.get("/admin/billing/")
    assert b"/admin/billing/usagereport/" in response.content
