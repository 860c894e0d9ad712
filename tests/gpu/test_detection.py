"""What the detections tell the pipeline: the furniture list, the room type, the keep mask, not-a-room."""
from __future__ import annotations

import numpy as np

from gpu import detection
from gpu.types import Detection


def _d(label: str, box=(0.0, 0.0, 10.0, 10.0), confidence: float = 0.9) -> Detection:
    return Detection(label=label, box=box, confidence=confidence)


def test_it_suggests_the_room_type_from_what_it_sees():
    assert detection.suggest_room_type([_d("bed"), _d("chair")]) == "bedroom"
    assert detection.suggest_room_type([_d("toilet"), _d("sink")]) == "bathroom"
    assert detection.suggest_room_type([_d("oven"), _d("refrigerator"), _d("sink")]) == "kitchen"
    assert detection.suggest_room_type([_d("couch"), _d("tv")]) == "living_room"
    assert detection.suggest_room_type([_d("laptop"), _d("keyboard")]) == "home_office"
    assert detection.suggest_room_type([]) is None


def test_it_lists_indoor_objects_as_furniture_but_not_people():
    found = detection.given([_d("couch"), _d("person"), _d("potted plant"), _d("car")])

    assert [d.label for d in detection.furniture(found)] == ["couch", "potted plant"]


def test_it_masks_only_furniture_tightly():
    found = detection.given([_d("couch", (20, 30, 60, 50)), _d("person", (100, 0, 150, 100))])

    mask = detection.keep_mask(found, (200, 120))

    assert mask.shape == (120, 200) and mask.dtype == np.uint8
    assert mask[30:50, 20:60].all()
    assert not mask[29, 40] and not mask[50, 40] and not mask[40, 19] and not mask[40, 60]
    assert not mask[:, 100:150].any()


def test_it_prefers_pixel_masks_over_boxes():
    pixels = np.zeros((120, 200), dtype=bool)
    pixels[40:45, 30:35] = True
    found = detection.Found([_d("chair", (20, 30, 60, 50))], [pixels])

    mask = detection.keep_mask(found, (200, 120))

    assert mask[42, 32] and not mask[31, 58]


def test_it_rejects_only_photos_filled_by_a_person_animal_or_vehicle():
    size = (100, 100)
    selfie = _d("person", (0, 0, 90, 95))
    assert not detection.looks_like_room([selfie], size)
    assert detection.looks_like_room([selfie, _d("couch")], size)
    assert detection.looks_like_room([_d("person", (0, 0, 30, 30))], size)
    assert detection.looks_like_room([_d("dog", (0, 0, 90, 95), confidence=0.3)], size)
    assert detection.looks_like_room([], size)
