"""WebSocket handshakes are rate-limited per network, before authentication runs (so a flood costs neither a
token lookup nor a socket slot), with the socket accepted and closed 4429 so the client sees why."""
from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from tests.config.conftest import serve  # noqa: F401  (the web server as make run starts it)
from tests.designs.sockets import open_socket


@pytest.mark.django_db(transaction=True)
def test_it_limits_handshakes_per_network(serve):  # noqa: F811
    server = serve(WS_HANDSHAKES_PER_MINUTE="5")
    if time.time() % 60 > 45:  # the count is per clock minute: start well inside one
        time.sleep(61 - time.time() % 60)

    async def scenario():
        ours = [(await open_socket(server, uuid.uuid4(), token="bogus"))[1] for _ in range(7)]
        theirs = (await open_socket(server, uuid.uuid4(), token="bogus", source="127.0.0.2"))[1]
        return ours, theirs

    ours, theirs = asyncio.run(scenario())
    assert ours == [4404] * 5 + [4429] * 2
    assert theirs == 4404
