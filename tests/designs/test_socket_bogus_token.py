"""A handshake with a bogus token costs no database query: a malformed key is refused by its shape, and a
well-formed key that matched nothing is remembered (in Redis, for every process). Proved against a server whose
database does not exist: anything that needed it would fail instead of closing with 4404."""
from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.config.conftest import serve  # noqa: F401  (the web server as make run starts it)
from tests.designs.sockets import open_socket
from tests.servers import free_port

MALFORMED = ("rs_x_y", "rs_" + "0" * 12 + "_short", "not-a-token", "rs_ZZZZZZZZZZZZ_" + "a" * 32)
WELL_FORMED_UNKNOWN = "rs_0123456789ab_" + "A" * 32


@pytest.mark.django_db(transaction=True)
def test_it_refuses_bogus_tokens_without_the_database(serve):  # noqa: F811
    live = serve()
    no_database = serve(DATABASE_URL=f"postgresql://nobody@127.0.0.1:{free_port()}/nothing", DB_POOL_MAX="0")
    design_id = uuid.uuid4()

    async def scenario():
        first = await open_socket(live, design_id, token=WELL_FORMED_UNKNOWN)  # one lookup, then remembered
        codes = [(await open_socket(no_database, design_id, token=key))[1] for key in MALFORMED * 5]
        again = [(await open_socket(no_database, design_id, token=WELL_FORMED_UNKNOWN))[1] for _ in range(5)]
        return first, codes, again

    first, codes, again = asyncio.run(scenario())
    assert first == (None, 4404)
    assert codes == [4404] * len(MALFORMED) * 5
    assert again == [4404] * 5
