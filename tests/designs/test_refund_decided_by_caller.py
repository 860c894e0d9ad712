"""Who gets the quota back is decided where the reason a design ended is known (the worker, cancel, staff);
billing only gives it back once."""
from __future__ import annotations

import pytest

from billing.models import DailyUsage, UsageEntry
from designs.models import Design, DesignResult, Status
from designs.remedies import design_refund
from designs.worker import design_claim, design_run
from gpu.errors import NotARoom
from tests.billing.conftest import assert_ledger_adds_up
from tests.designs.conftest import submit

pytestmark = pytest.mark.django_db


class _NotARoomEngine:
    """Refuses the photo before the GPU made anything."""

    name = "modal"

    def restyle(self, request, *, should_cancel):
        raise NotARoom("This photo does not look like a room.")
        yield  # a generator, as every engine's restyle


def _refunds(design_id) -> list[tuple[int, str]]:
    return list(UsageEntry.objects.filter(design_id=design_id, kind="refund").values_list("units", "note"))


def test_it_gives_the_quota_back_when_the_worker_fails_a_design_before_a_result(alice, alice_api):
    design_id = submit(alice_api, variations="2").json()["id"]

    design_run(design_id, backend=_NotARoomEngine())

    design = Design.objects.get(pk=design_id)
    assert (design.status, design.error_code) == (Status.FAILED, "not_a_room")
    assert _refunds(design_id) == [(2, "not_a_room")]
    assert DailyUsage.objects.get(user=alice).used == 0
    assert_ledger_adds_up()


def test_it_gives_the_quota_back_of_a_design_cancelled_before_it_started(alice, alice_api):
    design_id = submit(alice_api).json()["id"]

    assert alice_api.post(f"/api/v1/designs/{design_id}/cancel/").status_code == 200

    assert _refunds(design_id) == [(1, "cancelled")]
    assert DailyUsage.objects.get(user=alice).used == 0


def test_it_keeps_the_quota_of_a_design_cancelled_after_the_gpu_started(alice, alice_api, admin_user):
    design_id = submit(alice_api).json()["id"]
    assert design_claim(design_id) == 1  # a worker took it: the GPU is working on it

    assert alice_api.post(f"/api/v1/designs/{design_id}/cancel/").status_code == 200
    design = Design.objects.get(pk=design_id)
    refunded_by_staff = design_refund(design=design, staff=admin_user, reason="asked by mail")

    assert design.status == Status.CANCELLED
    assert refunded_by_staff is False
    assert _refunds(design_id) == []
    assert DailyUsage.objects.get(user=alice).used == 1


def test_it_lets_staff_refund_a_failed_design_but_not_one_whose_images_were_made(alice, alice_api, admin_user):
    failed_id, with_images_id = submit(alice_api).json()["id"], submit(alice_api).json()["id"]
    Design.objects.filter(pk__in=[failed_id, with_images_id]).update(status=Status.FAILED)
    DesignResult.objects.create(design_id=with_images_id, index=0, image="r.jpg", thumbnail="t.jpg", seed=1,
                                width=8, height=8, quality_score=0.9)

    assert design_refund(design=Design.objects.get(pk=failed_id), staff=admin_user, reason="outage") is True
    assert design_refund(design=Design.objects.get(pk=with_images_id), staff=admin_user, reason="outage") is False

    assert _refunds(failed_id) == [(1, "staff: outage")]
    assert _refunds(with_images_id) == []
    assert DailyUsage.objects.get(user=alice).used == 1
