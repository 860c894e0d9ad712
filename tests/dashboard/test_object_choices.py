"""The design page's object list: the objects a finished design found, outlined on the photo with keep / replace /
remove each; sending it makes a new design from the same photo with those choices."""
from __future__ import annotations

import re

import pytest

from designs.models import Design, Status
from tests.dashboard.conftest import make_design

pytestmark = pytest.mark.django_db

FOUND = [{"id": 0, "label": "couch", "box": [120.0, 200.0, 330.0, 330.0], "confidence": 0.9},
         {"id": 1, "label": "chair", "box": [380.0, 180.0, 480.0, 320.0], "confidence": 0.8}]


def _source(alice) -> Design:
    return make_design(owner=alice, status=Status.COMPLETED, results=1, metadata={"furniture": FOUND},
                       preferences={"keep_furniture": True})


def test_it_lists_and_outlines_the_objects_found(alice_client, alice):
    source = _source(alice)
    page = alice_client.get(f"/designs/{source.id}/").content.decode()
    assert "Object by object" in page
    for item, name in zip(FOUND, ("Couch 1", "Chair 1"), strict=True):
        x1, y1, x2, y2 = item["box"]
        assert re.search(rf'<rect class="object-outline" data-object="{item["id"]}"[^>]* x="{x1}" y="{y1}" '
                         rf'width="{x2 - x1}" height="{y2 - y1}"', page)
        assert f"<legend>{name}</legend>" in page
        for action in ("keep", "replace", "remove"):
            assert f'name="object-{item["id"]}" value="{action}"' in page
    assert 'viewBox="0 0 512 384"' in page  # the result's pixels, which the boxes are in
    assert "{#" not in page and "{% comment" not in page  # the template's own comments stay in the template


def test_it_makes_a_design_with_the_choices(alice_client, alice):
    source = _source(alice)
    response = alice_client.post(f"/designs/{source.id}/restyle/", {
        "style": "boho", "mode": "restyle", "object-0": "keep", "object-1": "remove"})
    design = Design.objects.exclude(pk=source.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/designs/{design.id}/"
    assert design.style == "boho" and design.preferences["keep_furniture"] is True
    assert design.preferences["objects"] == [
        {"id": 0, "label": "couch", "box": FOUND[0]["box"], "frame": [512, 384], "action": "keep"},
        {"id": 1, "label": "chair", "box": FOUND[1]["box"], "frame": [512, 384], "action": "remove"},
    ]


def test_clear_the_rest_makes_a_declutter_that_keeps_the_marked_objects(alice_client, alice):
    source = _source(alice)
    page = alice_client.get(f"/designs/{source.id}/").content.decode()
    assert re.search(r'<button type="submit" name="mode" value="declutter"[^>]*>Keep what I marked, clear the rest<',
                     page)
    response = alice_client.post(f"/designs/{source.id}/restyle/", {
        "style": "boho", "mode": "declutter", "object-0": "keep"})
    design = Design.objects.exclude(pk=source.pk).get()
    assert response.status_code == 302 and design.mode == "declutter"
    assert [(o["id"], o["action"]) for o in design.preferences["objects"]] == [(0, "keep")]

    alice_client.post(f"/designs/{source.id}/restyle/", {"style": "boho", "mode": "declutter", "object-1": "remove"})
    assert Design.objects.count() == 2  # a declutter only keeps: refused, with the reason on the page
    page = alice_client.get(f"/designs/{source.id}/").content.decode()
    assert "only keep works with it" in page


def test_a_page_without_detections_shows_no_object_list(alice_client, alice):
    source = make_design(owner=alice, status=Status.COMPLETED, results=1)
    assert "Object by object" not in alice_client.get(f"/designs/{source.id}/").content.decode()
