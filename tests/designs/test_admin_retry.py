"""Staff retry a failed design from the admin: it runs again through the real queue and worker, without a
second charge to the user's quota, and the audit log says who did it and why."""
from __future__ import annotations

from collections import Counter

from billing.models import DailyUsage, UsageEntry
from designs.models import Design, StaffAction, Status
from designs.worker import design_abort, design_claim
from tests.billing.conftest import assert_ledger_adds_up
from tests.designs.conftest import submit, wait_for


def _retry(admin_client, design_id: str, **extra):
    return admin_client.post("/admin/designs/design/", {
        "action": "retry_failed", "_selected_action": [design_id], **extra})


def test_it_retries_a_failed_design_once_without_a_second_charge(worker_control, admin_client, admin_user, alice,
                                                                 alice_api):
    design_id = submit(alice_api).json()["id"]
    design_abort(design_id, "gpu_unavailable", "No GPU answered in time.", refund=True)
    worker_control.broker.flush_all()  # the first message is gone with the failure

    asked = _retry(admin_client, design_id)
    assert asked.status_code == 200 and 'name="reason"' in asked.text  # the reason is asked first
    assert Design.objects.get(pk=design_id).status == Status.FAILED

    done = _retry(admin_client, design_id, apply="Retry", reason="ticket 42: GPU outage")
    assert done.status_code == 302
    worker_control.start()
    state = wait_for(alice_api, design_id)

    assert state["status"] == "completed", state["error"]
    ledger = Counter(UsageEntry.objects.filter(design_id=design_id).values_list("kind", flat=True))
    assert ledger == Counter({"reserve": 1, "refund": 1})  # refunded when it failed; the retry is on the house
    assert DailyUsage.objects.get(user=alice).used == 0
    assert_ledger_adds_up()
    action = StaffAction.objects.get()
    assert (action.staff, action.action, action.design_id, action.reason) == (
        admin_user, "retry", Design.objects.get(pk=design_id).pk, "ticket 42: GPU outage")


def test_it_refunds_a_retried_design_that_fails_again_only_once(worker_control, admin_client, alice, alice_api):
    design_id = submit(alice_api).json()["id"]
    design_abort(design_id, "gpu_unavailable", "No GPU answered in time.", refund=True)
    _retry(admin_client, design_id, apply="Retry", reason="try again")
    design_abort(design_id, "gpu_unavailable", "Still no GPU.", refund=True)

    assert Counter(UsageEntry.objects.filter(design_id=design_id).values_list("kind", flat=True)) == Counter(
        {"reserve": 1, "refund": 1})
    assert DailyUsage.objects.get(user=alice).used == 0
    assert_ledger_adds_up()


def test_it_leaves_designs_that_did_not_fail_alone(worker_control, admin_client, alice_api):
    design_id = submit(alice_api).json()["id"]

    _retry(admin_client, design_id, apply="Retry", reason="by mistake")

    assert Design.objects.get(pk=design_id).status == Status.QUEUED
    assert not StaffAction.objects.exists()


def test_it_gives_a_design_that_ran_out_of_attempts_a_fresh_set(worker_control, admin_client, alice_api, settings):
    design_id = submit(alice_api).json()["id"]
    Design.objects.filter(pk=design_id).update(attempts=settings.DESIGN_MAX_ATTEMPTS + 1)
    design_abort(design_id, "too_many_attempts", "We could not finish this design.", refund=True)

    _retry(admin_client, design_id, apply="Retry", reason="engine fixed")

    assert design_claim(design_id) == settings.DESIGN_MAX_ATTEMPTS + 2  # claimed, and charged as a new attempt
