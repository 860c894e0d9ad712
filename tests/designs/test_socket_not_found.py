"""Someone else's design, or a missing one, closes the socket with 4404 after accepting it, so a real client
sees the code: over a real uvicorn, which turns a close before accepting into an HTTP 403 on the handshake."""
from __future__ import annotations

import asyncio
import uuid

import pytest

from accounts.tokens import token_issue
from tests.config.conftest import serve  # noqa: F401  (the web server as make run starts it)
from tests.designs.conftest import submit
from tests.designs.sockets import open_socket


@pytest.mark.django_db(transaction=True)
def test_it_closes_non_owners_with_4404_after_accepting(serve, alice, alice_api, bob):  # noqa: F811
    server = serve()
    design_id = submit(alice_api).json()["id"]
    bob_token, alice_token = token_issue(user=bob, name="ws"), token_issue(user=alice, name="ws")

    async def scenario():
        theirs = await open_socket(server, design_id, token=bob_token)
        missing = await open_socket(server, uuid.uuid4(), token=alice_token)
        ours, snapshot = await open_socket(server, design_id, token=alice_token)
        await ours.close()
        return theirs, missing, snapshot

    theirs, missing, snapshot = asyncio.run(scenario())
    assert theirs == missing == (None, 4404)
    assert snapshot["type"] == "snapshot" and snapshot["id"] == design_id
