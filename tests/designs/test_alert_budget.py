"""The GPU budget alerts: one mail when the day's spend passes 80% (and 100%) of the budget, none more while
it stays there, and one "resolved" mail when it clears."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from billing.services import cost_record
from designs.alerts import alerts_evaluate
from designs.models import AlertIncident, Status

NOON = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _subjects(mailbox) -> list[str]:
    return [message["Subject"] for message in mailbox.messages]


def test_it_mails_once_when_spend_passes_80_percent_and_once_when_it_clears(alerting, design_row, settings):
    settings.GPU_DAILY_BUDGET_USD = "0.0190"  # 100 s of a T4 is $0.0164: 86%
    with time_machine.travel(NOON, tick=False):
        assert alerts_evaluate() == []
        cost_record(design=design_row(status=Status.COMPLETED), attempt=1, gpu_seconds=100, gpu_type="T4")
        assert alerts_evaluate() == [("gpu_budget_80", "firing")]
        assert alerts_evaluate() == []  # still above: no second mail
        [mail] = alerting.wait(1)
        settings.GPU_DAILY_BUDGET_USD = "1.00"  # raised by an operator: 2%
        assert alerts_evaluate() == [("gpu_budget_80", "resolved")]
        assert alerts_evaluate() == []

    resolved = alerting.wait(2)[1]
    assert _subjects(alerting) == ["[Restyle] ALERT: GPU spend passed 80% of the daily budget",
                                   "[Restyle] RESOLVED: GPU spend passed 80% of the daily budget"]
    assert mail["To"] == "ops@example.com"
    assert "86% of the $0.0190 budget" in mail.get_content()
    assert "2% of the $1.00 budget" in resolved.get_content()
    incident = AlertIncident.objects.get()
    assert incident.alert == "gpu_budget_80" and incident.resolved_at is not None


def test_it_mails_the_100_percent_crossing_apart_and_resolves_both_when_the_day_turns(alerting, design_row,
                                                                                      settings):
    settings.GPU_DAILY_BUDGET_USD = "0.0160"
    with time_machine.travel(NOON, tick=False):
        cost_record(design=design_row(status=Status.COMPLETED), attempt=1, gpu_seconds=100, gpu_type="T4")  # 102%
        assert sorted(alerts_evaluate()) == [("gpu_budget_100", "firing"), ("gpu_budget_80", "firing")]
        assert alerts_evaluate() == []
    with time_machine.travel(NOON + timedelta(days=1), tick=False):
        assert sorted(alerts_evaluate()) == [("gpu_budget_100", "resolved"), ("gpu_budget_80", "resolved")]

    alerting.wait(4)
    assert sorted(_subjects(alerting)) == [
        "[Restyle] ALERT: GPU spend passed 100% of the daily budget",
        "[Restyle] ALERT: GPU spend passed 80% of the daily budget",
        "[Restyle] RESOLVED: GPU spend passed 100% of the daily budget",
        "[Restyle] RESOLVED: GPU spend passed 80% of the daily budget"]
