from __future__ import annotations

from billing.models import DailyUsage, UsageEntry
from billing.selectors import quota_status
from tests.billing.conftest import guest, member


def test_it_grants_extra_designs_for_today_from_the_usage_list(admin_client, admin_user, reserved_design, alice):
    reserved_design(owner=alice)
    reserved_design(ip="198.51.100.7")
    form = {"action": "grant_today", "_selected_action": list(DailyUsage.objects.values_list("pk", flat=True))}

    page = admin_client.post("/admin/billing/dailyusage/", form)
    assert page.status_code == 200 and "units" in page.context["form"].fields

    done = admin_client.post("/admin/billing/dailyusage/", {**form, "apply": "1", "units": "3", "note": "outage"})
    assert done.status_code == 302
    assert quota_status(requester=member(alice))["limit"] == 8
    assert quota_status(requester=guest(ip="198.51.100.7"))["limit"] == 6
    assert set(UsageEntry.objects.filter(kind="grant").values_list("units", "note", "created_by")) == {
        (3, "outage", admin_user.pk)}


def test_it_asks_again_for_a_bad_number(admin_client, reserved_design, alice):
    reserved_design(owner=alice)
    form = {"action": "grant_today", "_selected_action": [DailyUsage.objects.get().pk], "apply": "1", "units": "0"}
    page = admin_client.post("/admin/billing/dailyusage/", form)
    assert page.status_code == 200 and page.context["form"].errors
    assert not UsageEntry.objects.filter(kind="grant").exists()


def test_it_keeps_the_ledger_read_only(admin_client, reserved_design, alice):
    entry = UsageEntry.objects.get(design=reserved_design(owner=alice))
    assert admin_client.get("/admin/billing/usageentry/").status_code == 200
    assert admin_client.get("/admin/billing/usageentry/add/").status_code == 403
    assert admin_client.get(f"/admin/billing/usageentry/{entry.pk}/delete/").status_code == 403
