"""What YOLO sees in the photo, and what it tells us: furniture, room type, keep-mask, is it a room at all."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from gpu import styles
from gpu.types import Detection

MIN_CONFIDENCE = 0.35  # below this COCO detections on room photos are mostly clutter mistaken for furniture

# What `keep_furniture` keeps: things a person owns and would move house with.
FURNITURE = frozenset({
    "chair", "couch", "bed", "dining table", "bench", "potted plant", "tv", "clock", "vase",
    "refrigerator", "oven", "microwave", "toaster", "sink", "toilet",
})
# Reported in the design's metadata; people, pets and street scenes are not furniture.
INDOOR_OBJECTS = FURNITURE | frozenset({
    "laptop", "keyboard", "mouse", "remote", "book", "teddy bear", "cup", "bowl", "bottle", "wine glass",
    "hair drier", "toothbrush", "scissors", "umbrella", "suitcase", "sports ball",
})
# A photo filled by one of these is a portrait, a pet or a street, not a room.
NOT_A_ROOM = frozenset({
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "stop sign", "parking meter", "bird", "cat", "dog", "horse", "sheep", "cow", "elephant",
    "bear", "zebra", "giraffe", "kite", "skis", "snowboard", "surfboard", "skateboard", "frisbee",
})
NOT_A_PLACE_OUTDOORS = frozenset({"person"})
NOT_A_ROOM_MIN_AREA = 0.4  # share of the frame one such subject must fill to reject the photo

@dataclass
class Found:
    detections: list[Detection]
    masks: list[np.ndarray | None]  # per detection: bool (H, W) pixels, or None to use the box


def detect(models, image: Image.Image) -> Found:
    """Run YOLO on the (already resized) photo; boxes and masks in its pixel coordinates."""
    with models.lock:  # one ultralytics predictor per model set, and it keeps state between calls
        result = models.detector.predict(
            image,
            imgsz=models.detector_image_size,
            conf=MIN_CONFIDENCE,
            device=str(models.device),
            half=models.device.type == "cuda",
            retina_masks=True,  # masks at the photo's size, not the detector's
            verbose=False,
        )[0]
    boxes = result.boxes
    detections = [
        Detection(label=models.class_names[int(c)], box=tuple(round(float(v), 1) for v in xyxy), confidence=float(p))
        for xyxy, c, p in zip(boxes.xyxy.tolist(), boxes.cls.tolist(), boxes.conf.tolist(), strict=True)
    ]
    masks = [m > 0.5 for m in result.masks.data.cpu().numpy()] if result.masks is not None else []
    return Found(detections, masks if len(masks) == len(detections) else [None] * len(detections))


def given(detections: list[Detection]) -> Found:
    """Detections the caller already has (boxes only): the rest of the pipeline treats them as YOLO's."""
    return Found(list(detections), [None] * len(detections))


def furniture(found: Found) -> list[Detection]:
    return [d for d in found.detections if d.label in INDOOR_OBJECTS]


def suggest_room_type(detections: list[Detection]) -> str | None:
    return styles.suggest_room_type(d.label for d in detections)


def looks_like_room(detections: list[Detection], size: tuple[int, int], *, outdoor: bool = False) -> bool:
    """False only for the clear cases: no furniture, and a person/animal/vehicle fills the frame.

    Outdoors (a facade, a garden) a parked car, a bicycle or a bird in front is part of the place: only a
    person filling the frame (a portrait, not a house) turns the photo away there.
    """
    if any(d.label in FURNITURE for d in detections):
        return True
    frame = size[0] * size[1]
    subjects = NOT_A_PLACE_OUTDOORS if outdoor else NOT_A_ROOM
    return not any(
        d.label in subjects and d.confidence >= 0.5 and _area(d.box) / frame >= NOT_A_ROOM_MIN_AREA
        for d in detections
    )


def keep_mask(found: Found, size: tuple[int, int]) -> np.ndarray:
    """uint8 (H, W), 255 on the furniture to keep: the pieces' own pixels, not grown.

    A grown mask pasted back keeps a band of the old wall and floor around each piece;
    the pipeline shrinks it for the latents and feathers it inward for the paste instead.
    """
    return labels_mask(found, size, FURNITURE)


def labels_mask(found: Found, size: tuple[int, int], labels) -> np.ndarray:
    """uint8 (H, W), 255 on every object found whose label is in `labels`."""
    width, height = size
    mask = np.zeros((height, width), dtype=np.uint8)
    for detection, pixels in zip(found.detections, found.masks, strict=True):
        if detection.label in labels:
            paint(mask, pixels, detection.box)
    return mask


def paint(mask: np.ndarray, pixels: np.ndarray | None, box) -> None:
    """One object on a uint8 mask: its segment when it has one at the mask's size, else its box."""
    if pixels is not None and pixels.shape == mask.shape:
        mask[pixels] = 255
    else:
        x1, y1, x2, y2 = (round(v) for v in box)
        mask[max(y1, 0):max(y2, 0), max(x1, 0):max(x2, 0)] = 255


def _area(box: tuple[float, float, float, float]) -> float:
    x1, y1, x2, y2 = box
    return max(0.0, x2 - x1) * max(0.0, y2 - y1)
