"""HttpBackend cancels the call on the server when should_cancel says so, and the GPU is free again at once."""
from __future__ import annotations

import pytest

from gpu.backends import get_backend
from gpu.errors import Cancelled
from tests.gpu.serve_process import TOKEN
from tests.gpu.support import make_request


def test_it_cancels_the_design_on_the_server(gpu_server):
    backend = get_backend("http", urls=[gpu_server.url], token=TOKEN, poll_interval=0.05)
    before = gpu_server.load()
    seen = []

    with pytest.raises(Cancelled):
        # 30 steps: tens of seconds on the tiny models, so only a cancel ends it within the wait below.
        for event in backend.restyle(make_request(steps=30), should_cancel=lambda: len(seen) >= 5):
            seen.append(event)

    assert seen[-1].stage == "transforming"
    # Stopped at its next step, which may take seconds on a busy machine: that it never completed is the test.
    load = gpu_server.wait_load(lambda load: load["running"] == 0, timeout=120)
    assert load.get("cancelled", 0) == before.get("cancelled", 0) + 1
    assert load.get("completed", 0) == before.get("completed", 0)
