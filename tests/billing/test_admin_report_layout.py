"""The usage report's layout fidelity: mean layout score and share kept per day by style and engine, as a table
and a chart with one line per engine."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import time_machine

from designs.models import Design, DesignResult, Status

TODAY = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)


def _finished(design_row, owner, *, style: str, engine: str, verdicts: list[tuple[float, bool | None]],
              days_ago: int = 0) -> None:
    design = design_row(owner=owner, status=Status.COMPLETED, variations=len(verdicts))
    Design.objects.filter(pk=design.pk).update(style=style, finished_at=TODAY - timedelta(days=days_ago))
    DesignResult.objects.bulk_create(
        DesignResult(design=design, index=i, image=f"r{i}.jpg", thumbnail=f"t{i}.jpg", seed=i, width=8, height=8,
                     quality_score=score, layout_kept=kept, engine=engine)
        for i, (score, kept) in enumerate(verdicts))


def test_it_reports_layout_fidelity_by_day_style_and_engine(admin_client, design_row, alice):
    with time_machine.travel(TODAY, tick=False):
        _finished(design_row, alice, style="japandi", engine="modal", verdicts=[(0.8, True), (0.4, False)])
        _finished(design_row, alice, style="japandi", engine="modal", verdicts=[(0.9, True), (0.7, None)])
        _finished(design_row, alice, style="boho", engine="replicate", verdicts=[(0.3, False)])
        _finished(design_row, alice, style="japandi", engine="modal", verdicts=[(0.7, True)], days_ago=1)
        response = admin_client.get("/admin/billing/usagereport/", {"days": "7"})

    assert response.status_code == 200
    rows = [{k: row[k] for k in ("day", "style", "engine", "results", "mean_score", "kept", "lost", "kept_percent")}
            for row in response.context["layout_rows"]]
    today, yesterday = TODAY.date(), TODAY.date() - timedelta(days=1)
    assert rows == [
        {"day": today, "style": "japandi", "engine": "modal", "results": 4, "mean_score": 0.7, "kept": 2, "lost": 1,
         "kept_percent": 66.7},  # the unmeasured result counts in the mean, not in the share
        {"day": today, "style": "boho", "engine": "replicate", "results": 1, "mean_score": 0.3, "kept": 0, "lost": 1,
         "kept_percent": 0.0},
        {"day": yesterday, "style": "japandi", "engine": "modal", "results": 1, "mean_score": 0.7, "kept": 1,
         "lost": 0, "kept_percent": 100.0},
    ]
    page = response.content.decode()
    assert re.search(r'<a href="/admin/billing/">Billing</a>\s*&rsaquo; ', page)  # the breadcrumbs
    assert 'id="report-layout"' in page
    chart = next(svg for svg in re.findall(r"<svg [^>]*class=\"chart\".*?</svg>", page, flags=re.S)
                 if ">Layout kept<" in svg)
    points = re.findall(r"<title>([^<]+)</title>", chart)
    assert "Nov 21: modal 66.7%" in points and "Nov 21: replicate 0%" in points and "Nov 20: modal 100%" in points
    assert "Nov 20: replicate" not in " ".join(points)  # no replicate result that day: no point
