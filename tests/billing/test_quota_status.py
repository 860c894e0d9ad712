from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from billing.selectors import plan_summary, quota_status
from tests.billing.conftest import guest, member


def test_it_reports_a_fresh_users_quota(alice):
    with time_machine.travel(datetime(2026, 11, 21, 8, 30, tzinfo=UTC), tick=False):
        status = quota_status(requester=member(alice))
    assert status == {"limit": 5, "used": 0, "remaining": 5, "resets_at": "2026-11-22T00:00:00Z"}


def test_it_reports_what_was_used_today(reserved_design, alice):
    reserved_design(owner=alice, variations=2)
    assert quota_status(requester=member(alice))["remaining"] == 3


def test_it_reports_a_guests_quota_by_ip(reserved_design):
    reserved_design(ip="198.51.100.7")
    assert quota_status(requester=guest(ip="198.51.100.7", key="another-session"))["used"] == 1
    assert quota_status(requester=guest(ip="198.51.100.8"))["used"] == 0


def test_it_summarises_the_plan(alice):
    assert plan_summary(requester=member(alice)) == {
        "code": "free", "name": "Free", "daily_limit": 5, "max_variations": 2, "max_resolution": 768, "priority": 1,
        "quick_drafts": True}
