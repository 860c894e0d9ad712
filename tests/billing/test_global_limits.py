from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings

from billing.services import submit_guard
from core.errors import ApiError
from designs.models import Design
from tests.billing.conftest import guest

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _accepted(*, ago: timedelta, count: int = 1) -> None:
    """Designs accepted across all users, still waiting for the GPU (so holding capacity)."""
    designs = Design.objects.bulk_create(
        Design(client_ip=f"198.51.100.{i}", style="japandi", original="designs/t/original.jpg",
               deadline_at=NOW + timedelta(minutes=10))
        for i in range(count)
    )
    Design.objects.filter(pk__in=[d.pk for d in designs]).update(created_at=NOW - ago)


@override_settings(GLOBAL_DESIGNS_PER_MINUTE=3)
def test_it_pauses_everyone_past_the_designs_per_minute(db):
    with time_machine.travel(NOW, tick=False):
        _accepted(ago=timedelta(seconds=50))
        _accepted(ago=timedelta(seconds=10), count=2)
        with pytest.raises(ApiError) as caught:
            submit_guard(guest())
    error = caught.value
    assert (error.status_code, error.error_code) == (503, "capacity_exceeded")
    assert error.headers["Retry-After"] == "10"  # when the oldest of the three leaves the minute


@override_settings(GLOBAL_DESIGNS_PER_HOUR=3)
def test_it_pauses_everyone_past_the_designs_per_hour(db):
    with time_machine.travel(NOW, tick=False):
        _accepted(ago=timedelta(minutes=30), count=3)
        with pytest.raises(ApiError) as caught:
            submit_guard(guest())
    assert caught.value.headers["Retry-After"] == str(30 * 60)


@override_settings(GLOBAL_DESIGNS_PER_MINUTE=3, GLOBAL_DESIGNS_PER_HOUR=5)
def test_it_forgets_designs_older_than_the_window(db):
    with time_machine.travel(NOW, tick=False):
        _accepted(ago=timedelta(minutes=2), count=4)
        _accepted(ago=timedelta(hours=2), count=10)
        submit_guard(guest())


@override_settings(GLOBAL_DESIGNS_PER_MINUTE=0, GLOBAL_DESIGNS_PER_HOUR=0)
def test_it_can_be_turned_off(db):
    with time_machine.travel(NOW, tick=False):
        _accepted(ago=timedelta(seconds=1), count=5)
        submit_guard(guest())
