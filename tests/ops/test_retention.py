"""Guests' designs and files go after GUEST_RETENTION_DAYS; accounts' designs and recent guests' stay."""
from __future__ import annotations

from datetime import timedelta

import dramatiq
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from designs import actors
from designs.models import Design, DesignResult
from designs.retention import guest_designs_purge
from tests.ops.conftest import stored_design, stored_files

pytestmark = pytest.mark.django_db


def _aged(design: Design, days: float) -> Design:
    Design.objects.filter(pk=design.pk).update(created_at=timezone.now() - timedelta(days=days))
    return design


@pytest.fixture
def designs(alice) -> dict[str, Design]:
    return {
        "old_guest": _aged(stored_design(guest_key="g" * 32, results=2), 8),
        "new_guest": _aged(stored_design(guest_key="h" * 32), 6),
        "old_user": _aged(stored_design(owner=alice), 30),
    }


def test_it_deletes_old_guest_designs_with_their_files(designs):
    old = designs["old_guest"]
    assert len(stored_files(old)) == 7  # photo, two results, two thumbnails, two control maps
    assert guest_designs_purge() == 1
    assert not Design.objects.filter(pk=old.pk).exists()
    assert not DesignResult.objects.filter(design_id=old.pk).exists()
    assert stored_files(old) == []
    assert Design.objects.filter(pk__in=[designs["new_guest"].pk, designs["old_user"].pk]).count() == 2
    assert stored_files(designs["new_guest"]) and stored_files(designs["old_user"])


@override_settings(GUEST_RETENTION_DAYS=0)
def test_zero_days_keeps_everything(designs):
    assert guest_designs_purge() == 0
    assert Design.objects.count() == 3


def test_the_job_runs_once_per_interval(designs):
    actors.purge_guest_designs.fn()
    assert not Design.objects.filter(pk=designs["old_guest"].pk).exists()
    late = _aged(stored_design(guest_key="i" * 32), 9)
    actors.purge_guest_designs.fn()  # within the hour: the lock holds it back
    assert Design.objects.filter(pk=late.pk).exists()
    cache.delete("designs:retention")
    actors.purge_guest_designs.fn()
    assert not Design.objects.filter(pk=late.pk).exists()


def _queued(queue: str) -> list[str]:
    """The actors of the messages waiting in one of the real broker's queues."""
    broker = dramatiq.get_broker()
    ids = broker.client.lrange(f"{broker.namespace}:{queue}", 0, -1)
    return [dramatiq.Message.decode(broker.client.hget(f"{broker.namespace}:{queue}.msgs", message_id)).actor_name
            for message_id in ids]


@pytest.fixture
def default_queue():
    broker = dramatiq.get_broker()
    broker.flush("default")
    yield
    broker.flush("default")


def test_the_reaper_asks_for_it(default_queue):
    actors.reap_designs.fn()
    assert _queued("default") == ["purge_guest_designs"]  # in Redis, for any worker to pick up
    actors.reap_designs.fn()  # within the reaper's interval: its lock holds the second one back
    assert _queued("default") == ["purge_guest_designs"]


def test_the_command_counts_then_deletes(designs, capsys):
    call_command("purge_guest_designs", "--dry-run")
    assert "1 guest designs are older than 7 days" in capsys.readouterr().out
    assert Design.objects.count() == 3
    call_command("purge_guest_designs", "--days", "5")
    assert "Deleted 2 guest designs older than 5 days" in capsys.readouterr().out
    assert list(Design.objects.values_list("pk", flat=True)) == [designs["old_user"].pk]
