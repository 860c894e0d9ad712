"""The designs' counters move by exactly one per design that ends, labelled with its final status and the engine
its last attempt ran on; the histograms and the GPU dollars move with them. The real in-process worker and the
tiny pipeline; read through the web's /metrics (one process here, so it shows the worker's samples too)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.models import GpuCharge
from designs.models import Design
from designs.worker import design_run, designs_reap
from gpu.errors import RestyleError
from gpu.types import Event
from tests.dashboard.conftest import make_design
from tests.designs.conftest import submit, wait_for
from tests.ops.conftest import sample, scrape

FINISHED = "restyle_designs_finished_total"
STATUSES = ("completed", "failed", "cancelled")
ENGINES = ("local", "modal", "none")


def _finished(samples) -> dict[tuple[str, str], float]:
    return {(status, engine): sample(samples, FINISHED, status=status, engine=engine)
            for status in STATUSES for engine in ENGINES}


def _moved(before, after) -> dict[tuple[str, str], float]:
    """Which (status, engine) counters moved, and by how much."""
    old, new = _finished(before), _finished(after)
    return {key: new[key] - old[key] for key in new if new[key] != old[key]}


class _BrokenEngine:
    """Runs a step on the GPU, then fails for good."""

    name = "modal"

    def restyle(self, request, *, should_cancel):
        yield Event(stage="analyzing", progress=0.1, message="Analyzing...")
        raise RestyleError("The engine broke.")


def test_it_counts_a_completed_design_once_with_its_engine_and_times(worker_control, client, alice_api):
    worker_control.start()
    before = scrape(client)
    design_id = submit(alice_api).json()["id"]
    assert wait_for(alice_api, design_id)["status"] == "completed"
    after = scrape(client)

    assert _moved(before, after) == {("completed", "local"): 1}
    processing = "restyle_design_processing_seconds_count"
    assert sample(after, processing, status="completed", engine="local") == sample(
        before, processing, status="completed", engine="local") + 1
    wait = "restyle_design_queue_wait_seconds_count"
    assert sample(after, wait, queue="gpu") == sample(before, wait, queue="gpu") + 1  # the free plan's queue
    assert sample(after, wait, queue="gpu-priority") == sample(before, wait, queue="gpu-priority")
    stage = "restyle_design_stage_seconds_count"
    assert sample(after, stage, stage="transforming") == sample(before, stage, stage="transforming") + 1
    charge = GpuCharge.objects.get(design_id=design_id)  # on a CPU: 0 GPU seconds, still counted under its engine
    assert ("restyle_gpu_seconds_total", (("engine", "local"),)) in after
    assert sample(after, "restyle_gpu_seconds_total", engine="local") - sample(
        before, "restyle_gpu_seconds_total", engine="local") == pytest.approx(float(charge.gpu_seconds))


@pytest.mark.django_db(transaction=True)  # the counters move when the transaction commits
def test_it_counts_a_failed_design_once_with_the_engine_it_ran_on(client, alice):
    design = make_design(owner=alice)
    before = scrape(client)
    design_run(str(design.pk), backend=_BrokenEngine())
    design_run(str(design.pk), backend=_BrokenEngine())  # a redelivery: the design has ended, nothing more
    after = scrape(client)

    assert _moved(before, after) == {("failed", "modal"): 1}
    charge = GpuCharge.objects.get(design=design)
    assert charge.cost_usd > Decimal(0)
    assert sample(after, "restyle_gpu_cost_usd_total", engine="modal") - sample(
        before, "restyle_gpu_cost_usd_total", engine="modal") == pytest.approx(float(charge.cost_usd))


@pytest.mark.django_db(transaction=True)  # the counters move when the transaction commits
def test_it_counts_a_design_the_reaper_fails_without_an_engine(client, alice):
    design = make_design(owner=alice)
    Design.objects.filter(pk=design.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    before = scrape(client)
    assert designs_reap()["failed"] == 1
    assert designs_reap()["failed"] == 0
    assert _moved(before, scrape(client)) == {("failed", "none"): 1}


@pytest.mark.django_db(transaction=True)  # the counters move when the transaction commits
def test_it_counts_a_cancel_once(client, alice_api):
    design_id = submit(alice_api).json()["id"]  # no worker: it stays queued
    before = scrape(client)
    assert alice_api.post(f"/api/v1/designs/{design_id}/cancel/").status_code == 200
    assert alice_api.post(f"/api/v1/designs/{design_id}/cancel/").status_code == 409
    assert alice_api.delete(f"/api/v1/designs/{design_id}/").status_code == 204  # already ended: not again
    assert _moved(before, scrape(client)) == {("cancelled", "none"): 1}


@pytest.mark.django_db(transaction=True)  # the counters move when the transaction commits
def test_it_counts_a_delete_of_an_unfinished_design_as_cancelled(client, alice_api):
    design_id = submit(alice_api).json()["id"]
    before = scrape(client)
    assert alice_api.delete(f"/api/v1/designs/{design_id}/").status_code == 204
    assert _moved(before, scrape(client)) == {("cancelled", "none"): 1}


@pytest.mark.django_db(transaction=True)  # the counters move when the transaction commits
def test_it_counts_an_upscales_gpu_time_and_dollars_once_per_attempt(client, alice):
    from billing.upscales import upscale_cost_record
    from designs.models import Upscale
    from tests.designs.upscaling import completed_design

    design = completed_design(alice)
    job = Upscale.objects.create(design=design, result=design.results.first(), factor=2,
                                 deadline_at=timezone.now() + timedelta(minutes=5))
    before = scrape(client)
    for _ in range(2):  # the same attempt recorded again replaces its charge
        upscale_cost_record(upscale=job, attempt=1, gpu_seconds=12.5, gpu_type="H100", backend="modal")
    after = scrape(client)

    charge = GpuCharge.objects.get(upscale=job)
    assert charge.cost_usd > Decimal(0)
    assert sample(after, "restyle_gpu_cost_usd_total", engine="modal") - sample(
        before, "restyle_gpu_cost_usd_total", engine="modal") == pytest.approx(float(charge.cost_usd))
    assert sample(after, "restyle_gpu_seconds_total", engine="modal") - sample(
        before, "restyle_gpu_seconds_total", engine="modal") == pytest.approx(12.5)
