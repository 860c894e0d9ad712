"""The failure-rate alert: a burst of failures sends one mail and one webhook call, evaluating again sends
nothing, and the end of the burst sends one "resolved" of each."""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from designs.alerts import alerts_evaluate
from designs.models import Design, Status


def _ended(design_row, status: str, count: int, *, minutes_ago: float = 1) -> None:
    for _ in range(count):
        design = design_row(status=status)
        Design.objects.filter(pk=design.pk).update(finished_at=timezone.now() - timedelta(minutes=minutes_ago))


def test_it_alerts_once_on_a_failure_burst_and_once_when_it_is_over(alerting, design_row, receiver, settings):
    settings.ALERT_WEBHOOK_URL = receiver.url
    _ended(design_row, Status.COMPLETED, 6)
    _ended(design_row, Status.FAILED, 1)
    assert alerts_evaluate() == []  # 1 of 7: under 25%

    _ended(design_row, Status.FAILED, 3)
    assert alerts_evaluate() == [("failure_rate", "firing")]  # 4 of 10
    assert alerts_evaluate() == []
    [alert] = alerting.wait(1)

    Design.objects.filter(status=Status.FAILED).update(finished_at=timezone.now() - timedelta(minutes=20))
    assert alerts_evaluate() == [("failure_rate", "resolved")]  # the burst left the 15-minute window
    assert alerts_evaluate() == []
    resolved = alerting.wait(2)[1]

    assert alert["Subject"] == "[Restyle] ALERT: Designs are failing"
    assert "4 of 10 designs that ended in the last 15 minutes failed (40%" in alert.get_content()
    assert resolved["Subject"] == "[Restyle] RESOLVED: Designs are failing"
    assert len(alerting.messages) == 2
    calls = [call.payload for call in receiver.calls]
    assert [(c["alert"], c["state"]) for c in calls] == [("failure_rate", "firing"), ("failure_rate", "resolved")]
    assert calls[0]["text"].startswith("ALERT: Designs are failing. 4 of 10")


def test_it_waits_for_enough_designs_before_calling_it_a_burst(alerting, design_row):
    _ended(design_row, Status.FAILED, 3)  # 100%, but 3 < ALERT_FAILURE_MIN_ENDED

    assert alerts_evaluate() == []
    assert alerting.messages == []
