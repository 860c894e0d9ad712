"""A removed object through the whole stack: on a design that keeps its furniture, the chair chosen for removal
is not kept: its area is repainted (started from the room around it), while the unlisted couch stays."""
from __future__ import annotations

import numpy as np
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from designs.models import Design
from gpu import imaging
from tests.designs.conftest import wait_for
from tests.designs.objects_source import (
    CHAIR,
    COUCH,
    box_mask,
    choose,
    download,
    finished_source,
    pixels,
    seen,  # noqa: F401  (the fixture)
)

pytestmark = pytest.mark.usefixtures("seen")


def test_it_repaints_the_removed_objects_area(worker, alice_api):
    source = finished_source(alice_api, keep_furniture="true")
    response = choose(alice_api, source, [{"id": 1, "action": "remove"}], keep_furniture="true")
    assert response.status_code == 202, response.content
    state = wait_for(alice_api, response.json()["id"])
    assert state["status"] == "completed", state["error"]

    output = pixels(download(alice_api, state["results"][0]["url"])).astype(int)
    photo = imaging.to_array(imaging.decode_photo(download(alice_api, state["original_url"]), 512)).astype(int)
    inner = (8, 8, -8, -8)  # away from the edges, where the paste feathers
    chair = box_mask(np.add(CHAIR.box, inner), output.shape[:2])
    couch = box_mask(np.add(COUCH.box, inner), output.shape[:2])
    assert np.abs(output[chair] - photo[chair]).mean() > 20, "the removed chair came back"
    assert np.abs(output[couch] - photo[couch]).mean() < 4, "the unlisted couch was not kept as usual"

    design = Design.objects.get(pk=state["id"])
    with default_storage.open(design.maps["removed"], "rb") as stored:
        removed = np.asarray(Image.open(stored)) > 0
    assert removed[box_mask(CHAIR.box, removed.shape)].all() and not removed[couch].any()
