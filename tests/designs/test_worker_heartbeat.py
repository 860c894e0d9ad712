"""Each worker process keeps a heartbeat in Redis saying what it runs; it is gone when the worker stops, and
the no-worker alert follows it."""
from __future__ import annotations

import os
import time

from django.db import transaction

from designs.alerts import alerts_evaluate
from designs.heartbeat import workers_alive
from designs.models import Design, Status
from designs.queues import design_send


def _until(predicate, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_it_shows_what_a_live_worker_runs(worker_control, design_row):
    assert workers_alive() == []
    worker_control.start()
    [alive] = _until(workers_alive)
    assert alive["pid"] == os.getpid() and alive["threads"] == 1 and alive["running"] == []

    # While the test holds the design's row, the worker's claim waits on it: the design is "running" for as long
    # as the test needs to look. Cancelled before the row is let go, so the claim then finds nothing to run.
    design = design_row()
    with transaction.atomic():
        Design.objects.select_for_update().get(pk=design.pk)
        design_send(design.pk, priority=0)
        running = _until(lambda: [job for w in workers_alive() for job in w["running"] if job["queue"] == "gpu"])
        assert [(job["design_id"], job["actor"]) for job in running] == [(str(design.pk), "process_design")]
        Design.objects.filter(pk=design.pk).update(status=Status.CANCELLED)
    _until(lambda: workers_alive() and not [job for job in workers_alive()[0]["running"] if job["queue"] == "gpu"])

    worker_control.stop()
    assert workers_alive() == []  # a clean stop takes its heartbeat away at once


def test_it_alerts_when_no_worker_lives_and_resolves_when_one_is_back(worker_control, alerting, settings):
    settings.ALERT_NO_WORKER = True
    worker_control.start()
    _until(workers_alive)
    assert alerts_evaluate() == []

    worker_control.stop()
    assert alerts_evaluate() == [("no_worker", "firing")]
    assert alerts_evaluate() == []
    worker_control.start()
    _until(workers_alive)
    assert alerts_evaluate() == [("no_worker", "resolved")]

    assert [m["Subject"] for m in alerting.wait(2)] == ["[Restyle] ALERT: No worker is running",
                                                        "[Restyle] RESOLVED: No worker is running"]
