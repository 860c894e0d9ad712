from __future__ import annotations

from billing.models import Plan, Subscription
from billing.selectors import plan_for_user


def test_it_changes_a_users_plan_by_adding_a_subscription(admin_client, admin_user, alice):
    premium, free = Plan.objects.get(code="premium"), Plan.objects.get(code="free")
    for plan in (premium, free):
        response = admin_client.post("/admin/billing/subscription/add/",
                                     {"user": alice.pk, "plan": plan.pk, "note": "ticket 7"})
        assert response.status_code == 302
    history = list(Subscription.objects.filter(user=alice).order_by("pk"))
    assert [(s.plan.code, s.is_current, s.changed_by) for s in history] == [
        ("premium", False, admin_user), ("free", True, admin_user)]
    assert plan_for_user(user=alice) == free


def test_it_moves_selected_users_to_a_plan(admin_client, alice, bob):
    free = Plan.objects.get(code="free")
    ids = [Subscription.objects.create(user=user, plan=free).pk for user in (alice, bob)]
    form = {"action": "change_plan", "_selected_action": ids}

    page = admin_client.post("/admin/billing/subscription/", form)
    assert page.status_code == 200
    assert "plan" in page.context["form"].fields

    premium = Plan.objects.get(code="premium")
    done = admin_client.post("/admin/billing/subscription/", {**form, "apply": "1", "plan": premium.pk})
    assert done.status_code == 302
    assert plan_for_user(user=alice) == plan_for_user(user=bob) == premium


def test_it_keeps_the_history_read_only(admin_client, alice):
    subscription = Subscription.objects.create(user=alice, plan=Plan.objects.get(code="premium"))
    assert admin_client.get(f"/admin/billing/subscription/{subscription.pk}/delete/").status_code == 403
    page = admin_client.get(f"/admin/billing/subscription/{subscription.pk}/change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]
