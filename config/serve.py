"""How uvicorn serves config.asgi, in one place for `make run` (config/run.py) and the image (docker-entrypoint.sh).

`python -m config.serve [uvicorn options...]` runs uvicorn with these options first, then the caller's.

- `--no-proxy-headers`: uvicorn would otherwise let X-Forwarded-For from 127.0.0.1 (its default
  forwarded-allow-ips) replace the client address, so any local client could pose as any IP. Client IPs come from
  core.clients.client_ip only, which trusts X-Forwarded-For as NUM_PROXIES and FORWARDED_ALLOW_IPS say.
- `--limit-concurrency`: connections and requests held at once per process; past it uvicorn answers 503 instead
  of running out of memory or file descriptors. Idle connections count too: an idle flood must also be cut at
  the proxy (README, "Security").
- `--timeout-keep-alive`: how long an idle keep-alive connection stays open between requests. Behind a load
  balancer make it longer than the balancer's own idle timeout.
- `--h11-max-incomplete-event-size`: the most header bytes uvicorn's h11 parser buffers (httptools has its own).
- `--ws-max-size`: the largest WebSocket message; clients only ever send a ping.

Request bodies are bounded inside the app (core/bodyguard.py), because uvicorn has no body limit or timeout.
This module reads the environment only (no Django), so it starts nothing but uvicorn.
"""
from __future__ import annotations

import os
import sys

from config.env import envint

APP = "config.asgi:application"


def uvicorn_options() -> list[str]:
    return [
        "--no-proxy-headers",
        "--limit-concurrency", str(envint("WEB_LIMIT_CONCURRENCY", 1000)),
        "--timeout-keep-alive", str(envint("WEB_KEEP_ALIVE_SECONDS", 5)),
        "--h11-max-incomplete-event-size", str(envint("WEB_MAX_HEADER_BYTES", 16 * 1024)),
        "--ws-max-size", str(envint("WS_MAX_MESSAGE_BYTES", 64 * 1024)),
    ]


def uvicorn_command(*extra: str) -> list[str]:
    return [sys.executable, "-m", "uvicorn", APP, *uvicorn_options(), *extra]


def main(argv: list[str]) -> None:
    command = uvicorn_command(*argv)
    os.execv(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
