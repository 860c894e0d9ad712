"""`make run` prints where to go only once the server answers there, at the HOST and PORT it was given."""
from __future__ import annotations

import re
import socket
import urllib.request

from tests.servers import RedisServer, free_port


def test_it_prints_the_banner_once_the_server_answers_at_host_and_port(make_run):
    redis = RedisServer().start()
    try:
        port = free_port()
        # 127.0.0.2 is loopback too on Linux, and no default: the banner must come from HOST.
        run = make_run(HOST="127.0.0.2", PORT=str(port), ALLOWED_HOSTS="127.0.0.2", REDIS_URL=redis.url)
        banner = run.wait_for("Restyle is at")
        url = re.search(r"http://\S+", banner).group(0)
        assert url == f"http://127.0.0.2:{port}/"
        with urllib.request.urlopen(f"{url}health/", timeout=5) as response:  # at once: no waiting here
            assert response.status == 200
        assert any("Migrating" in line for line in run.lines)  # it said what it was doing before
        assert "make superuser" in run.wait_for("admin:")
        with socket.socket() as other:  # it listens on HOST only
            assert other.connect_ex(("127.0.0.1", port)) != 0
    finally:
        redis.stop()
        redis.remove()
