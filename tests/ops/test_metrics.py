"""What /metrics reports: request latency by route name, designs, stages, queues, quota denials, GPU spend."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import dramatiq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from billing.models import GpuCharge, Plan
from billing.subjects import utc_today
from designs.actors import process_design, process_design_priority
from designs.models import Design, Status
from tests.ops.conftest import jpeg, sample, scrape, stored_design

pytestmark = pytest.mark.django_db


def test_it_times_requests_by_route_name_not_path(client):
    before = scrape(client)
    client.get("/health/")
    client.get("/no/such/page-12345/")
    after = scrape(client)
    count = "restyle_http_request_duration_seconds_count"
    assert sample(after, count, method="GET", route="health", status="200") == sample(
        before, count, method="GET", route="health", status="200") + 1
    assert sample(after, count, method="GET", route="unmatched", status="404") >= 1
    assert not any("page-12345" in str(labels) for _name, labels in after)


def test_it_counts_designs_by_status_and_the_oldest_wait(client, alice):
    stored_design(owner=alice, status=Status.COMPLETED)
    stored_design(owner=alice, status=Status.FAILED, results=0)
    queued = stored_design(owner=alice, status=Status.QUEUED, results=0)
    Design.objects.filter(pk=queued.pk).update(queued_at=timezone.now() - timedelta(seconds=90))
    samples = scrape(client)
    assert sample(samples, "restyle_designs", status="completed") == 1
    assert sample(samples, "restyle_designs", status="failed") == 1
    assert sample(samples, "restyle_designs", status="cancelled") == 0  # every status is there, zero or not
    assert 89 < sample(samples, "restyle_oldest_queued_design_seconds") < 200


def test_it_sums_stage_durations_of_designs_completed_in_the_last_hour(client, alice):
    now = timezone.now()
    for seconds, finished in ((1.5, now), (2.5, now - timedelta(minutes=30)), (100.0, now - timedelta(hours=2))):
        design = stored_design(owner=alice, metadata={"timings": {"transforming": seconds, "depth": 0.25}})
        Design.objects.filter(pk=design.pk).update(finished_at=finished)
    samples = scrape(client)
    assert sample(samples, "restyle_stage_seconds_recent_sum", stage="transforming") == 4.0
    assert sample(samples, "restyle_stage_seconds_recent_count", stage="transforming") == 2
    assert sample(samples, "restyle_stage_seconds_recent_sum", stage="depth") == 0.5


def test_it_reads_queue_depth_delayed_and_dead_letters_from_redis(client):
    broker = dramatiq.get_broker()
    broker.flush("gpu")
    broker.flush("gpu-priority")
    try:
        process_design.send("00000000-0000-0000-0000-000000000001")
        process_design.send_with_options(args=("00000000-0000-0000-0000-000000000002",), delay=60_000)
        broker.client.zadd(f"{broker.namespace}:gpu.XQ", {"dead-message-id": 1})  # as Dramatiq dead-letters one
        for _ in range(2):
            process_design_priority.send("00000000-0000-0000-0000-000000000003")
        samples = scrape(client)
    finally:
        broker.flush("gpu")
        broker.flush("gpu-priority")
    assert sample(samples, "restyle_queue_messages", queue="gpu-priority") == 2  # the premium plans' queue
    assert sample(samples, "restyle_queue_messages", queue="gpu") == 1
    assert sample(samples, "restyle_queue_delayed_messages", queue="gpu") == 1
    assert sample(samples, "restyle_queue_dead_messages", queue="gpu") == 1
    assert sample(samples, "restyle_metrics_source_up", source="queues") == 1


def test_it_counts_quota_denials(client, alice, alice_api):
    Plan.objects.filter(code="free").update(daily_limit=0)
    before = sample(scrape(client), "restyle_quota_denials_total")
    photo = SimpleUploadedFile("room.jpg", jpeg((512, 384)), content_type="image/jpeg")
    response = alice_api.post("/api/v1/designs/", {"style": "japandi", "image": photo}, format="multipart")
    assert response.status_code == 429, response.content
    samples = scrape(client)
    assert sample(samples, "restyle_quota_denials_total") == before + 1
    assert sample(samples, "restyle_api_errors_total", status="429", code="quota_exceeded") >= 1


def test_it_reports_gpu_seconds_and_cost_all_time_and_today(client):
    charge = {"gpu_type": "L4", "price_per_second": Decimal("0.000222")}
    GpuCharge.objects.create(**charge, gpu_seconds=Decimal("10"), cost_usd=Decimal("0.00222"), day=utc_today())
    GpuCharge.objects.create(**charge, gpu_seconds=Decimal("5"), cost_usd=Decimal("0.00111"),
                             day=utc_today() - timedelta(days=1))
    samples = scrape(client)
    assert sample(samples, "restyle_gpu_seconds_total") == 15
    assert sample(samples, "restyle_gpu_seconds_today") == 10
    assert sample(samples, "restyle_gpu_cost_usd_total") == pytest.approx(0.00333)
    assert sample(samples, "restyle_gpu_cost_usd_today") == pytest.approx(0.00222)


def test_it_still_answers_when_a_source_fails(client, monkeypatch):
    from config import metrics

    def broken():
        raise ConnectionError("redis is down")

    monkeypatch.setitem(metrics.SOURCES, "queues", broken)
    samples = scrape(client)
    assert sample(samples, "restyle_metrics_source_up", source="queues") == 0
    assert sample(samples, "restyle_metrics_source_up", source="designs") == 1

