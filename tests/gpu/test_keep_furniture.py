"""keep_furniture: the furniture's own pixels come back, the rest of the room is restyled."""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch
from PIL import Image

from gpu import detection, imaging
from gpu.types import Detection
from tests.gpu.support import RENDER_PHOTO, decode, make_request, run_to_end, tiny_models

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


# --- Through detection: what YOLO finds becomes the mask ------------------------------------------------------

COUCH_IN_INPUT = (0.3, 0.35, 0.75, 0.8)  # x1, y1, x2, y2 as fractions of the detector's input


@contextmanager
def planted_couch(models):
    """The tiny detector's random weights see nothing: plant one couch at its head's output, the same on every run.

    The head's decoded output (boxes in input pixels, class scores, mask coefficients) and its mask prototypes are
    replaced so that one anchor holds a couch at COUCH_IN_INPUT whose mask is the ellipse inscribed in its box.
    Everything after the head is real: ultralytics' NMS, its mapping of boxes and masks back to the photo, and our
    detection, room-type and keep-mask code.
    """
    if models.detector.predictor is None:  # ultralytics runs a copy of the model, made on the first predict
        detection.detect(models, Image.new("RGB", (64, 64)))
    head = models.detector.predictor.model.model.model[-1]  # the copy's head: a hook on the original stays there
    couch = next(index for index, name in models.class_names.items() if name == "couch")

    def plant(module, inputs, output):
        (decoded, protos), raw = output
        height, width = (side * 8 for side in inputs[0][0].shape[2:])  # the stride-8 features: the input size
        x1, y1, x2, y2 = (f * s for f, s in zip(COUCH_IN_INPUT, (width, height, width, height), strict=True))
        decoded, protos = decoded.clone(), torch.full_like(protos, 0.0)
        decoded[:, 4:] = 0.0  # no class anywhere, no mask coefficients
        decoded[:, :4, 0] = torch.tensor([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1])
        decoded[:, 4 + couch, 0] = 0.9
        decoded[:, 4 + module.nc, 0] = 1.0  # the mask is prototype 0 alone
        rows, cols = protos.shape[2:]
        y, x = torch.meshgrid((torch.arange(rows) + 0.5) * height / rows, (torch.arange(cols) + 0.5) * width / cols,
                              indexing="ij")
        inside = ((x - (x1 + x2) / 2) / ((x2 - x1) / 2)) ** 2 + ((y - (y1 + y2) / 2) / ((y2 - y1) / 2)) ** 2 <= 1
        protos[:, 0] = torch.where(inside, 1.0, -1.0)
        return (decoded, protos), raw

    handle = head.register_forward_hook(plant)
    try:
        yield
    finally:
        handle.remove()


def _ellipse(box, shape, scale: float = 1.0) -> np.ndarray:
    """bool (H, W): the ellipse inscribed in `box`, its radii times `scale`."""
    x1, y1, x2, y2 = box
    y, x = np.mgrid[: shape[0], : shape[1]] + 0.5
    across = (x - (x1 + x2) / 2) / ((x2 - x1) / 2 * scale)
    down = (y - (y1 + y2) / 2) / ((y2 - y1) / 2 * scale)
    return across**2 + down**2 <= 1


def test_it_keeps_what_the_detector_found_by_its_mask_not_its_box():
    request = make_request(RENDER_PHOTO, keep_furniture=True)
    with planted_couch(tiny_models()):
        result = run_to_end(request)[-1].result  # no detections given: YOLO runs

    source = imaging.to_array(imaging.decode_photo(request.image, request.resolution)).astype(int)
    height, width = source.shape[:2]
    [couch] = result.furniture
    assert (couch.label, round(couch.confidence, 2)) == ("couch", 0.9)
    x1, y1, x2, y2 = couch.box
    # Back in the photo's pixels: the detector saw the photo letterboxed at its own size, whose padding shifts the
    # planted fractions a little.
    expected = [f * s for f, s in zip(COUCH_IN_INPUT, (width, height, width, height), strict=True)]
    assert np.allclose(couch.box, expected, atol=0.04 * width), (couch.box, expected)
    assert result.detected_room_type == "living_room"  # a couch, so the room type follows it

    mask = np.asarray(decode(result.maps["mask"])) > 0
    core, around = _ellipse(couch.box, mask.shape, 0.85), _ellipse(couch.box, mask.shape, 1.15)
    assert mask[core].all()  # the couch's own shape is kept...
    assert not mask[~around].any()  # ...and nothing beyond it, not even the corners of its box:
    corners = [(round(y1) + 2, round(x1) + 2), (round(y1) + 2, round(x2) - 3), (round(y2) - 3, round(x1) + 2),
               (round(y2) - 3, round(x2) - 3)]
    assert not any(mask[corner] for corner in corners)

    output = np.asarray(decode(result.variations[0].image).convert("RGB")).astype(int)
    difference = np.abs(output - source).mean(axis=2)
    assert difference[core].mean() < 4  # the couch's own pixels, up to JPEG rounding
    assert difference[~around].mean() > 20  # the rest restyled (random weights: very different)
