"""Object-by-object choices: each object an earlier design of this photo found is kept, replaced or removed.

    keep     the photo's own pixels in the result: paste weight exactly 1 inside the object, feathered only
             outward, into what is repainted around it
    replace  restyled with the room, its outline not held by the canny ControlNet
    remove   cleared as declutter clears (gpu/modes.py): the depth under it filled in from around it, its area
             started from the room around it rather than from the object, its name among what the result
             must not show, and its outline not held

The choices arrive as plain data in RestyleRequest.objects, one dict per object: its id, label, action, and
box in the pixels of `frame` (the size of the photo the source design's detections were made on); here they
are scaled to this photo. An object's pixels are YOLO's segment on this photo when one matches its box, else
the box. Objects not listed follow the design's usual behaviour (keep_furniture or not).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

from gpu import detection, imaging, modes, prompts
from gpu.types import OBJECT_ACTIONS as ACTIONS
from gpu.types import RestyleRequest

# The restyle mode repaints the whole room, so it can be told what to do with each object. Declutter clears
# every object it finds but those the person keeps ("clear everything but the sofa"): keep choices only. Edit
# repaints what the person painted, and staging starts from an empty room.
MODES_WITH_OBJECTS = ("restyle", "declutter")
MATCH_IOU = 0.5  # a YOLO detection on this photo with at least this overlap is the listed object
Box = tuple[float, float, float, float]


@dataclass
class Choices:
    kept: np.ndarray  # uint8 (H, W), 255 on the objects to keep
    removed: np.ndarray  # uint8 (H, W), 255 on the objects to remove (never over a kept one)
    changed_boxes: list[Box] = field(default_factory=list)  # replaced and removed: canny must not hold them
    removed_labels: list[str] = field(default_factory=list)
    matched: set[int] = field(default_factory=set)  # indices in found.detections that a listed object names


def validate(request: RestyleRequest) -> list[str]:
    """Problems with the objects, in the words of pipeline._validate."""
    if not request.objects:
        return []
    if request.mode not in MODES_WITH_OBJECTS:
        return [f"object choices work with the {' and '.join(MODES_WITH_OBJECTS)} modes only"]
    problems = []
    if request.mode == "declutter" and any(item.get("action") != "keep" for item in request.objects):
        problems.append("declutter takes keep choices only: it clears every other object")
    for item in request.objects:
        if item.get("action") not in ACTIONS:
            problems.append(f"an object's action must be one of {', '.join(ACTIONS)}")
        if not _numbers(item.get("box"), 4) or not _numbers(item.get("frame"), 2) or min(item["frame"]) <= 0:
            problems.append("an object needs a box [x1, y1, x2, y2] and the frame [width, height] it is in")
    return sorted(set(problems))


def plan(request: RestyleRequest, found: detection.Found, size: tuple[int, int]) -> Choices | None:
    """The objects' masks on this photo (`size`), by action; None when the request lists none."""
    if not request.objects:
        return None
    width, height = size
    masks = {action: np.zeros((height, width), dtype=np.uint8) for action in ACTIONS}
    choices = Choices(kept=masks["keep"], removed=masks["remove"])
    for item in request.objects:
        box = _scaled(item["box"], item["frame"], size)
        match = _match(found, box, item.get("label"))
        pixels = found.masks[match] if match is not None else None
        if match is not None:
            choices.matched.add(match)
        detection.paint(masks[item["action"]], pixels, box)
        if item["action"] != "keep":
            choices.changed_boxes.append(box)
        if item["action"] == "remove":
            choices.removed_labels.append(str(item.get("label") or "object"))
    choices.removed[choices.kept > 0] = 0  # where a kept and a removed object overlap, the kept one wins
    return choices


def unlisted(found: detection.Found, choices: Choices | None) -> detection.Found:
    """What YOLO found that no listed object names: it follows the design's usual behaviour."""
    if choices is None:
        return found
    keep = [i for i in range(len(found.detections)) if i not in choices.matched]
    return detection.Found([found.detections[i] for i in keep], [found.masks[i] for i in keep])


def prefill(photo: Image.Image, choices: Choices | None, keep: np.ndarray | None) -> Image.Image:
    """The photo the generation starts from: removed objects' areas filled from the room around them, so the
    denoising does not start from the sofa it should take away. Kept pixels are never touched."""
    if choices is None or not choices.removed.any():
        return photo
    area = choices.removed.copy()
    if keep is not None:
        area[keep > 0] = 0
    radius = max(3, round(0.01 * max(photo.size)))
    return Image.fromarray(cv2.inpaint(imaging.to_array(photo), (area > 0).astype(np.uint8), radius,
                                       cv2.INPAINT_TELEA))


def control_depth(depth: np.ndarray, choices: Choices | None) -> np.ndarray:
    """The depth map with the removed objects filled in from around them, as declutter holds it."""
    if choices is None or not choices.removed.any():
        return depth
    return modes.control_depth("declutter", depth, choices.removed)


def with_kept(keep: np.ndarray | None, choices: Choices | None) -> np.ndarray | None:
    """The keep mask the generation holds: the usual one (keep_furniture) and the kept objects."""
    if choices is None or not choices.kept.any():
        return keep
    return choices.kept.copy() if keep is None else np.maximum(keep, choices.kept)


def paste_weight(keep: np.ndarray | None, choices: Choices, feather_px: int) -> np.ndarray | None:
    """The paste weight: the usual keep feathered inward (as keep_furniture pastes), the kept objects exactly
    1 inside and feathered outward only, so every one of their pixels is the photo's own."""
    weights = []
    if keep is not None and keep.any():
        weights.append(imaging.feathered_inward(keep, feather_px))
    if choices.kept.any():
        weights.append(imaging.feathered(choices.kept, feather_px))
    if not weights:
        return None
    return np.maximum.reduce(weights) if len(weights) > 1 else weights[0]


def negative_prompt(negative: str, choices: Choices | None, *, tokenizer=None) -> str:
    """What the removed objects were, first among what the result must not show (the empty-room wording);
    the negative prompt's last words make room for them within CLIP's window."""
    if choices is None or not choices.removed_labels:
        return negative
    words = [*dict.fromkeys(choices.removed_labels), *(w for w in negative.split(", ") if w)]
    while len(words) > 1 and prompts.count_tokens(", ".join(words), tokenizer) > prompts.MAX_TOKENS:
        words.pop()
    return ", ".join(words)


def lossless(request: RestyleRequest) -> bool:
    """A design that keeps objects is delivered as PNG: JPEG would change the pixels it promises to keep."""
    return any(item.get("action") == "keep" for item in request.objects)


def maps(choices: Choices | None) -> dict[str, bytes]:
    """The kept and removed objects' masks, beside the other control maps."""
    if choices is None:
        return {}
    return {name: imaging.encode_png(Image.fromarray(mask))
            for name, mask in (("kept", choices.kept), ("removed", choices.removed)) if mask.any()}


def _scaled(box, frame, size: tuple[int, int]) -> Box:
    sx, sy = size[0] / float(frame[0]), size[1] / float(frame[1])
    x1, y1, x2, y2 = (float(v) for v in box)
    return (min(max(x1 * sx, 0.0), size[0]), min(max(y1 * sy, 0.0), size[1]),
            min(max(x2 * sx, 0.0), size[0]), min(max(y2 * sy, 0.0), size[1]))


def _match(found: detection.Found, box: Box, label: str | None) -> int | None:
    """The detection on this photo that is the listed object: the same label, and the best overlap."""
    best, best_iou = None, MATCH_IOU
    for index, found_object in enumerate(found.detections):
        if label and found_object.label != label:
            continue
        overlap = _iou(found_object.box, box)
        if overlap >= best_iou:
            best, best_iou = index, overlap
    return best


def _iou(a: Box, b: Box) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _numbers(value, count: int) -> bool:
    return (isinstance(value, list | tuple) and len(value) == count
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value))
