"""The reaper's timer runs again when a worker starts after another stopped in the same process."""
from __future__ import annotations

import time

import pytest
from django.utils import timezone

from designs.models import Design, Status
from tests.designs.conftest import submit


@pytest.fixture
def fast_reaper(settings):
    settings.REAPER_INTERVAL_SECONDS = 0.2  # the lock (designs:reaper) still lets one reap through per second


def _running(control) -> None:
    """Until the worker's consumer and worker threads run: a stop before then cannot join them."""
    deadline = time.monotonic() + 10
    while not all(thread.is_alive() for thread in [*control.worker.consumers.values(), *control.worker.workers]):
        assert time.monotonic() < deadline, "the worker's threads never started"
        time.sleep(0.05)


def test_it_reaps_after_a_stop_and_a_start(alice_api, worker_control, fast_reaper):
    _running(worker_control.start())
    worker_control.stop()  # the broker keeps its middleware, ReaperTimer included, for the next worker
    design_id = submit(alice_api).json()["id"]
    worker_control.broker.flush_all()  # no worker runs the design: only the reaper can end it
    Design.objects.filter(pk=design_id).update(status=Status.TRANSFORMING, deadline_at=timezone.now())

    worker_control.start()

    deadline = time.monotonic() + 15
    while (design := Design.objects.get(pk=design_id)).status != Status.FAILED:
        assert time.monotonic() < deadline, f"the reaper never ran after the restart: {design.status}"
        time.sleep(0.1)
    assert design.error_code == "timeout"
