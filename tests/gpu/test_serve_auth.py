"""gpu.serve asks for a bearer token on every route that uses the GPU, and will not start without one unless
told it is a development machine."""
from __future__ import annotations

import subprocess
import sys
import time

from gpu.types import RestyleRequest
from tests.gpu.serve_process import ROOT, ServeProcess, post_restyle
from tests.servers import free_port

REQUEST = RestyleRequest(image=b"x", style="japandi")


def test_it_refuses_to_start_without_a_token():
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    result = subprocess.run([sys.executable, "-m", "gpu.serve", "--port", str(free_port())], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "RESTYLE_SERVE_TOKEN" in result.stderr and "--insecure-no-token" in result.stderr


def test_it_serves_without_a_token_only_with_the_insecure_flag():
    server = ServeProcess(token=None, args=("--insecure-no-token",)).start()
    try:
        deadline = time.monotonic() + 120
        while server.get("/health")[0] != 200:
            assert time.monotonic() < deadline and server.alive(), server.log_tail()
            time.sleep(0.1)
        conn, response = post_restyle(server, REQUEST, token=None)
        assert response.status != 401  # 503 while its models load: let in, not turned away
        conn.close()
    finally:
        server.kill()


def test_it_answers_401_to_a_missing_or_wrong_token(gpu_server):
    for token in (None, "wrong-token", gpu_server.token + "x"):
        conn, response = post_restyle(gpu_server, REQUEST, token=token)
        assert response.status == 401
        assert response.getheader("WWW-Authenticate") == "Bearer"
        body = response.read()
        assert b'"code":"unauthorized"' in body and b'"field":null' in body
        conn.close()
    assert gpu_server.load()["running"] == 0 and gpu_server.load()["queued"] == 0
