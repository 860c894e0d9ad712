"""On the first client's routes a job_id opens only what that client made: anonymous link designs.

Designs of accounts stay owner-only there, and a browser guest's design still needs its session.
"""
from __future__ import annotations

import asyncio

import pytest
from rest_framework.test import APIClient

from accounts.tokens import token_issue
from designs.links import LINK_PREFIX
from designs.models import Design
from tests.designs.conftest import submit, upload, ws_close_code, ws_connect

pytestmark = pytest.mark.django_db(transaction=True)


def _not_found(response) -> bool:
    return response.status_code == 404 and response.json() == {"success": False, "error": "Not found.",
                                                               "code": "not_found"}


def test_it_keeps_an_accounts_design_owner_only(alice, alice_api, bob):
    design_id = submit(alice_api).json()["id"]
    bob_api = APIClient()
    bob_api.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=bob, name='t')}")
    for client in (APIClient(), bob_api):
        assert _not_found(client.get(f"/transform/status/{design_id}"))
        assert _not_found(client.delete(f"/transform/{design_id}"))
    assert alice_api.get(f"/transform/status/{design_id}").json()["data"]["status"] == "queued"

    bob_key, alice_key = token_issue(user=bob, name="ws"), token_issue(user=alice, name="ws")

    async def sockets():
        anonymous = await ws_close_code(design_id, path="transform")
        theirs = await ws_close_code(design_id, path="transform", token=bob_key)
        owner = await ws_connect(design_id, path="transform", token=alice_key)
        first = await owner[0].receive_json_from(timeout=10)
        await owner[0].disconnect()
        return anonymous, theirs, owner, first

    anonymous, theirs, owner, first = asyncio.run(sockets())
    assert anonymous == theirs == 4404
    assert owner[1] is True and first["job_id"] == design_id and first["status"] == "queued"


def test_it_keeps_a_browser_guests_design_to_its_session(client):
    client.get("/")
    guest = APIClient()
    guest.cookies = client.cookies
    response = guest.post("/api/v1/designs/", {"style": "boho", "image": upload()}, format="multipart",
                          HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    design_id = response.json()["id"]
    assert _not_found(APIClient().get(f"/transform/status/{design_id}"))
    assert guest.get(f"/transform/status/{design_id}").json()["data"]["job_id"] == design_id


def test_it_opens_a_link_design_only_on_the_first_clients_routes(alice_api):
    job_id = APIClient().post("/transform/submit", {"file": upload(), "style": "boho"}, format="multipart").json()[
        "job_id"]
    assert Design.objects.get(pk=job_id).guest_key.startswith(LINK_PREFIX)
    assert alice_api.get(f"/transform/status/{job_id}").status_code == 200  # anyone holding the id
    assert APIClient().get(f"/api/v1/designs/{job_id}/").status_code == 404
    assert alice_api.get("/api/v1/designs/").json()["count"] == 0

    assert asyncio.run(ws_close_code(job_id)) == 4404
