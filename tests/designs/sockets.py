"""A real WebSocket client for tests against a real uvicorn (tests/config/conftest.py's `serve`)."""
from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed


async def open_socket(server, design_id, *, token: str | None = None, source: str = "127.0.0.1",
                      headers: dict | None = None) -> tuple[ClientConnection | None, dict | int]:
    """(socket, snapshot) when the server keeps the socket, or (None, close code) when it closes it at once.

    A handshake refused with an HTTP status raises websockets' InvalidStatus."""
    headers = {**(headers or {}), **({"Authorization": f"Token {token}"} if token else {})}
    socket = await connect(f"ws://127.0.0.1:{server.port}/ws/designs/{design_id}/", additional_headers=headers,
                           local_addr=(source, 0), proxy=None, open_timeout=20)
    try:
        return socket, json.loads(await asyncio.wait_for(socket.recv(), 20))
    except ConnectionClosed as closed:
        return None, closed.rcvd.code
