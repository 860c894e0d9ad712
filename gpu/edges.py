"""The canny ControlNet's input: the room's structure, not its furnishing.

A plain Canny map at fixed thresholds (100, 200) hands the ControlNet every cushion,
book spine and rug pattern, and the restyle then redraws the old furnishing in new
colours; at the same thresholds a dark photo loses its walls. Here:

1. an edge-preserving blur (bilateral) flattens texture, fabric and sensor noise;
2. contrast and Canny thresholds come from the photo's own statistics, so a dim or
   low-contrast photo gives the same map as a bright one;
3. only long straight segments survive (a probabilistic Hough transform): wall
   corners, floor and ceiling lines, windows, doors, built-ins;
4. segments that lie wholly inside a detected piece of furniture are dropped: the
   piece's outline would pin it in place, while a wall line passing behind it spans
   beyond the box and stays.
"""
from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

WORK_SIDE = 768  # the map is computed at this long side at most, then scaled to the photo
HIGH_PERCENTILE = 88  # of the gradient magnitude: Canny's upper threshold
LOW_RATIO = 0.4  # lower threshold = this share of the upper one
MIN_LINE = 0.07  # shortest kept segment, as a share of the long side
MAX_GAP = 0.008  # gap a segment may jump, as a share of the long side
VOTES = 0.05  # Hough accumulator threshold, as a share of the long side
BOX_MARGIN = 0.02  # a segment within this share of the long side of a box's edge counts as inside


def structure_edges(rgb: np.ndarray, furniture: Sequence[tuple[float, float, float, float]] = ()) -> np.ndarray:
    """uint8 (H, W) map, 255 on the room's long straight lines; `furniture` boxes (x1, y1, x2, y2) in pixels."""
    height, width = rgb.shape[:2]
    scale = min(1.0, WORK_SIDE / max(height, width))
    small = rgb if scale == 1.0 else cv2.resize(
        rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    edges = auto_canny(small)
    side = max(small.shape[:2])
    segments = cv2.HoughLinesP(
        edges, 1, np.pi / 180, threshold=max(10, round(VOTES * side)),
        minLineLength=max(8, round(MIN_LINE * side)), maxLineGap=max(2, round(MAX_GAP * side)),
    )
    boxes = [tuple(v * scale for v in box) for box in furniture]
    drawn = np.zeros(small.shape[:2], dtype=np.uint8)
    for x1, y1, x2, y2 in ([] if segments is None else segments.reshape(-1, 4)):
        if not _inside_a_box((x1, y1), (x2, y2), boxes, BOX_MARGIN * side):
            cv2.line(drawn, (int(x1), int(y1)), (int(x2), int(y2)), 255, 1)
    if scale == 1.0:
        return drawn
    return ((cv2.resize(drawn, (width, height), interpolation=cv2.INTER_LINEAR) > 64) * 255).astype(np.uint8)


def auto_canny(rgb: np.ndarray) -> np.ndarray:
    """Canny after a bilateral blur, with thresholds from the image's own gradient magnitudes."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    # Contrast stretched to the photo's own 1st-99th percentiles first: the blur's colour sigma is absolute.
    low, high = np.percentile(gray, (1, 99))
    gray = np.clip((gray - low) * (255.0 / max(high - low, 1.0)), 0, 255).astype(np.uint8)
    smooth = cv2.bilateralFilter(gray, 9, 40, 5)
    # cv2.Canny's own gradient: 3x3 Sobel, L1 magnitude.
    magnitude = np.abs(cv2.Sobel(smooth, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(smooth, cv2.CV_32F, 0, 1))
    high = max(8.0, float(np.percentile(magnitude, HIGH_PERCENTILE)))
    return cv2.Canny(smooth, LOW_RATIO * high, high)


def _inside_a_box(a, b, boxes, margin: float) -> bool:
    def within(point, box) -> bool:
        x, y = point
        x1, y1, x2, y2 = box
        return x1 - margin <= x <= x2 + margin and y1 - margin <= y <= y2 + margin

    return any(within(a, box) and within(b, box) for box in boxes)
