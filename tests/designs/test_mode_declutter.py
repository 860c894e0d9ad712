"""Declutter through the whole stack: API submit → real worker (tiny) → the detected objects' area repainted.

The tiny profile's YOLO has random weights and finds nothing, so detection is a stand-in here, as the gpu
tests pass `detections` (tests/gpu/test_keep_furniture.py): it sees a couch in the photo, and sees it again
on a later image only where that image still has the couch's pixels."""
from __future__ import annotations

import numpy as np
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from designs.models import Design
from gpu import detection
from gpu.types import Detection
from tests.designs.conftest import submit, wait_for

COUCH = (120.0, 260.0, 380.0, 400.0)  # in the 512 px photo the pipeline sees (512x372)


class CouchSeer:
    """YOLO's answer: the couch, while its pixels are there."""

    def __init__(self) -> None:
        self.photo_crop: np.ndarray | None = None
        self.calls = 0

    def __call__(self, models, image: Image.Image) -> detection.Found:
        self.calls += 1
        x1, y1, x2, y2 = (round(v) for v in COUCH)
        crop = np.asarray(image.convert("RGB"))[y1:y2, x1:x2].astype(np.float32)
        if self.photo_crop is None:
            self.photo_crop = crop
        still_there = np.abs(crop - self.photo_crop).mean() < 8
        return detection.given([Detection("couch", COUCH, 0.9)] if still_there else [])


@pytest.fixture
def couch_seer(monkeypatch) -> CouchSeer:
    seer = CouchSeer()
    monkeypatch.setattr(detection, "detect", seer)
    return seer


def test_it_clears_the_detected_objects(couch_seer, worker, alice_api):
    response = submit(alice_api, mode="declutter", seed="3")
    assert response.status_code == 202, response.content
    state = wait_for(alice_api, response.json()["id"])
    assert state["status"] == "completed", state["error"]
    assert state["mode"] == "declutter"
    assert [item["label"] for item in state["metadata"]["furniture"]] == ["couch"]

    design = Design.objects.get(pk=state["id"])
    with default_storage.open(design.maps["region"], "rb") as stored:
        region = np.asarray(Image.open(stored)) > 0
    x1, y1, x2, y2 = (round(v) for v in COUCH)
    assert region[y1:y2, x1:x2].all(), "the cleared area does not cover the couch"
    assert region.mean() < 0.35  # the objects, grown a little: not the whole room

    # YOLO on the result, in the quality check: the couch is gone from it.
    assert couch_seer.calls >= 2
    check = state["metadata"]["quality"]["variations"][0]
    assert "objects_remain" not in check["flags"], check
