"""The usage report draws its numbers as inline SVG charts above the tables: designs and images by plan,
success rate, GPU cost against the budget, and p50/p95 processing time (Postgres' percentiles)."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import time_machine
from django.utils import timezone

from billing.services import cost_record
from designs.models import Design, Status

TODAY = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)


def _complete(design: Design, seconds: float) -> None:
    started = timezone.now() - timedelta(seconds=seconds)
    Design.objects.filter(pk=design.pk).update(status=Status.COMPLETED, started_at=started,
                                                finished_at=started + timedelta(seconds=seconds))


def _titles(svg: str) -> list[str]:
    return re.findall(r"<title>([^<]+)</title>", svg)


def test_it_draws_the_report_as_charts_above_the_tables(admin_client, reserved_design, alice, bob, settings):
    settings.GPU_DAILY_BUDGET_USD = "0.05"
    with time_machine.travel(TODAY, tick=False):
        designs = [reserved_design(owner=alice, variations=2), *(reserved_design(owner=alice) for _ in range(3)),
                   reserved_design(owner=bob)]
        for design, seconds in zip(designs, [10, 20, 30, 40, 100], strict=True):
            _complete(design, seconds)
        cost_record(design=designs[0], attempt=1, gpu_seconds=100, gpu_type="T4")  # $0.0164
        failed = reserved_design(ip="198.51.100.7")
        Design.objects.filter(pk=failed.pk).update(status=Status.FAILED)
        response = admin_client.get("/admin/billing/usagereport/", {"days": "7"})

    page = response.content.decode()
    svgs = re.findall(r"<svg [^>]*class=\"chart\".*?</svg>", page, flags=re.S)
    assert [re.search(r'<title id="[^"]+">([^<]+)', svg).group(1) for svg in svgs[:5]] == [
        "Designs per day by plan", "Images per day by plan", "Success rate", "GPU cost against the daily budget",
        "Processing time"]
    assert page.index("<svg") < page.index('id="report-days"')  # the charts first, the table below
    designs_chart, images_chart, success, cost, times = svgs[:5]
    assert "Nov 21: free 5" in _titles(designs_chart) and "Nov 21: guest 1" in _titles(designs_chart)
    assert "Nov 21: free 6" in _titles(images_chart)
    assert "Nov 21: success 83.3%" in _titles(success)  # 5 of 6 that ended
    assert "Nov 21: GPU cost $0.0164" in _titles(cost) and "budget $0.05" in cost
    assert "Nov 21: median (p50) 30s" in _titles(times)
    assert "Nov 21: 95th percentile 88s" in _titles(times)  # interpolated: 40 + 0.8 × (100 − 40)
    assert "Nov 20" in times and "Nov 20:" not in " ".join(_titles(times))  # a day without designs: no point
    assert "<script" not in page.split('id="report-charts"')[1].split('id="report-days"')[0]
