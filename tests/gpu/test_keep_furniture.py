"""keep_furniture: the furniture's own pixels come back, the rest of the room is restyled."""
from __future__ import annotations

import numpy as np

from gpu import imaging
from gpu.types import Detection
from tests.gpu.support import RENDER_PHOTO, decode, make_request, run_to_end

# Random YOLO weights find nothing, so the test says where the sofa is; everything after detection is real.
SOFA = Detection(label="couch", box=(100.0, 180.0, 380.0, 330.0), confidence=0.9)


def test_it_keeps_the_pixels_under_the_furniture_mask():
    request = make_request(RENDER_PHOTO, keep_furniture=True)
    result = run_to_end(request, detections=[SOFA])[-1].result

    source = imaging.to_array(imaging.decode_photo(request.image, request.resolution)).astype(int)
    output = np.asarray(decode(result.variations[0].image).convert("RGB")).astype(int)
    mask = np.asarray(decode(result.maps["mask"])) > 0
    inside = np.zeros_like(mask)
    inside[190:320, 110:370] = True  # well inside the box, away from the feathered edge
    assert mask[inside].all()

    difference = np.abs(output - source).mean(axis=2)
    assert difference[inside].mean() < 4  # JPEG rounding only
    assert difference[~mask].mean() > 20  # restyled (here: random weights, so very different)
    assert [d.label for d in result.furniture] == ["couch"]


def test_it_restyles_everything_when_no_furniture_is_found():
    request = make_request(RENDER_PHOTO, keep_furniture=True)
    result = run_to_end(request, detections=[])[-1].result

    assert not np.asarray(decode(result.maps["mask"])).any()
    source = imaging.to_array(imaging.decode_photo(request.image, request.resolution)).astype(int)
    output = np.asarray(decode(result.variations[0].image).convert("RGB")).astype(int)
    assert np.abs(output - source).mean() > 20
