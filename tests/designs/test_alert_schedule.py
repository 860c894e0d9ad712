"""The alerts are evaluated by what runs in production: the workers' reaper, once per interval across all."""
from __future__ import annotations

import pytest
from django.utils import timezone

from designs.actors import reap_designs
from designs.models import Design, Status


@pytest.fixture
def burst(design_row):
    for _ in range(4):
        design_row(status=Status.FAILED)
    Design.objects.update(finished_at=timezone.now())


def test_it_evaluates_alerts_on_the_reapers_timer_once_per_interval(alerting, burst, settings):
    reap_designs.fn()  # what designs.dramatiq_middleware.ReaperTimer calls in every worker

    [mail] = alerting.wait(1)
    assert mail["Subject"] == "[Restyle] ALERT: Designs are failing"
    settings.ALERT_FAILURE_RATE = 1.01  # would resolve, but the interval has not passed
    reap_designs.fn()
    assert len(alerting.messages) == 1


def test_it_sends_nothing_when_alerts_are_off(alerting, burst, settings):
    settings.ALERTS_ENABLED = False

    reap_designs.fn()

    assert alerting.messages == []
