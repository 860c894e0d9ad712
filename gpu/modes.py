"""What each mode changes in the photo, and what it holds still.

    restyle    the whole room in a new style (the pipeline as it always was)
    declutter  the movable objects YOLO finds are inpainted away with an empty-room prompt; the room's
               structure is held by a depth map with those objects filled in from around them
    stage      an empty room furnished in the chosen style and room type: the whole photo repainted from more
               noise, the depth ControlNet holding the shell more loosely so furniture can stand in it
    edit       only the person's mask changes, following their wish; outside it the result is the photo itself

declutter and edit repaint a *region* (255 = change): the inpainting pipeline repaints it (grown by a latent
cell), and the photo is pasted back everywhere else, so outside the region not a pixel moves.
"""
from __future__ import annotations

import cv2
import numpy as np

from gpu import detection, masks, prompts
from gpu.errors import InvalidRequest
from gpu.types import MODES, RestyleRequest

# Objects grow by this share of the photo's long side: their shadows, legs and soft outlines go with them.
CLUTTER_GROW = 0.015
# The least creativity each mode runs at. Declutter must not leave a ghost of the sofa it removes; staging has
# to draw furniture where there was none; an edit follows a wish such as "replace this sofa".
CREATIVITY_FLOOR = {"restyle": 0.0, "declutter": 1.0, "stage": 0.65, "edit": 0.5}
# The depth ControlNet's scale: staging holds the empty shell loosely (a firm hold would keep the floor bare).
DEPTH_SCALE = {"restyle": 0.9, "declutter": 0.9, "stage": 0.6, "edit": 0.9}
MESSAGES = {
    "restyle": "Applying {style} style...",
    "declutter": "Clearing the room...",
    "stage": "Furnishing the room in {style} style...",
    "edit": "Changing the area you painted...",
}


def validate(request: RestyleRequest) -> list[str]:
    """Problems with the mode and mask, in the words of pipeline._validate."""
    if request.mode not in MODES:
        return [f"mode must be one of {', '.join(MODES)}"]
    if request.mode == "edit" and not request.mask:
        return ["an edit needs a mask"]
    if request.mode != "edit" and request.mask:
        return ["a mask is only used by the edit mode"]
    return []


def region(request: RestyleRequest, found: detection.Found, size: tuple[int, int],
           kept: np.ndarray | None = None) -> np.ndarray | None:
    """uint8 (H, W), 255 where the mode repaints; None when it repaints the whole photo. `kept`: the objects
    the person keeps (gpu/objects.py), which a declutter leaves as they are even where the clutter around them
    grows over them."""
    if request.mode == "declutter":
        cleared = clutter_mask(found, size)
        if kept is not None:
            cleared[kept > 0] = 0
        if not cleared.any():
            raise InvalidRequest("We found no furniture or clutter to clear in this photo.")
        return cleared
    if request.mode == "edit":
        try:
            painted = masks.read_mask(request.mask or b"")
            masks.check_mask(painted, size)
        except masks.MaskError as error:
            raise InvalidRequest(str(error)) from None
        return np.asarray(masks.fit_mask(painted, size), dtype=np.uint8)
    return None


def clutter_mask(found: detection.Found, size: tuple[int, int]) -> np.ndarray:
    """Every movable object YOLO found (its pixels, or its box), grown a little."""
    mask = detection.labels_mask(found, size, detection.INDOOR_OBJECTS)
    grow = max(1, round(CLUTTER_GROW * max(size)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
    return cv2.dilate(mask, kernel) if mask.any() else mask


def control_depth(mode: str, depth: np.ndarray, repaint: np.ndarray | None) -> np.ndarray:
    """The depth map the ControlNet holds. Declutter: the objects' depth filled in from the room around them,
    or the net would draw the sofa back."""
    if mode != "declutter" or repaint is None:
        return depth
    scaled = (depth.clip(0, 1) * 65535).round().astype(np.uint16)
    radius = max(3, round(0.01 * max(depth.shape)))
    filled = cv2.inpaint(scaled, (repaint > 0).astype(np.uint8), radius, cv2.INPAINT_TELEA)
    return filled.astype(np.float32) / 65535.0


def replaced_boxes(request: RestyleRequest, found: detection.Found,
                   repaint: np.ndarray | None) -> list[tuple[float, float, float, float]]:
    """Boxes whose edges the canny ControlNet must not hold: what the mode replaces."""
    if request.mode == "edit" and repaint is not None:
        count, _labels, stats, _centroids = cv2.connectedComponentsWithStats((repaint > 0).astype(np.uint8))
        return [(float(x), float(y), float(x + w), float(y + h)) for x, y, w, h, _area in stats[1:count]]
    if request.keep_furniture and request.mode in ("restyle", "stage"):
        return []
    return [d.box for d in detection.furniture(found)]


def keeps_furniture(request: RestyleRequest) -> bool:
    """Keep-furniture applies where the whole room is repainted; a region mode decides what changes itself."""
    return request.keep_furniture and request.mode in ("restyle", "stage")


def creativity(request: RestyleRequest) -> float:
    return max(request.creativity, CREATIVITY_FLOOR[request.mode])


def depth_scale(mode: str) -> float:
    return DEPTH_SCALE[mode]


def message(mode: str, style_name: str) -> str:
    return MESSAGES[mode].format(style=style_name)


def build_prompts(request: RestyleRequest, *, room_type: str | None, tokenizer) -> tuple[str, str]:
    return prompts.prompts_for(prompts.PromptChoices.from_request(request, room_type=room_type), tokenizer=tokenizer)


def lossless(mode: str) -> bool:
    """An edit is delivered as PNG: JPEG would change the pixels outside the mask that it promises to keep."""
    return mode == "edit"
