"""Several processes evaluating the alerts at the same moment send each alert once, and its "resolved" once."""
from __future__ import annotations

import pytest

from billing.services import cost_record
from designs.alerts import alerts_evaluate
from designs.models import AlertIncident, Status
from tests.billing.conftest import run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_sends_once_whoever_evaluates_at_the_same_time(alerting, design_row, settings):
    settings.GPU_DAILY_BUDGET_USD = "0.0100"  # 164%: both budget alerts
    settings.ALERT_BUDGET_PERCENTS = [80]
    cost_record(design=design_row(status=Status.COMPLETED), attempt=1, gpu_seconds=100, gpu_type="T4")

    fired = run_together([alerts_evaluate] * 6)
    assert sorted(sent for result in fired for sent in result) == [("gpu_budget_80", "firing")]
    settings.GPU_DAILY_BUDGET_USD = "10"
    resolved = run_together([alerts_evaluate] * 6)
    assert sorted(sent for result in resolved for sent in result) == [("gpu_budget_80", "resolved")]

    alerting.wait(2)
    assert len(alerting.messages) == 2
    assert AlertIncident.objects.count() == 1
