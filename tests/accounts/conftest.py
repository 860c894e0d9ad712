from __future__ import annotations

import time

from tests.designs.conftest import worker, worker_control  # noqa: F401  (the real in-process worker fixtures)


def export_ready(client, *, timeout: float = 120) -> dict:
    """Ask for a data export over the API and wait until the worker has built it."""
    response = client.post("/api/v1/me/export/")
    assert response.status_code == 202, response.content
    deadline = time.monotonic() + timeout
    state = response.json()
    while state["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, state
        time.sleep(0.1)
        state = client.get(state["status_url"]).json()
    assert state["status"] == "ready", state
    return state
