"""Designs through our own GPU servers on the real stack: API submit → worker (GPU_BACKEND=http) → HttpBackend →
two `python -m gpu.serve` processes (tiny models, CPU, loopback) → results in storage. Cancelled from the API,
and with the server running it killed mid-design."""
from __future__ import annotations

import pytest

from billing.models import GpuCharge
from designs.models import Status
from tests.drills.conftest import (
    assert_books_balance,
    assert_completed_once,
    submit_design,
    unfinished_charges,
    wait_for_status,
    wait_until_settled,
)
from tests.gpu.serve_process import TOKEN, ServeProcess, started

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def servers():
    pair = [ServeProcess(), ServeProcess()]
    try:
        yield started(*pair)
    finally:
        for server in pair:
            server.stop()


@pytest.fixture
def engines(servers):
    """Both servers up and idle (a drill before may have killed one)."""
    for server in servers:
        if not server.alive():
            server.start().wait_ready()
        server.wait_load(lambda load: load["running"] == 0 and load["queued"] == 0)
    return servers


def http_worker(stack, servers, **env):
    env = {"GPU_BACKEND": "http", "GPU_HTTP_URLS": ",".join(s.url for s in servers), "GPU_HTTP_TOKEN": TOKEN,
           "DESIGN_STEPS": "2", **env}
    return stack.worker(**env)


def completed(server) -> int:
    return server.load().get("completed", 0)


def test_it_completes_designs_on_the_least_busy_server(stack, staff_api, engines):
    http_worker(stack, engines, DESIGN_STEPS="40")  # the first design runs long enough to be seen running
    before = [completed(server) for server in engines]
    first = submit_design(staff_api)
    wait_for_status(first, ["transforming"], timeout=120)
    busy = next(server for server in engines if server.load()["running"] == 1)
    second = submit_design(staff_api)

    for design_id in (first, second):
        design = wait_until_settled(design_id, timeout=300)
        assert_completed_once(design)
        assert design.attempts == 1
        assert design.metadata["backend"] == "http" and design.metadata["device"] == "cpu"
        assert GpuCharge.objects.get(design=design).backend == "http"
    assert [completed(server) - done for server, done in zip(engines, before, strict=True)] == [1, 1]
    assert busy.load()["completed"] - before[engines.index(busy)] == 1  # the second went to the idle one
    assert_books_balance(staff_api.user)


def test_it_cancels_a_design_running_on_a_server(stack, staff_api, engines):
    http_worker(stack, engines, DESIGN_STEPS="100")
    before = [server.load() for server in engines]
    design_id = submit_design(staff_api)
    wait_for_status(design_id, ["transforming"], timeout=120)

    assert staff_api.post(f"/api/v1/designs/{design_id}/cancel/").status_code == 200

    design = wait_until_settled(design_id, timeout=60)
    assert design.status == Status.CANCELLED
    for server, earlier in zip(engines, before, strict=True):
        # Stopped at its next step: on a busy CI machine a step of the tiny models may take seconds, and the
        # whole design minutes, so "it never completed" is the test, not how fast it stopped.
        load = server.wait_load(lambda load: load["running"] == 0, timeout=180)
        assert load.get("completed", 0) == earlier.get("completed", 0)
    assert sum(s.load().get("cancelled", 0) - b.get("cancelled", 0) for s, b in zip(engines, before, strict=True)) == 1


def test_it_finishes_a_design_whose_server_was_killed_mid_design(stack, staff_api, engines):
    http_worker(stack, engines, DESIGN_STEPS="40")
    design_id = submit_design(staff_api, variations=2)
    wait_for_status(design_id, ["transforming"], timeout=120)
    running = next(server for server in engines if server.load()["running"] == 1)
    other = next(server for server in engines if server is not running)
    before = completed(other)

    running.kill()

    design = wait_until_settled(design_id, timeout=300)
    assert_completed_once(design)
    assert design.attempts == 2  # the killed server's run, then the worker's retry on the other server
    assert unfinished_charges(design) == [1]
    assert completed(other) == before + 1
    assert_books_balance(staff_api.user)
