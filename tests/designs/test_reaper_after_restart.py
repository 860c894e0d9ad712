"""The reaper's timer runs again when a worker starts after another stopped in the same process."""
from __future__ import annotations

import time

from django.utils import timezone

from designs.models import Design, Status
from tests.designs.conftest import submit


def _running(control) -> None:
    """Until the worker's threads run and stay as many for half a second: middleware that sends a message at boot
    declares a queue, which adds a consumer thread, and a stop before that one starts cannot join it."""
    deadline = time.monotonic() + 20
    seen = None
    while True:
        threads = [*control.worker.consumers.values(), *control.worker.workers]
        if all(thread.is_alive() for thread in threads) and len(threads) == seen:
            return
        assert time.monotonic() < deadline, "the worker's threads never settled"
        seen = len(threads) if all(thread.is_alive() for thread in threads) else None
        time.sleep(0.5)


def test_it_reaps_after_a_stop_and_a_start(alice_api, worker_control, settings):
    # The first worker stops before its timer ticks: a reap sends a message, and a queue declared meanwhile adds a
    # consumer to the worker while Dramatiq's stop iterates over them.
    settings.REAPER_INTERVAL_SECONDS = 600
    _running(worker_control.start())
    worker_control.stop()  # the broker keeps its middleware, ReaperTimer included, for the next worker
    settings.REAPER_INTERVAL_SECONDS = 0.2  # the lock (designs:reaper) still lets one reap through per second
    design_id = submit(alice_api).json()["id"]
    worker_control.broker.flush_all()  # no worker runs the design: only the reaper can end it
    Design.objects.filter(pk=design_id).update(status=Status.TRANSFORMING, deadline_at=timezone.now())

    worker_control.start()

    deadline = time.monotonic() + 15
    while (design := Design.objects.get(pk=design_id)).status != Status.FAILED:
        assert time.monotonic() < deadline, f"the reaper never ran after the restart: {design.status}"
        time.sleep(0.1)
    assert design.error_code == "timeout"
