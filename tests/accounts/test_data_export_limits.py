"""Exports run one at a time per account and a few a day; the page and the API ask the same service."""
from __future__ import annotations

from accounts.models import DataExport
from tests.conftest import assert_error


def test_one_export_runs_at_a_time(alice_api, alice):
    first = alice_api.post("/api/v1/me/export/")
    assert first.status_code == 202
    assert first["Location"] == first.json()["status_url"]
    assert first.json()["status"] == "queued" and first.json()["download_url"] is None
    assert_error(alice_api.post("/api/v1/me/export/"), 409, "export_running")
    assert DataExport.objects.filter(user=alice).count() == 1


def test_a_few_exports_a_day(alice_api, alice, settings):
    settings.RATELIMIT_DATA_EXPORT = "2/d"
    for _ in range(2):
        assert alice_api.post("/api/v1/me/export/").status_code == 202
        DataExport.objects.filter(user=alice).update(status=DataExport.Status.FAILED)  # as if it had ended
    response = alice_api.post("/api/v1/me/export/")
    assert_error(response, 429, "rate_limited")
    assert int(response["Retry-After"]) > 0


def test_the_account_page_asks_for_one(client, alice):
    client.force_login(alice)
    response = client.post("/account/export/", follow=True)
    page = response.content.decode()
    assert "We are preparing your data" in page and "being prepared" in page
    response = client.post("/account/export/", follow=True)
    assert "Your export is being prepared" in response.content.decode()
    assert DataExport.objects.filter(user=alice).count() == 1
