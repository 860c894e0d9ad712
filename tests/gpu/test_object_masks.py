"""An object's pixels on the new photo: YOLO's segment there when a detection of the same label matches its
box (scaled from the source's frame), else the box itself."""
from __future__ import annotations

import numpy as np

from gpu import detection, modes, objects
from gpu.types import Detection
from tests.gpu.support import make_request

SIZE = (512, 384)  # this photo; the source's detections were made at twice the size
SEGMENT_BOX = (100.0, 100.0, 200.0, 200.0)


def _segment() -> np.ndarray:
    pixels = np.zeros((SIZE[1], SIZE[0]), dtype=bool)
    pixels[120:180, 110:190] = True  # the couch's own outline, inside its box
    return pixels


def test_it_takes_the_matching_segment_and_else_the_box():
    found = detection.Found([Detection("couch", SEGMENT_BOX, 0.9)], [_segment()])
    request = make_request(objects=(
        {"id": 0, "label": "couch", "action": "keep", "box": [204, 196, 396, 404], "frame": [1024, 768]},
        {"id": 1, "label": "chair", "action": "remove", "box": [700, 200, 900, 400], "frame": [1024, 768]},
    ))
    choices = objects.plan(request, found, SIZE)

    assert np.array_equal(choices.kept > 0, _segment())  # the segment, not its box
    removed = np.zeros_like(_segment())
    removed[100:200, 350:450] = True  # no chair on this photo: its box, scaled to it
    assert np.array_equal(choices.removed > 0, removed)
    assert choices.matched == {0}  # the couch no longer follows the usual behaviour
    assert objects.unlisted(found, choices).detections == []


def test_a_declutter_leaves_a_kept_object_even_where_the_clutter_grown_around_it_reaches():
    chair_box = (200.0, 100.0, 260.0, 200.0)  # right next to the couch: its grown mask reaches over it
    found = detection.Found([Detection("chair", chair_box, 0.8)], [None])
    kept = np.zeros((SIZE[1], SIZE[0]), dtype=np.uint8)
    kept[100:200, 100:200] = 255  # the couch the person keeps
    request = make_request(mode="declutter")

    region = modes.region(request, found, SIZE, kept=kept)
    assert region[100:200, 200:260].all()  # the chair is cleared
    assert not region[kept > 0].any()  # not a pixel of the couch, though the chair's grown mask covers some
    assert modes.region(request, found, SIZE)[100:200, 190:200].any()  # (it does, without the kept couch)


def test_the_pipeline_takes_keep_only_choices_in_a_declutter_and_none_in_the_other_region_modes():
    def choices(action: str) -> tuple:
        return ({"id": 0, "label": "couch", "action": action, "box": [1, 2, 3, 4], "frame": [10, 10]},)

    assert objects.validate(make_request(objects=choices("remove"))) == []
    assert objects.validate(make_request(mode="declutter", objects=choices("keep"))) == []
    assert objects.validate(make_request(mode="declutter", objects=choices("remove"))) == [
        "declutter takes keep choices only: it clears every other object"]
    assert objects.validate(make_request(mode="stage", objects=choices("keep"))) == [
        "object choices work with the restyle and declutter modes only"]
