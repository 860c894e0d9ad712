"""The queue-age alert: the oldest queued design waiting past ALERT_QUEUE_AGE_SECONDS sends one alert, and one
"resolved" once it is taken."""
from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from designs.alerts import alerts_evaluate
from designs.models import Design, Status


def test_it_alerts_when_the_oldest_design_waits_too_long(alerting, design_row):
    waiting = design_row()
    Design.objects.filter(pk=waiting.pk).update(queued_at=timezone.now() - timedelta(seconds=200))
    assert alerts_evaluate() == []  # under 300 s

    Design.objects.filter(pk=waiting.pk).update(queued_at=timezone.now() - timedelta(seconds=400))
    assert alerts_evaluate() == [("queue_age", "firing")]
    assert alerts_evaluate() == []
    Design.objects.filter(pk=waiting.pk).update(status=Status.ANALYZING)  # a worker took it
    assert alerts_evaluate() == [("queue_age", "resolved")]

    alert, resolved = alerting.wait(2)
    assert alert["Subject"] == "[Restyle] ALERT: Designs wait too long in the queue"
    assert re.search(r"has waited 40\d s \(alert after 300 s\)", alert.get_content())
    assert resolved["Subject"] == "[Restyle] RESOLVED: Designs wait too long in the queue"
