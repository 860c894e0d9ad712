"""Staff find designs in the admin by status, style, plan, engine, date, recent failure, e-mail and id."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import UsageEntry
from billing.services import cost_record
from designs.models import Design, Status
from tests.dashboard.conftest import make_design

pytestmark = pytest.mark.django_db


def _listed(admin_client, **params) -> set[str]:
    response = admin_client.get("/admin/designs/design/", params)
    assert response.status_code == 200
    return set(re.findall(r'name="_selected_action" value="([^"]+)"', response.text))


def _reserve(design: Design, plan_code: str) -> None:
    UsageEntry.objects.create(kind=UsageEntry.Kind.RESERVE, user=design.owner, design=design, units=1,
                              day=timezone.now().date(), plan_code=plan_code)


def test_it_filters_failures_of_the_last_hour(admin_client, alice):
    recent = make_design(owner=alice, status=Status.FAILED)
    old = make_design(owner=alice, status=Status.FAILED)
    Design.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(hours=2))
    make_design(owner=alice, status=Status.COMPLETED)

    assert _listed(admin_client, failed_within="1h") == {str(recent.pk)}
    assert _listed(admin_client, status__exact="failed") == {str(recent.pk), str(old.pk)}


def test_it_filters_by_plan_and_engine(admin_client, alice, bob):
    free, premium = make_design(owner=alice), make_design(owner=bob)
    _reserve(free, "free")
    _reserve(premium, "premium")
    cost_record(design=premium, attempt=1, gpu_seconds=3, gpu_type="L4", backend="modal", worker="w:1")
    cost_record(design=free, attempt=1, gpu_seconds=3, gpu_type="L4", backend="local", worker="w:2")
    cost_record(design=free, attempt=2, gpu_seconds=3, gpu_type="L4", backend="local", worker="w:2")

    assert _listed(admin_client, plan="premium") == {str(premium.pk)}
    assert _listed(admin_client, plan="free") == {str(free.pk)}
    assert _listed(admin_client, engine="modal") == {str(premium.pk)}
    assert _listed(admin_client, engine="local") == {str(free.pk)}  # once, though it had two local attempts


def test_it_filters_by_style_and_date(admin_client, alice):
    today = make_design(owner=alice, style="japandi")
    make_design(owner=alice, style="industrial")
    last_week = make_design(owner=alice, style="japandi")
    Design.objects.filter(pk=last_week.pk).update(created_at=timezone.now() - timedelta(days=8))

    sidebar = admin_client.get("/admin/designs/design/").text
    assert "?style=industrial" in sidebar and "?created_at__gte=" in sidebar  # offered, not just accepted
    assert _listed(admin_client, style="japandi") == {str(today.pk), str(last_week.pk)}
    since = (timezone.now() - timedelta(days=1)).date().isoformat()
    assert _listed(admin_client, style="japandi", created_at__gte=since) == {str(today.pk)}


def test_it_finds_designs_by_the_owners_email_and_by_id(admin_client, alice, bob):
    alices = make_design(owner=alice)
    bobs = make_design(owner=bob)

    assert _listed(admin_client, q=bob.email) == {str(bobs.pk)}
    assert _listed(admin_client, q=str(alices.pk)) == {str(alices.pk)}
