"""What the web's /metrics reports: request latency by route name, unfinished designs, queues, refused submits,
today's GPU spend against the budget. (What the worker counts: test_metrics_design_counters.py.)"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import dramatiq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from billing.models import GpuCharge, Plan
from billing.selectors import plan_get
from billing.services import subscription_change
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


def test_it_counts_unfinished_designs_by_status_and_the_oldest_wait(client, alice):
    stored_design(owner=alice, status=Status.COMPLETED)
    stored_design(owner=alice, status=Status.FAILED, results=0)
    stored_design(owner=alice, status=Status.TRANSFORMING, results=0)
    queued = stored_design(owner=alice, status=Status.QUEUED, results=0)
    Design.objects.filter(pk=queued.pk).update(queued_at=timezone.now() - timedelta(seconds=90))
    samples = scrape(client)
    assert sample(samples, "restyle_designs_unfinished", status="queued") == 1
    assert sample(samples, "restyle_designs_unfinished", status="transforming") == 1
    assert sample(samples, "restyle_designs_unfinished", status="analyzing") == 0  # every one is there, zero or not
    # Finished designs are counted as they end (restyle_designs_finished_total), not read back as rows.
    assert not any(name == "restyle_designs_unfinished" and ("status", "completed") in labels
                   for name, labels in samples)
    assert 89 < sample(samples, "restyle_oldest_queued_design_seconds") < 200


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


def _submit(api):
    photo = SimpleUploadedFile("room.jpg", jpeg((512, 384)), content_type="image/jpeg")
    return api.post("/api/v1/designs/", {"style": "japandi", "image": photo}, format="multipart")


def test_it_counts_quota_denials_by_plan(client, alice, alice_api):
    Plan.objects.filter(code="free").update(daily_limit=0)
    before = scrape(client)
    assert _submit(alice_api).status_code == 429
    samples = scrape(client)
    denials = "restyle_submit_denials_total"
    assert sample(samples, denials, code="quota_exceeded", plan="free") == sample(
        before, denials, code="quota_exceeded", plan="free") + 1
    assert sample(samples, denials, code="quota_exceeded", plan="guest") == sample(
        before, denials, code="quota_exceeded", plan="guest")
    assert sample(samples, "restyle_api_errors_total", status="429", code="quota_exceeded") >= 1


@override_settings(RATELIMIT_SUBMIT="1/m")
def test_it_counts_rate_limit_denials_by_plan(client, alice, alice_api, api):
    subscription_change(user=alice, plan=plan_get(code="premium"))
    before = scrape(client)
    assert _submit(alice_api).status_code == 202
    assert _submit(alice_api).status_code == 429
    assert _submit(api).status_code == 429  # a guest on the same network (the test client's address)
    samples = scrape(client)
    denials = "restyle_submit_denials_total"
    for plan in ("premium", "guest"):
        assert sample(samples, denials, code="rate_limited", plan=plan) == sample(
            before, denials, code="rate_limited", plan=plan) + 1, plan


def test_it_reports_todays_gpu_spend_against_the_budget(client):
    charge = {"gpu_type": "L4", "price_per_second": Decimal("0.000222")}
    GpuCharge.objects.create(**charge, gpu_seconds=Decimal("10"), cost_usd=Decimal("0.00222"), day=utc_today())
    GpuCharge.objects.create(**charge, gpu_seconds=Decimal("5"), cost_usd=Decimal("0.00111"),
                             day=utc_today() - timedelta(days=1))
    with override_settings(GPU_DAILY_BUDGET_USD="12.5"):
        samples = scrape(client)
    assert sample(samples, "restyle_gpu_cost_usd_today") == pytest.approx(0.00222)
    assert sample(samples, "restyle_gpu_budget_usd") == 12.5


def test_it_still_answers_when_a_source_fails(client, monkeypatch):
    from config import metrics

    def broken():
        raise ConnectionError("redis is down")

    monkeypatch.setitem(metrics.SOURCES, "queues", broken)
    samples = scrape(client)
    assert sample(samples, "restyle_metrics_source_up", source="queues") == 0
    assert sample(samples, "restyle_metrics_source_up", source="designs") == 1

