"""Object choices through the whole stack (API → real worker → tiny pipeline): the object kept comes back
pixel for pixel while the room around it is restyled, or while a declutter clears every other object; the
detections carry the ids the choices name."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from gpu import imaging
from tests.designs.conftest import wait_for
from tests.designs.objects_source import (
    CHAIR,
    COUCH,
    box_mask,
    choose,
    download,
    finished_source,
    seen,  # noqa: F401  (the fixture)
)

pytestmark = pytest.mark.usefixtures("seen")


def test_it_keeps_the_kept_object_pixel_for_pixel(worker, alice_api):
    source = finished_source(alice_api)
    assert [(item["id"], item["label"]) for item in source["metadata"]["furniture"]] == [(0, "couch"), (1, "chair")]

    response = choose(alice_api, source, [{"id": 0, "action": "keep"}, {"id": 1, "action": "remove"}])
    assert response.status_code == 202, response.content
    state = wait_for(alice_api, response.json()["id"])
    assert state["status"] == "completed", state["error"]
    assert [(o["id"], o["action"]) for o in state["preferences"]["objects"]] == [(0, "keep"), (1, "remove")]

    [result] = state["results"]
    delivered = Image.open(io.BytesIO(download(alice_api, result["url"])))
    assert delivered.format == "PNG"  # JPEG would change the pixels the choice promises to keep
    output = np.asarray(delivered.convert("RGB"))
    # The photo as the pipeline saw it: the stored original at the result's size.
    photo = imaging.to_array(imaging.decode_photo(download(alice_api, state["original_url"]), 512))
    assert output.shape == photo.shape

    kept = box_mask(COUCH.box, output.shape[:2])  # no segment on given detections: the box is the object
    assert np.array_equal(output[kept], photo[kept]), "a pixel of the kept couch changed"
    restyled = ~box_mask((100, 180, 350, 350), output.shape[:2])  # away from the couch and its outward feather
    assert np.abs(output[restyled].astype(int) - photo[restyled]).mean() > 20  # the room itself was restyled



def test_a_declutter_clears_everything_but_the_kept_object(worker, alice_api):
    source = finished_source(alice_api)
    response = choose(alice_api, source, [{"id": 0, "action": "keep"}], mode="declutter")  # "all but the couch"
    assert response.status_code == 202, response.content
    state = wait_for(alice_api, response.json()["id"])
    assert state["status"] == "completed", state["error"]

    [result] = state["results"]
    delivered = Image.open(io.BytesIO(download(alice_api, result["url"])))
    assert delivered.format == "PNG"
    output = np.asarray(delivered.convert("RGB"))
    photo = imaging.to_array(imaging.decode_photo(download(alice_api, state["original_url"]), 512))
    couch, chair = (box_mask(found.box, output.shape[:2]) for found in (COUCH, CHAIR))
    assert np.array_equal(output[couch], photo[couch]), "a pixel of the kept couch changed"
    assert np.abs(output[chair].astype(int) - photo[chair]).mean() > 20  # the chair was cleared
    room = ~box_mask((360, 160, 500, 340), output.shape[:2])  # the chair, grown: the rest of the room stays
    assert np.array_equal(output[room], photo[room])
