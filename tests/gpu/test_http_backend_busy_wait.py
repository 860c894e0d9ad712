"""A full server is not a failed attempt: HttpBackend waits what the busy answer says and asks again."""
from __future__ import annotations

import pytest

from gpu.backends import get_backend
from gpu.errors import BackendUnavailable
from tests.gpu.serve_process import TOKEN, first_message, post_restyle
from tests.gpu.support import make_request


def fill(server, steps: int):
    """The server's one slot and one queue place taken by raw streams nobody reads."""
    running = post_restyle(server, make_request(steps=steps))
    first_message(running[1])
    server.wait_load(lambda load: load["running"] == 1)
    queued = post_restyle(server, make_request(steps=2))
    first_message(queued[1])
    return [running, queued]


def test_it_waits_for_a_place_on_a_full_server_then_runs_the_design(gpu_server):
    before = gpu_server.load()
    streams = fill(gpu_server, steps=4)
    backend = get_backend("http", urls=[gpu_server.url], token=TOKEN, busy_wait=120)
    try:
        events = list(backend.restyle(make_request(steps=2)))
        for _, response in streams:
            response.read()  # to the end: the two that held the server finished before ours
    finally:
        for conn, _ in streams:
            conn.close()
    assert events[-1].is_final
    load = gpu_server.wait_load(lambda load: load["completed"] >= before.get("completed", 0) + 3)
    assert load["busy"] > before.get("busy", 0)  # it was turned away at least once


def test_it_gives_up_with_a_transient_error_after_busy_wait(gpu_server):
    streams = fill(gpu_server, steps=30)
    backend = get_backend("http", urls=[gpu_server.url], token=TOKEN, busy_wait=2)
    try:
        with pytest.raises(BackendUnavailable) as raised:
            list(backend.restyle(make_request(steps=2)))
        assert raised.value.transient
    finally:
        for conn, _ in streams:
            conn.close()
    gpu_server.wait_load(lambda load: load["running"] == 0 and load["queued"] == 0, timeout=120)
