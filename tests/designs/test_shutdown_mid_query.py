"""Dramatiq raises Shutdown in a worker thread wherever it is, perhaps halfway through a query, which leaves the
thread's database connection mid-command. The design is still handed back at once (on a fresh connection) and
its attempt charged, instead of waiting for its lease to run out (the SIGTERM drill caught this once)."""
from __future__ import annotations

import threading

import pytest
from django.db import connection
from dramatiq.middleware import Shutdown

from billing.models import GpuCharge
from designs import worker
from designs.models import Status
from gpu.types import Event
from tests.dashboard.conftest import make_design


class _StoppedMidQuery:
    name = "modal"

    def restyle(self, request, *, should_cancel):
        yield Event(stage="analyzing", progress=0.1, message="Analyzing...")
        connection.ensure_connection()
        connection.connection.pgconn.send_query(b"SELECT pg_sleep(0.1)")  # sent; its answer is never read
        raise Shutdown("the worker is stopping")


@pytest.mark.django_db(transaction=True)
def test_a_shutdown_in_the_middle_of_a_query_still_hands_the_design_back(alice):
    design = make_design(owner=alice)
    try:
        worker.design_run(str(design.pk), backend=_StoppedMidQuery())
    finally:
        worker._stopping_threads.discard(threading.get_ident())  # this test's thread is not a stopping worker's

    design.refresh_from_db()
    assert (design.status, design.attempts, design.lease_until) == (Status.QUEUED, 1, None)  # another may take it
    assert GpuCharge.objects.filter(design=design, attempt=1, completed=False).exists()  # its time, charged once
