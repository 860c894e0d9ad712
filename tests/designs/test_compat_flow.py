"""The first mobile client's whole flow, replayed as that client was written (issue 13): no account, no cookie.

Anonymous multipart submit with `preferences`, the WebSocket without auth, polling /transform/status/ until
`completed`, downloading `transformed_url`, cancelling a second job. Real queue, worker, pipeline (tiny),
storage and Channels; every field name and type of the contract is checked.
"""
from __future__ import annotations

import asyncio
import io
import json
import re
import time
import uuid
from urllib.parse import urlsplit

from PIL import Image
from rest_framework.test import APIClient

from designs.models import Design
from tests.designs.conftest import photo_bytes, upload

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
STATUSES = {"queued", "analyzing", "detecting", "generating", "transforming", "finalizing", "completed", "failed",
            "cancelled"}


def _submit(client, **fields):
    preferences = json.dumps({"keep_furniture": True, "color_palette": ["#A3B18A", "#f2e8cf"]})
    data = {"file": upload(photo_bytes()), "style": "scandinavian", "preferences": preferences, **fields}
    return client.post("/transform/submit", data, format="multipart")


def _check_submitted(response) -> str:
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"success", "job_id", "estimated_time", "websocket_url", "status_url"}
    assert body["success"] is True
    job_id = str(uuid.UUID(body["job_id"]))
    assert type(body["estimated_time"]) is int and body["estimated_time"] >= 0
    assert body["websocket_url"] == f"ws://testserver/ws/transform/{job_id}"
    assert body["status_url"] == f"http://testserver/transform/status/{job_id}"
    assert "sessionid" not in response.cookies  # nothing to keep: the job_id is the capability
    return job_id


def _check_status(body: dict, job_id: str) -> dict:
    assert set(body) == {"success", "data"} and body["success"] is True
    data = body["data"]
    assert set(data) == {"job_id", "status", "progress", "estimated_time_remaining", "result", "error"}
    assert data["job_id"] == job_id and data["status"] in STATUSES
    assert type(data["progress"]) is float and 0.0 <= data["progress"] <= 1.0
    assert data["estimated_time_remaining"] is None or type(data["estimated_time_remaining"]) is int
    assert data["error"] is None or (type(data["error"]) is str and data["error"])
    return data


def _check_message(message: dict, job_id: str) -> None:
    assert set(message) == {"job_id", "status", "progress", "message", "timestamp"}, message
    assert message["job_id"] == job_id and message["status"] in STATUSES
    assert type(message["progress"]) is float and 0.0 <= message["progress"] <= 1.0
    assert type(message["message"]) is str
    assert ISO_UTC.match(message["timestamp"]), message["timestamp"]


async def _follow(websocket_url: str, start_worker) -> tuple[list[dict], dict]:
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    communicator = WebsocketCommunicator(application, urlsplit(websocket_url).path)  # no auth, no cookie, no Origin
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    messages = [await communicator.receive_json_from(timeout=10)]
    start_worker()
    while messages[-1]["status"] not in ("completed", "failed", "cancelled"):
        messages.append(await communicator.receive_json_from(timeout=120))
    closed = await communicator.receive_output(timeout=10)  # a finished job's socket is closed by us
    await communicator.disconnect()
    return messages, closed


def test_it_serves_the_first_clients_whole_flow(worker_control):
    app = APIClient()  # the app: no account, no cookie jar it relies on

    job_id = _check_submitted(_submit(app))
    design = Design.objects.get(pk=job_id)
    assert design.owner is None
    assert design.preferences["keep_furniture"] is True  # honoured: handed to the worker as v1's preferences
    assert [c.lower() for c in design.preferences["color_palette"]] == ["#a3b18a", "#f2e8cf"]

    second = _check_submitted(_submit(app, style="boho", preferences=""))
    cancelled = app.delete(f"/transform/{second}")
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json() == {"success": True, "message": "Job cancelled successfully"}
    assert _check_status(APIClient().get(f"/transform/status/{second}").json(), second)["status"] == "cancelled"
    refused = APIClient().delete(f"/transform/{second}")
    assert refused.status_code == 409
    assert refused.json()["success"] is False and refused.json()["message"]

    websocket_url = f"ws://testserver/ws/transform/{job_id}"
    messages, closed = asyncio.run(_follow(websocket_url, worker_control.start))
    for message in messages:
        _check_message(message, job_id)
    assert messages[0]["status"] == "queued" and messages[0]["message"]  # the first message is the current state
    assert messages[-1]["status"] == "completed" and messages[-1]["progress"] == 1.0
    assert len(messages) >= 5
    progress = [m["progress"] for m in messages]
    assert progress == sorted(progress)
    assert closed["type"] == "websocket.close"

    deadline = time.monotonic() + 60
    while True:
        polled = APIClient().get(f"/transform/status/{job_id}")  # a fresh client each poll: no cookie, no token
        assert polled.status_code == 200 and "sessionid" not in polled.cookies
        data = _check_status(polled.json(), job_id)
        if data["status"] == "completed" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert data["status"] == "completed" and data["progress"] == 1.0 and data["error"] is None
    assert data["estimated_time_remaining"] == 0
    result = data["result"]
    assert set(result) == {"transformed_url", "thumbnail_url", "original_url", "metadata"}
    assert set(result["metadata"]) == {"style", "processing_time", "quality_score"}
    assert result["metadata"]["style"] == "scandinavian"
    assert type(result["metadata"]["processing_time"]) is float and result["metadata"]["processing_time"] > 0
    assert type(result["metadata"]["quality_score"]) is float and 0.0 <= result["metadata"]["quality_score"] <= 1.0

    for name in ("transformed_url", "thumbnail_url", "original_url"):
        assert result[name].startswith("http://testserver/"), result[name]
        download = APIClient().get(result[name])
        assert download.status_code == 200, name
        image = Image.open(io.BytesIO(b"".join(download.streaming_content)))
        assert image.format == "JPEG"
    assert image.size == (design.original_width, design.original_height)  # the original, as stored
