from __future__ import annotations

from billing.models import Plan
from billing.services import plan_limits
from tests.billing.conftest import member, plan_change_form


def test_it_lets_staff_change_a_plans_limits(admin_client, alice):
    free = Plan.objects.get(code="free")
    response = admin_client.post(f"/admin/billing/plan/{free.pk}/change/",
                                 plan_change_form(free, daily_limit=8, max_variations=3, code="renamed"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    free.refresh_from_db()
    assert (free.code, free.daily_limit) == ("free", 8)  # a built-in plan keeps its code
    assert plan_limits(member(alice)).max_variations == 3


def test_it_lists_plans_with_their_subscribers(admin_client):
    response = admin_client.get("/admin/billing/plan/")
    assert response.status_code == 200
    assert [plan.code for plan in response.context["cl"].result_list] == ["guest", "free", "premium", "staff"]


def test_it_keeps_built_in_plans_from_being_deleted(admin_client):
    free = Plan.objects.get(code="free")
    assert admin_client.get(f"/admin/billing/plan/{free.pk}/delete/").status_code == 403
    custom = Plan.objects.create(code="team", name="Team", daily_limit=50)
    assert admin_client.post(f"/admin/billing/plan/{custom.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Plan.objects.filter(code="team").exists()


def test_it_keeps_non_staff_out(client, alice):
    client.force_login(alice)
    assert client.get("/admin/billing/plan/").status_code == 302
    assert client.get("/admin/billing/usagereport/").status_code == 302
