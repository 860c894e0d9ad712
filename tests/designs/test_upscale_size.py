"""Upscale to print size through the stack: API → queue → worker → local backend (tiny RRDBNet) → storage."""
from __future__ import annotations

import asyncio

import pytest

from accounts.tokens import token_issue
from tests.designs.conftest import ws_connect
from tests.designs.upscaling import client_on_plan, completed_design, download, upscale, wait_for_upscale

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_delivers_exactly_two_and_four_times_the_result(worker, alice):
    api = client_on_plan(alice, "premium")
    design = completed_design(alice, size=(256, 192))
    for factor in (2, 4):
        response = upscale(api, design, factor=factor)
        assert response.status_code == 202, response.content
        assert response["Location"].endswith(f"/api/v1/designs/{design.pk}/upscales/{response.json()['id']}/")
        state = wait_for_upscale(api, design, response.json()["id"])
        assert state["status"] == "completed", state["error"]
        assert (state["width"], state["height"]) == (256 * factor, 192 * factor)
        assert download(api, state["url"]).size == (256 * factor, 192 * factor)
    listed = api.get(f"/api/v1/designs/{design.pk}/").json()["upscales"]
    assert [(u["factor"], u["status"], u["width"]) for u in listed] == [(2, "completed", 512), (4, "completed", 1024)]
    assert all(u["url"] for u in listed)


def test_it_caps_the_long_side_and_keeps_the_aspect(worker, alice, settings):
    settings.UPSCALE_MAX_SIDE = 600  # 4096 in production; lowered so the tiny model's run stays small
    api = client_on_plan(alice, "premium")
    design = completed_design(alice, size=(192, 256))  # portrait: 4x would be 768 x 1024
    state = wait_for_upscale(api, design, upscale(api, design, factor=4).json()["id"])
    assert state["status"] == "completed", state["error"]
    assert (state["width"], state["height"]) == (450, 600) and state["max_side"] == 600
    assert download(api, state["url"]).size == (450, 600)


def test_it_streams_upscale_progress_over_the_design_socket(worker_control, alice):
    api = client_on_plan(alice, "premium")
    design = completed_design(alice, size=(256, 192))
    token = token_issue(user=alice, name="ws")

    async def scenario():
        communicator, connected, _ = await ws_connect(str(design.pk), token=token)
        assert connected
        assert (await communicator.receive_json_from(timeout=10))["type"] == "snapshot"
        response = await asyncio.to_thread(upscale, api, design, factor=2)
        worker_control.start()
        events = []
        while not events or events[-1]["upscale"]["status"] not in ("completed", "failed", "cancelled"):
            events.append(await communicator.receive_json_from(timeout=120))
        await communicator.disconnect()
        return response.json()["id"], events

    upscale_id, events = asyncio.run(scenario())
    assert {e["type"] for e in events} == {"upscale"}
    assert {e["upscale"]["id"] for e in events} == {upscale_id}
    progress = [e["upscale"]["progress"] for e in events]
    assert progress == sorted(progress) and len(progress) >= 3  # several tiles, then done
    assert events[-1]["upscale"]["status"] == "completed" and events[-1]["upscale"]["width"] == 512
