from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import override_settings

from billing.services import cost_record, submit_guard
from core.errors import ApiError
from tests.billing.conftest import guest

NOON = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@override_settings(GPU_DAILY_BUDGET_USD="1.00")
def test_it_pauses_new_designs_once_todays_gpu_budget_is_spent(design_row):
    with time_machine.travel(NOON, tick=False):
        cost_record(design=design_row(), attempt=1, gpu_seconds=500, gpu_type="H100")  # $0.5485
        submit_guard(guest())
        cost_record(design=design_row(), attempt=1, gpu_seconds=500, gpu_type="H100")  # $1.097 in all
        with pytest.raises(ApiError) as caught:
            submit_guard(guest())
    error = caught.value
    assert (error.status_code, error.error_code) == (503, "budget_exhausted")
    assert error.headers["Retry-After"] == str(12 * 3600)
    assert "budget" in str(error.detail) and "midnight UTC" in str(error.detail)


@override_settings(GPU_DAILY_BUDGET_USD="1.00")
def test_it_opens_again_the_next_utc_day(design_row):
    with time_machine.travel(NOON, tick=False):
        cost_record(design=design_row(), attempt=1, gpu_seconds=1000, gpu_type="H100")
    with time_machine.travel(datetime(2026, 11, 22, 0, 0, tzinfo=UTC), tick=False):
        submit_guard(guest())


@override_settings(GPU_DAILY_BUDGET_USD="0")
def test_it_can_be_turned_off(design_row):
    cost_record(design=design_row(), attempt=1, gpu_seconds=10_000, gpu_type="H100")
    submit_guard(guest())
