from __future__ import annotations

import pytest

from tests.gpu.serve_process import ServeProcess, started

MAX_BODY = 2 * 1024 * 1024  # small, so a test can send a request over it


@pytest.fixture(scope="session")
def gpu_server():
    """One `python -m gpu.serve` (tiny models, CPU, one slot and one queue place) for the HttpBackend tests:
    loading it costs tens of seconds, so it is shared. Tests leave it idle when they finish."""
    server = ServeProcess(queue=1, args=("--max-body", str(MAX_BODY)))
    try:
        yield started(server)[0]
    finally:
        server.stop()
        print(f"\n--- gpu.serve log ({server.log}):\n{server.log_tail(40)}")
