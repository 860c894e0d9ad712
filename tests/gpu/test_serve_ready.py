"""gpu.serve is live at once but ready only once its models are loaded and warmed; until then it turns designs
away with a busy answer that says when to come back."""
from __future__ import annotations

import time

from gpu.types import RestyleRequest
from tests.gpu.serve_process import ServeProcess, post_restyle


def test_it_is_ready_only_after_loading_its_models():
    server = ServeProcess().start()
    try:
        deadline = time.monotonic() + 120
        while server.get("/health")[0] != 200:
            assert time.monotonic() < deadline and server.alive(), server.log_tail()
            time.sleep(0.05)
        status, load = server.get("/ready")
        assert status == 503 and load["ready"] is False  # torch alone takes seconds to import

        conn, response = post_restyle(server, RestyleRequest(image=b"x", style="japandi"))
        assert response.status == 503 and int(response.getheader("Retry-After")) > 0
        assert b'"code":"not_ready"' in response.read()
        conn.close()

        server.wait_ready()
        status, load = server.get("/ready")
        assert status == 200 and load["ready"] is True and load["running"] == 0
        assert "models loaded and warmed" in server.log.read_text()
    finally:
        server.kill()
