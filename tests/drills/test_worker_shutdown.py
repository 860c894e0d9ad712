"""SIGTERM a worker mid-design (a deploy): it hands the design back at once, another worker takes it well before
the lease would have run out, and the design completes with its quota charged once."""
from __future__ import annotations

import signal
import time

import pytest

from designs.models import RUNNING, Design
from tests.drills.conftest import (
    assert_books_balance,
    assert_completed_once,
    submit_design,
    unfinished_charges,
    wait_for_status,
    wait_until_settled,
)

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]

LEASE_S = 60  # long, as in production: only a hand-back explains a second worker starting within seconds


def _wait_for_attempt(design_id: str, attempt: int, *, timeout: float) -> Design:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        design = Design.objects.get(pk=design_id)
        if design.attempts >= attempt and design.status in RUNNING:
            return design
        time.sleep(0.05)
    raise AssertionError(f"design {design_id} not taken again within {timeout:.0f} s: {design.status}, "
                         f"attempt {design.attempts}, lease until {design.lease_until}")


def test_it_hands_a_running_design_to_another_worker_on_sigterm(stack, staff_api):
    lease = {"DESIGN_LEASE_SECONDS": str(LEASE_S)}
    first = stack.worker(fake_modal=True, DRILL_MODAL_EVENTS="300", DRILL_MODAL_EVENT_S="0.1", **lease)
    design_id = submit_design(staff_api)
    assert wait_for_status(design_id, ["transforming"], timeout=120).attempts == 1

    first.process.send_signal(signal.SIGTERM)  # the main process only, as `docker stop` signals PID 1
    stopped_at = time.monotonic()
    stack.worker(fake_modal=True, DRILL_MODAL_EVENTS="10", DRILL_MODAL_EVENT_S="0.05", **lease)
    _wait_for_attempt(design_id, 2, timeout=LEASE_S / 3)
    taken_after = time.monotonic() - stopped_at
    assert first.process.wait(30) is not None

    design = wait_until_settled(design_id, timeout=120)
    assert_completed_once(design)
    assert design.attempts == 2
    assert unfinished_charges(design) == [1]  # the interrupted run's GPU time, charged as used
    assert stack.remote_calls() == 2
    assert_books_balance(staff_api.user)
    print(f"taken again {taken_after:.1f} s after SIGTERM (lease {LEASE_S} s)")
