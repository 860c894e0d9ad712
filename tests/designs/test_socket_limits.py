"""Open WebSockets are capped per user and per network, counted in Redis across server processes, and the slots
of a process that dies expire instead of counting forever. Over real sockets against real uvicorn servers."""
from __future__ import annotations

import asyncio
import time

import pytest

from accounts.tokens import token_issue
from tests.config.conftest import serve  # noqa: F401  (the web server as make run starts it)
from tests.designs.conftest import submit
from tests.designs.sockets import open_socket

TOO_MANY = 4429


@pytest.mark.django_db(transaction=True)
def test_it_caps_open_sockets_per_user_and_per_network(serve, alice, alice_api, bob):  # noqa: F811
    server = serve(WS_MAX_SOCKETS_PER_USER="2", WS_MAX_SOCKETS_PER_NETWORK="3")
    design_id = submit(alice_api).json()["id"]
    alice_token, bob_token = token_issue(user=alice, name="ws"), token_issue(user=bob, name="ws")
    other_design = submit(_client(bob_token)).json()["id"]

    async def scenario():
        first = [await open_socket(server, design_id, token=alice_token) for _ in range(2)]
        third = await open_socket(server, design_id, token=alice_token)
        bobs = await open_socket(server, other_design, token=bob_token)  # another user, the same network: 3 of 3
        bobs_second = await open_socket(server, other_design, token=bob_token)
        elsewhere = await open_socket(server, other_design, token=bob_token, source="127.0.0.2")
        await first[0][0].close()  # a closed socket gives its slot back at once
        await asyncio.sleep(0.5)
        again = await open_socket(server, design_id, token=alice_token)
        for socket, _ in (first[1], bobs, elsewhere, again):
            await socket.close()
        return [snapshot["type"] for _, snapshot in first], third, bobs[1]["type"], bobs_second, elsewhere, again

    first, third, bobs, bobs_second, elsewhere, again = asyncio.run(scenario())
    assert first == ["snapshot", "snapshot"]
    assert third == (None, TOO_MANY)  # Alice's third: over the user's cap
    assert bobs == "snapshot"
    assert bobs_second == (None, TOO_MANY)  # over the network's cap
    assert elsewhere[1]["type"] == again[1]["type"] == "snapshot"


@pytest.mark.django_db(transaction=True)
def test_it_shares_counts_across_processes_and_expires_a_dead_ones(serve, alice, alice_api):  # noqa: F811
    limits = {"WS_MAX_SOCKETS_PER_USER": "2", "WS_SLOT_TTL_SECONDS": "3"}
    doomed, survivor = serve(**limits), serve(**limits)
    design_id = submit(alice_api).json()["id"]
    token = token_issue(user=alice, name="ws")

    async def scenario():
        held = [await open_socket(doomed, design_id, token=token) for _ in range(2)]
        assert [snapshot["type"] for _, snapshot in held] == ["snapshot", "snapshot"]
        on_the_other = await open_socket(survivor, design_id, token=token)
        doomed.process.kill()  # kill -9: no clean-up runs, the slots stay in Redis until they expire
        doomed.process.wait(10)
        right_after = await open_socket(survivor, design_id, token=token)
        started = time.monotonic()
        while time.monotonic() - started < 15:
            socket, answer = await open_socket(survivor, design_id, token=token)
            if socket is not None:
                await socket.close()
                return on_the_other, right_after, answer, time.monotonic() - started
            await asyncio.sleep(0.5)
        raise AssertionError("the dead process's slots never expired")

    on_the_other, right_after, answer, waited = asyncio.run(scenario())
    assert on_the_other == right_after == (None, TOO_MANY)
    assert answer["type"] == "snapshot" and waited < 3 + 2


def _client(token: str):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client
