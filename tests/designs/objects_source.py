"""A finished design whose detections are known, for the object-choice tests: the tiny profile's YOLO has random
weights and finds random things, so detection is a stand-in that sees a couch and a chair (as the declutter test
does, tests/designs/test_mode_declutter.py); everything else runs for real."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from gpu import detection
from gpu.types import Detection
from tests.designs.conftest import submit, wait_for

# In the 512 px photo the pipeline sees (the render fixture at 512x372).
COUCH = Detection("couch", (120.0, 200.0, 330.0, 330.0), 0.9)
CHAIR = Detection("chair", (380.0, 180.0, 480.0, 320.0), 0.8)


@pytest.fixture
def seen(monkeypatch) -> list[Detection]:
    """What YOLO sees on every photo: the couch and the chair."""
    found = [COUCH, CHAIR]
    monkeypatch.setattr(detection, "detect", lambda models, image: detection.given(found))
    return found


def finished_source(client, **fields) -> dict:
    """A restyle through the real worker; its state, with the couch (id 0) and the chair (id 1) recorded."""
    response = submit(client, seed="3", **fields)
    assert response.status_code == 202, response.content
    state = wait_for(client, response.json()["id"])
    assert state["status"] == "completed", state["error"]
    return state


def choose(client, source: dict, objects, **fields):
    import json

    data = {"source": source["id"], "style": "japandi", "resolution": "512", "seed": "5", **fields}
    if objects is not None:
        data["objects"] = objects if isinstance(objects, str) else json.dumps(objects)
    return client.post("/api/v1/designs/", data, format="multipart")


def download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def box_mask(box, shape) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    x1, y1, x2, y2 = (round(v) for v in box)
    mask[y1:y2, x1:x2] = True
    return mask


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
