"""The reaper's timer runs again when a worker boots after another shut down in the same process: Dramatiq keeps one
middleware instance per broker across workers."""
from __future__ import annotations

import time

import dramatiq
from django.utils import timezone

from designs.dramatiq_middleware import ReaperTimer
from designs.models import Design, Status
from tests.designs.conftest import forget_worker, submit


def test_it_reaps_after_a_shutdown_and_a_boot(alice_api, transactional_db, settings):
    broker = dramatiq.get_broker()
    # Dramatiq's own calls, in its order, on a worker that runs no threads (a real one's stop races its consumers).
    worker = dramatiq.Worker(broker, worker_threads=1)
    timer = ReaperTimer()
    settings.REAPER_INTERVAL_SECONDS = 600
    timer.after_worker_boot(broker, worker)
    timer.before_worker_shutdown(broker, worker)
    timer.after_worker_shutdown(broker, worker)
    design_id = submit(alice_api).json()["id"]
    broker.flush_all()  # no worker runs the design: only the reaper can end it
    Design.objects.filter(pk=design_id).update(status=Status.TRANSFORMING, deadline_at=timezone.now())
    settings.REAPER_INTERVAL_SECONDS = 0.2  # the lock (designs:reaper) still lets one reap through per second

    timer.after_worker_boot(broker, worker)
    try:
        deadline = time.monotonic() + 15
        while (design := Design.objects.get(pk=design_id)).status != Status.FAILED:
            assert time.monotonic() < deadline, f"the reaper never ran after the second boot: {design.status}"
            time.sleep(0.1)
        assert design.error_code == "timeout"
    finally:
        timer.before_worker_shutdown(broker, worker)
        forget_worker(broker, worker)
