"""A cancel gives an upscale's images back exactly once, mid-run included; the worker then stops at its next tile."""
from __future__ import annotations

import threading

import pytest
from django.core.files.storage import default_storage

from accounts.requester import Requester
from billing.models import GpuCharge, UsageEntry
from billing.selectors import quota_status
from billing.upscales import upscale_refund
from designs.models import Upscale
from designs.upscale_worker import LostClaim, upscale_abort, upscale_claim, upscale_complete
from gpu import upscale as gpu_upscale
from gpu.backends.local import LocalBackend
from gpu.types import UpscaleResult
from tests.billing.conftest import assert_ledger_adds_up
from tests.conftest import assert_error
from tests.designs.upscaling import client_on_plan, completed_design, upscale, wait_for_upscale

pytestmark = pytest.mark.django_db(transaction=True)


def _used(user) -> int:
    return quota_status(requester=Requester(user=user, guest_key="", ip=""))["used"]


@pytest.fixture
def gate(monkeypatch):
    """Holds the upscale after its first tile until the test opens it: a cancel lands mid-run, every time."""
    opened, first_done = threading.Event(), threading.Event()
    enlarge = gpu_upscale._enlarge_tile

    def held(*args, **kwargs):
        if first_done.is_set():
            opened.wait(timeout=60)
        first_done.set()
        return enlarge(*args, **kwargs)

    monkeypatch.setattr(gpu_upscale, "_enlarge_tile", held)
    yield opened
    opened.set()


def test_it_refunds_a_cancel_mid_upscale_exactly_once(worker, alice, gate):
    api = client_on_plan(alice, "premium")
    design = completed_design(alice)
    upscale_id = upscale(api, design, factor=4).json()["id"]
    assert _used(alice) == 2
    running = wait_for_upscale(api, design, upscale_id, until=lambda s: s["status"] == "upscaling" and s["progress"])
    assert 0 < running["progress"] < 1

    response = api.post(f"/api/v1/designs/{design.pk}/upscales/{upscale_id}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert _used(alice) == 1  # given back at once, while the worker still holds its tile
    assert_error(api.post(f"/api/v1/designs/{design.pk}/upscales/{upscale_id}/cancel/"), 409, "already_finished")
    gate.set()
    worker.drain()

    cancelled = Upscale.objects.get(pk=upscale_id)
    assert cancelled.status == "cancelled" and not cancelled.image
    assert upscale_abort(upscale_id, "timeout", "late") is False  # a reaper racing the cancel changes nothing
    assert upscale_refund(upscale=cancelled, reason="again") is False
    entries = UsageEntry.objects.filter(upscale_id=upscale_id).order_by("created_at")
    assert list(entries.values_list("kind", flat=True)) == ["reserve", "refund"]
    assert _used(alice) == 1
    assert GpuCharge.objects.filter(upscale_id=upscale_id, completed=False).count() == 1  # the GPU time it used
    assert_ledger_adds_up()


def test_it_refunds_a_queued_upscale_at_once(worker_control, alice):
    api = client_on_plan(alice, "premium")
    design = completed_design(alice)
    upscale_id = upscale(api, design, factor=2).json()["id"]  # no worker: it stays queued
    assert _used(alice) == 2
    assert api.post(f"/api/v1/designs/{design.pk}/upscales/{upscale_id}/cancel/").json()["status"] == "cancelled"
    assert _used(alice) == 1
    retry = upscale(api, design, factor=2)  # a cancelled one does not block asking again, charged anew
    assert retry.status_code == 202 and retry.json()["id"] != upscale_id
    assert _used(alice) == 2
    assert_ledger_adds_up()


def test_it_discards_a_result_that_arrives_after_the_cancel(worker_control, alice):
    """The window between the last tile and the final write: the cancel wins, the file is not kept."""
    api = client_on_plan(alice, "premium")
    design = completed_design(alice)
    upscale_id = upscale(api, design, factor=2).json()["id"]
    attempt = upscale_claim(upscale_id)  # a worker holds it...
    assert api.post(f"/api/v1/designs/{design.pk}/upscales/{upscale_id}/cancel/").status_code == 200
    late = UpscaleResult(image=b"\xff\xd8late", width=512, height=384, timings={}, model="tiny", device="cpu",
                         gpu_seconds=0.0)
    with pytest.raises(LostClaim):  # ...and finishes just after the cancel
        upscale_complete(Upscale.objects.select_related("design", "result").get(pk=upscale_id), attempt, late,
                         backend=LocalBackend(profile="tiny"))
    cancelled = Upscale.objects.get(pk=upscale_id)
    assert cancelled.status == "cancelled" and not cancelled.image
    prefix = design.storage_prefix
    assert not [name for name in default_storage.listdir(prefix)[1] if name.startswith("upscale-")]
    assert _used(alice) == 1
