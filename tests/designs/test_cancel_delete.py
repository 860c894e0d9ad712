from __future__ import annotations

import asyncio

from django.core.files.storage import default_storage

from accounts.tokens import token_issue
from designs.models import Design
from tests.conftest import assert_error
from tests.designs.conftest import submit, wait_for, ws_connect


def test_it_cancels_a_queued_design_at_once(alice_api, db):
    design_id = submit(alice_api).json()["id"]
    response = alice_api.post(f"/api/v1/designs/{design_id}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert_error(alice_api.post(f"/api/v1/designs/{design_id}/cancel/"), 409, "already_finished")


def test_it_cancels_a_running_design_at_its_next_event(worker_control, alice, alice_api):
    design_id = submit(alice_api, resolution="768").json()["id"]
    token = token_issue(user=alice, name="ws")

    async def scenario():
        communicator, _, _ = await ws_connect(design_id, token=token)
        worker_control.start()
        while True:
            event = await communicator.receive_json_from(timeout=60)
            if event["type"] == "progress":
                break
        response = await asyncio.to_thread(alice_api.post, f"/api/v1/designs/{design_id}/cancel/")
        events = []
        while not events or events[-1]["type"] not in ("completed", "cancelled", "failed"):
            events.append(await communicator.receive_json_from(timeout=60))
        await communicator.disconnect()
        return response, events

    response, events = asyncio.run(scenario())
    assert response.status_code == 200
    assert events[-1]["type"] == "cancelled"
    worker_control.drain()
    design = Design.objects.get(pk=design_id)
    assert design.status == "cancelled"
    assert not design.results.exists()


def test_it_refuses_to_cancel_a_finished_design(worker, alice_api):
    design_id = submit(alice_api).json()["id"]
    wait_for(alice_api, design_id)
    assert_error(alice_api.post(f"/api/v1/designs/{design_id}/cancel/"), 409, "already_finished")


def test_it_deletes_the_design_and_every_file(worker, alice_api):
    design_id = submit(alice_api, variations="2").json()["id"]
    wait_for(alice_api, design_id)
    design = Design.objects.get(pk=design_id)
    prefix = design.storage_prefix
    assert len(default_storage.listdir(prefix)[1]) >= 5  # original, 2 results, 2 thumbnails, maps
    assert alice_api.delete(f"/api/v1/designs/{design_id}/").status_code == 204
    assert not Design.objects.filter(pk=design_id).exists()
    assert not default_storage.exists(prefix) or default_storage.listdir(prefix)[1] == []
    assert_error(alice_api.get(f"/api/v1/designs/{design_id}/"), 404)
