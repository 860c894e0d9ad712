"""One design at a time on the GPU and a bounded queue: past it gpu.serve answers busy at once, with a Retry-After,
and a client that leaves gives its place back."""
from __future__ import annotations

import json

from tests.gpu.serve_process import first_message, post_restyle
from tests.gpu.support import make_request


def test_it_answers_busy_when_its_slot_and_queue_are_full(gpu_server):
    assert gpu_server.queue == 1
    before = gpu_server.load()
    running = post_restyle(gpu_server, make_request(steps=30))
    assert first_message(running[1])["type"] == "started"
    gpu_server.wait_load(lambda load: load["running"] == 1)
    queued = post_restyle(gpu_server, make_request(steps=2))
    assert first_message(queued[1])["type"] == "started"
    assert gpu_server.load()["queued"] == 1

    conn, refused = post_restyle(gpu_server, make_request(steps=2))
    assert refused.status == 503
    assert 1 <= int(refused.getheader("Retry-After")) <= 60
    assert json.loads(refused.read())["error"]["code"] == "busy"
    conn.close()
    assert gpu_server.load()["busy"] == before.get("busy", 0) + 1

    for conn, _ in (queued, running):  # clients that hang up: their calls are cancelled, running and queued
        conn.close()
    load = gpu_server.wait_load(lambda load: load["running"] == 0 and load["queued"] == 0, timeout=120)
    assert load.get("cancelled", 0) == before.get("cancelled", 0) + 2
    assert load.get("completed", 0) == before.get("completed", 0)
