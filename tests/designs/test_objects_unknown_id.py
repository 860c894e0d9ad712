"""Object choices are checked against the source design's detections before anything is stored or counted: an
unknown id (and a duplicate, a bad action, choices without a source or in a mode that cannot take them, a
declutter told to do anything but keep) is a 400 naming `objects`."""
from __future__ import annotations

import json

import pytest

from designs.models import Design
from tests.conftest import assert_error
from tests.designs.conftest import submit
from tests.designs.objects_source import (
    choose,
    finished_source,
    seen,  # noqa: F401  (the fixture)
)

pytestmark = pytest.mark.usefixtures("seen")


def test_it_refuses_an_unknown_object_id_and_charges_nothing(worker, alice_api):
    source = finished_source(alice_api)
    assert [item["id"] for item in source["metadata"]["furniture"]] == [0, 1]
    used = alice_api.get("/api/v1/me/").json()["quota"]["used"]

    error = assert_error(choose(alice_api, source, [{"id": 7, "action": "keep"}]), 400, field="objects")
    assert "7" in error["message"]
    bad = {
        "duplicate": choose(alice_api, source, [{"id": 0, "action": "keep"}, {"id": 0, "action": "remove"}]),
        "action": choose(alice_api, source, [{"id": 0, "action": "paint"}]),
        "not json": choose(alice_api, source, "[{id: 0}"),
        "mode": choose(alice_api, source, [{"id": 0, "action": "keep"}], mode="stage"),
        "declutter removes": choose(alice_api, source, [{"id": 1, "action": "remove"}], mode="declutter"),
        "no source": submit(alice_api, objects=json.dumps([{"id": 0, "action": "keep"}])),
    }
    for case, response in bad.items():
        assert response.status_code == 400, case
        assert_error(response, 400, field="objects")

    assert Design.objects.count() == 1  # nothing stored
    assert alice_api.get("/api/v1/me/").json()["quota"]["used"] == used  # nothing counted
