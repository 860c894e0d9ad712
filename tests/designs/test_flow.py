"""The whole flow through the real queue, worker, pipeline (tiny profile), storage and Channels."""
from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image

from accounts.tokens import token_issue
from designs.models import Design
from tests.designs.conftest import photo_bytes, submit, upload, wait_for, ws_collect, ws_connect


def _download(client, url: str) -> Image.Image:
    response = client.get(url)
    assert response.status_code == 200
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))


def test_it_restyles_a_photo_through_the_v1_api(worker, alice_api):
    response = submit(alice_api, style="scandinavian", variations="2", resolution="768",
                      image=upload(photo_bytes(long_side=900)))
    state = wait_for(alice_api, response.json()["id"])
    assert state["status"] == "completed", state["error"]
    assert state["progress"] == 1.0
    assert len(state["results"]) == 2
    assert len({r["seed"] for r in state["results"]}) == 2
    original = _download(alice_api, state["original_url"])
    for result in state["results"]:
        image = _download(alice_api, result["url"])
        assert image.size == (result["width"], result["height"])
        assert max(image.size) == 768
        assert image.width / image.height == pytest.approx(original.width / original.height, rel=0.01)
        assert 0.0 <= result["quality_score"] <= 1.0
        assert _download(alice_api, result["thumbnail_url"]).size[0] <= 384
    metadata = state["metadata"]
    assert metadata["backend"] == "local"
    assert set(metadata["timings"]) >= {"analyzing", "detecting", "generating", "transforming", "finalizing"}
    assert metadata["processing_time"] > 0


def test_it_streams_progress_over_the_websocket(worker_control, alice, alice_api):
    design_id = submit(alice_api).json()["id"]
    token = token_issue(user=alice, name="ws")

    async def scenario():
        communicator, connected, _ = await ws_connect(design_id, token=token)
        assert connected
        worker_control.start()
        events = await ws_collect(communicator)
        await communicator.disconnect()
        return events

    events = asyncio.run(scenario())
    assert events[0]["type"] == "snapshot"  # queued, or already claimed: the worker starts as the socket opens
    progress = [e for e in events if e["type"] == "progress"]
    assert len(progress) >= 5
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert [e["progress"] for e in progress] == sorted(e["progress"] for e in progress)
    stages = [e["status"] for e in progress]
    runs = [stage for i, stage in enumerate(stages) if i == 0 or stage != stages[i - 1]]  # repeats collapsed
    # Every stage, each once, in order: none is skipped and the stages never go back.
    assert runs == ["analyzing", "detecting", "generating", "transforming", "finalizing"], runs
    assert any(e.get("preview_url", "").startswith("data:image/jpeg;base64,") for e in progress)
    assert events[-1]["type"] == "completed" and events[-1]["results"]


def test_it_gives_a_late_subscriber_the_current_state(worker, alice, alice_api):
    design_id = submit(alice_api).json()["id"]
    wait_for(alice_api, design_id)
    token = token_issue(user=alice, name="ws")

    async def scenario():
        communicator, connected, _ = await ws_connect(design_id, token=token)
        snapshot = await communicator.receive_json_from(timeout=10)
        await communicator.disconnect()
        return connected, snapshot

    connected, snapshot = asyncio.run(scenario())
    assert connected
    assert snapshot["type"] == "snapshot" and snapshot["status"] == "completed" and snapshot["results"]


def test_it_runs_a_message_delivered_twice_once(worker_control, alice_api):
    from designs.actors import process_design

    design_id = submit(alice_api).json()["id"]
    process_design.send(design_id)  # the broker delivers it again
    worker_control.start()
    wait_for(alice_api, design_id)
    worker_control.drain()
    design = Design.objects.get(pk=design_id)
    assert design.results.count() == 1
    assert design.attempts == 1
