from __future__ import annotations

import asyncio
import uuid

import pytest
from rest_framework.test import APIClient

from accounts.tokens import token_issue
from tests.conftest import assert_error
from tests.designs.conftest import submit, upload, ws_close_code, ws_connect


@pytest.fixture
def bob_api(bob) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=bob, name='t')}")
    return client


@pytest.mark.django_db(transaction=True)
def test_it_hides_a_design_from_everyone_but_its_owner(alice_api, bob, bob_api):
    design_id = submit(alice_api).json()["id"]
    for response in (
        bob_api.get(f"/api/v1/designs/{design_id}/"),
        bob_api.post(f"/api/v1/designs/{design_id}/cancel/"),
        bob_api.delete(f"/api/v1/designs/{design_id}/"),
        APIClient().get(f"/api/v1/designs/{design_id}/"),
    ):
        assert_error(response, 404, "not_found")
    assert bob_api.get("/api/v1/designs/").json()["count"] == 0
    assert alice_api.get(f"/api/v1/designs/{design_id}/").json()["status"] == "queued"

    token = token_issue(user=bob, name="ws")

    async def sockets():
        return [await ws_close_code(design_id, token=token), await ws_close_code(uuid.uuid4(), token=token),
                await ws_close_code(design_id, headers=[(b"origin", b"http://localhost")]),
                await ws_close_code(design_id)]

    # Someone else's design, a missing one, a visitor without a session, and one with neither token nor Origin
    # (anonymous: a session cookie only counts from our own pages).
    assert asyncio.run(sockets()) == [4404, 4404, 4404, 4404]


@pytest.mark.django_db(transaction=True)
def test_it_checks_the_origin_of_session_sockets(alice, client):
    client.force_login(alice)
    api = APIClient()
    api.force_login(alice)
    design_id = submit(api).json()["id"]
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    async def sockets():
        ours = await ws_connect(design_id, headers=[(b"cookie", cookie), (b"origin", b"http://localhost")])
        evil = await ws_connect(design_id, headers=[(b"cookie", cookie), (b"origin", b"https://evil.example")])
        return ours, evil

    ours, evil = asyncio.run(sockets())
    assert ours[1] is True
    assert evil[1] is False


def test_it_checks_csrf_for_a_guest_with_a_session(db):
    from django.test import Client

    guest = Client(enforce_csrf_checks=True)
    guest.get("/")  # the landing page gives the guest a session and a CSRF cookie
    if "sessionid" not in guest.cookies:
        guest.cookies["sessionid"] = "a-guest-session"
    response = guest.post("/api/v1/designs/", {"style": "modern", "image": upload()})
    assert_error(response, 403)
    token = guest.cookies["csrftoken"].value
    response = guest.post("/api/v1/designs/", {"style": "modern", "image": upload()}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 202, response.content
