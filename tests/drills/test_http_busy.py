"""20 designs at once on one `python -m gpu.serve` with one GPU slot and a queue of two: all complete, none lost,
each on its first attempt; the ones that found the queue full were answered busy and asked again."""
from __future__ import annotations

import time

import pytest

from designs.models import Design
from tests.drills.conftest import assert_books_balance, assert_completed_once, submit_design, wait_until_settled
from tests.gpu.serve_process import TOKEN, ServeProcess, started

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]

DESIGNS = 20
WORKERS = 4  # two threads each: 8 designs in flight against a capacity of 3


def test_it_completes_20_concurrent_designs_on_one_gpu_slot(stack, staff_api):
    server = ServeProcess(queue=2)
    try:
        started(server)
        for _ in range(WORKERS):
            stack.worker(GPU_BACKEND="http", GPU_HTTP_URLS=server.url, GPU_HTTP_TOKEN=TOKEN, DESIGN_STEPS="2",
                         GPU_HTTP_BUSY_WAIT_SECONDS="600")
        began = time.monotonic()
        ids = [submit_design(staff_api) for _ in range(DESIGNS)]

        designs = [wait_until_settled(design_id, timeout=600) for design_id in ids]
        elapsed = time.monotonic() - began
        load = server.load()
    finally:
        server.stop()
    for design in designs:
        assert_completed_once(design)
        assert design.attempts == 1  # waiting for a place cost no attempt
    assert Design.objects.filter(owner=staff_api.user).count() == DESIGNS
    assert load["completed"] == DESIGNS and load["running"] == load["queued"] == 0
    assert load["busy"] > 0  # the queue bound was reached and answered
    assert_books_balance(staff_api.user)
    print(f"\n{DESIGNS} designs on one slot in {elapsed:.0f} s; {load['busy']} busy answers")
