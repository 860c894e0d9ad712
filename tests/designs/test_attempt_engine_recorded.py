"""The worker records on each attempt's GPU charge which engine ran it and which worker process, for the
admin's attempt list."""
from __future__ import annotations

import os
import socket

import pytest

from billing.models import GpuCharge
from designs.models import Status
from designs.worker import design_run
from gpu.errors import RestyleError
from gpu.types import Event
from tests.dashboard.conftest import make_design

pytestmark = pytest.mark.django_db


class _BrokenEngine:
    """Runs a step on the GPU, then fails for good."""

    name = "modal"

    def restyle(self, request, *, should_cancel):
        yield Event(stage="analyzing", progress=0.1, message="Analyzing...")
        raise RestyleError("The engine broke.")


def test_it_records_the_engine_and_worker_of_an_attempt_without_a_result(alice):
    design = make_design(owner=alice)

    design_run(str(design.pk), backend=_BrokenEngine())

    design.refresh_from_db()
    assert design.status == Status.FAILED
    charge = GpuCharge.objects.get(design=design)
    assert (charge.attempt, charge.completed, charge.backend) == (1, False, "modal")
    assert charge.worker == f"{socket.gethostname()}:{os.getpid()}"
